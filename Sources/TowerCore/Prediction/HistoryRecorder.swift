import Foundation

/// Turns a day's events into delivery history: one CSV row per delivery attempt, in the format the ETA model
/// learns from (documented in sample-data/README.md).
///
/// Travel is from the rider's previous stop (or shift start) to the door; dwell is from arrival to completion.
public struct HistoryRecorder: Sendable {
    public static let header = "order_id,rider_id,channel,zone,from_lat,from_lon,lat,lon,departed_at,arrived_at,completed_at,stop_index,parcels,outcome,weekday,tier,window_start,window_end,slowdown"

    /// A rider's leg under way: where and when it began.
    struct Leg: Sendable {
        var departedAt: Instant
        var from: GeoPoint
        var stopIndex: Int
    }

    /// The legs under way, by rider.
    private var legsUnderWay: [String: Leg] = [:]
    /// The visits so far.
    public private(set) var visits: [HistoryRow] = []

    /// Whether `visits` keeps the rows (a history file does; a live learner only needs each one once).
    private let keepsVisits: Bool

    public init(keepsVisits: Bool = true) { self.keepsVisits = keepsVisits }

    /// Notes an event applied to `world` (call after it was applied).
    /// - Returns: the visit it completed, if it ended a delivery attempt.
    @discardableResult
    public mutating func note(_ event: Event, world: World) -> HistoryRow? {
        var visit: HistoryRow?
        switch event.body {
        case let .shiftStarted(rider):
            if let position = world.riders[rider]?.position { legsUnderWay[rider] = Leg(departedAt: event.at, from: position, stopIndex: 0) }
        case let .pickupDone(rider, _):
            restart(rider, at: event.at, world: world, countsAsStop: false)
        case let .deliveryDone(rider, order), let .deliveryFailed(rider, order, _):
            if let leg = legsUnderWay[rider], let record = world.orders[order], let profile = world.riders[rider]?.profile,
               let arrived = record.arrivedAt {
                let row = HistoryRow(line: visits.count + 2, order: record.id, rider: rider, channel: profile.channel.rawValue, zone: record.zone,
                                     from: leg.from, to: record.drop, departedAt: leg.departedAt, arrivedAt: arrived, completedAt: event.at,
                                     stopIndex: leg.stopIndex + 1, parcels: record.parcels,
                                     outcome: record.status == .delivered ? "delivered" : "failed", utcOffsetSeconds: world.utcOffsetSeconds,
                                     windowStart: record.window.start, windowEnd: record.window.end, tier: record.tier.rawValue,
                                     slowdown: world.slowdownOfLeg(from: leg.from, to: record.drop, departing: leg.departedAt))
                if keepsVisits { visits.append(row) }
                visit = row
            }
            restart(rider, at: event.at, world: world, countsAsStop: true)
        default:
            break
        }
        return visit
    }

    private mutating func restart(_ rider: String, at time: Instant, world: World, countsAsStop: Bool) {
        guard let position = world.riders[rider]?.position else { return }
        let index = (legsUnderWay[rider]?.stopIndex ?? 0) + (countsAsStop ? 1 : 0)
        legsUnderWay[rider] = Leg(departedAt: time, from: position, stopIndex: index)
    }
}
