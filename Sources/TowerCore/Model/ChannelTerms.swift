/// What the outside channels charge and allow, and the rules that decide which channel may take an order.
///
/// Own riders cost their hours and kilometres. A 3PL charges per drop from a rate card by zone and parcel size,
/// and takes at most so many orders per wave. A gig courier costs a fee per order that surges by hour, and only
/// starts moving once it has accepted the job. Rules come before prices: a channel a rule forbids is never priced.
/// A scenario without terms keeps each rider's own `cost_per_drop` and the one built-in rule (critical orders
/// never go to gig couriers).
public struct ChannelTerms: Hashable, Sendable, Codable {
    /// A parcel size: an order is of the first size (smallest first) whose limits it fits.
    public struct Size: Hashable, Sendable, Codable {
        public var name: String
        public var maxParcels: Int
        public var maxKg: Double
        public init(name: String, maxParcels: Int, maxKg: Double) { self.name = name; self.maxParcels = maxParcels; self.maxKg = maxKg }
    }

    /// A 3PL price per drop for a zone (`*`: any zone without its own line) and a size.
    public struct Rate: Hashable, Sendable, Codable {
        public var zone: String
        public var size: String
        public var perDrop: Double
        public init(zone: String, size: String, perDrop: Double) { self.zone = zone; self.size = size; self.perDrop = perDrop }
    }

    /// A span of the local day, `[start, end)` in seconds after midnight, with a number attached (a wave's capacity,
    /// a surge factor).
    public struct Band: Hashable, Sendable, Codable {
        public var start: Int
        public var end: Int
        public var value: Double
        public init(start: Int, end: Int, value: Double) { self.start = start; self.end = end; self.value = value }
        public func contains(_ secondOfDay: Int) -> Bool { start <= secondOfDay && secondOfDay < end }
    }

    public var sizes: [Size] = []
    public var thirdPartyRates: [Rate] = []
    /// 3PL waves: an order belongs to the wave holding its window's start; `value` is how many orders the 3PL
    /// takes in that wave. No waves: no limit.
    public var thirdPartyWaves: [Band] = []
    /// The gig fee per order before surge; nil keeps each gig rider's `cost_per_drop`.
    public var gigFee: Double?
    /// Surge factors by local hour (1 outside every band).
    public var gigSurge: [Band] = []
    /// How long a gig courier takes to accept a job: it cannot collect the order earlier.
    public var gigAcceptanceSeconds = 0
    /// Tiers never handed to gig couriers.
    public var neverToGig: Set<Tier> = [.critical]
    /// The zones the own fleet serves; an order outside them goes to the 3PL. Empty: every zone.
    public var ownFleetZones: Set<String> = []

    public init() {}

    /// The terms of a scenario that gives none.
    public static let standard = ChannelTerms()

    /// The size of an order, or nil when it fits no size (then no 3PL rate applies).
    public func size(of order: Order) -> Size? {
        sizes.first { order.parcels <= $0.maxParcels && order.kg <= $0.maxKg + 1e-9 }
    }

    /// The 3PL price of delivering `order`: the line for its zone and size, else the `*` line for its size; nil when
    /// the card has no line for it. Without a rate card, nil too (the rider's own `cost_per_drop` applies).
    public func thirdPartyRate(for order: Order) -> Double? {
        guard let size = size(of: order)?.name else { return nil }
        return thirdPartyRates.first { $0.zone == order.zone && $0.size == size }?.perDrop
            ?? thirdPartyRates.first { $0.zone == "*" && $0.size == size }?.perDrop
    }

    /// The surge factor at a local second of the day.
    public func surge(atSecondOfDay second: Int) -> Double {
        gigSurge.first { $0.contains(second) }?.value ?? 1
    }

    /// What one drop costs on a rider of `channel` at `time`: the 3PL's rate card (`thirdPartyRate`, from
    /// `thirdPartyRate(for:)`), the gig fee with the hour's surge, or the rider's own `riderPrice` where the channel has
    /// no terms. Planning and the day's report both price drops here.
    @inline(__always)
    public func dropPrice(channel: Channel, riderPrice: Double, thirdPartyRate: Double?, at time: Instant, utcOffsetSeconds: Int) -> Double {
        switch channel {
        case .own: return riderPrice
        case .thirdParty: return thirdPartyRate ?? riderPrice
        case .gig:
            let fee = gigFee ?? riderPrice
            return gigSurge.isEmpty ? fee : fee * surge(atSecondOfDay: ISOTime.secondOfDay(time, offsetSeconds: utcOffsetSeconds))
        }
    }

    /// The index of the 3PL wave an order belongs to, if waves are set and one holds its window's start.
    public func wave(of order: Order, utcOffsetSeconds: Int) -> Int? {
        let second = ISOTime.secondOfDay(order.window.start, offsetSeconds: utcOffsetSeconds)
        return thirdPartyWaves.firstIndex { $0.contains(second) }
    }

    /// What one more slot of the capped 3PL wave `order` falls in is worth to the orders still to come, beyond its
    /// price: as the wave fills, an order placed later that only the 3PL could bring in time is more likely to find
    /// none and go late (worth, when the wave is full, a standard order an hour late). It grows with the wave's
    /// fill to the fourth power, so it is negligible while the wave has room. Nil-cost without waves.
    public func thirdPartySlotValue(for order: Order, waveLoad: [Int], utcOffsetSeconds: Int) -> Double {
        guard let wave = wave(of: order, utcOffsetSeconds: utcOffsetSeconds), wave < waveLoad.count, thirdPartyWaves[wave].value > 0 else { return 0 }
        let fill = min(1, Double(waveLoad[wave] + 1) / thirdPartyWaves[wave].value)
        return ChannelTerms.fullSlotValue * fill * fill * fill * fill
    }

    /// A slot of a full wave: a standard order an hour late.
    static let fullSlotValue = RouteEvaluator.latePenalty(.standard) + 60 * RouteEvaluator.latenessPerMinute(.standard)

    /// Why a rule keeps `channel` from taking `order`, or nil when the rules allow it. `waveLoad` counts the orders
    /// the 3PL already has in each wave (see `World.thirdPartyWaveLoad`).
    public func refusal(of channel: Channel, for order: Order, waveLoad: [Int], utcOffsetSeconds: Int) -> String? {
        let outOfZone = !ownFleetZones.isEmpty && !ownFleetZones.contains(order.zone)
        switch channel {
        case .own:
            return outOfZone ? "zone \(order.zone) is outside the own fleet's zones" : nil
        case .gig:
            if neverToGig.contains(order.tier) { return "\(order.tier.rawValue) orders never go to gig" }
            return outOfZone ? "out-of-zone orders go to the 3PL" : nil
        case .thirdParty:
            if !thirdPartyRates.isEmpty, thirdPartyRate(for: order) == nil {
                let size = size(of: order)?.name ?? "oversize"
                return "no 3PL rate for zone \(order.zone), size \(size)"
            }
            if let wave = wave(of: order, utcOffsetSeconds: utcOffsetSeconds), wave < waveLoad.count,
               Double(waveLoad[wave]) >= thirdPartyWaves[wave].value {
                let band = thirdPartyWaves[wave]
                return "3PL wave \(ISOTime.clockText(band.start))–\(ISOTime.clockText(band.end)) is full (\(waveLoad[wave])/\(Int(band.value)))"
            }
            return nil
        }
    }
}
