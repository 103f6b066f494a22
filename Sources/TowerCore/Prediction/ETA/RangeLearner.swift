/// The lanes' P10–P90 ranges learning their width from arrivals (`RangeCalibration`): every five minutes of the day's
/// clock each lane gives its ranges as a board would show them then (from where its rider last reported, its fix
/// however old, as the outlook times it), and each delivery's ranges kept (`GivenRanges`) are scored when its rider
/// reaches the door. Each rider has its own moment in the five minutes, drawn from its id, and gives at the first
/// event past it: timing every lane at once held the core for tens of milliseconds with 500 riders. A fleet of more
/// than `panel` riders gives them from a panel of about that many. The engine feeds it every committed event, after the
/// ETA learner, and it times lanes with the learner's model, or the travel model when the core runs none.
///
/// Timing every lane every five minutes is most of what replaying a day with the learner costs, so a checkpoint keeps
/// this state (`CoreCheckpoint.ranges`) and a resume takes it from there instead of timing the lanes of the day again
/// (`Replayer.Options.ranges`). Checkpoint lines change nothing here, so the state a checkpoint holds is the state
/// after its lines.
public struct RangeLearner: Codable, Sendable {
    private(set) var calibration = RangeCalibration()
    private var given = GivenRanges()
    /// The time of the last event noted: the riders whose moments the clock has passed since give their ranges.
    private var notedAt: Instant?
    /// The riders that give ranges by their moment in the five minutes, made again when riders come (not kept in a
    /// checkpoint), and how many riders the world had then.
    private var byMoment: [(moment: Int64, rider: String)] = []
    private var ridersSeen = 0
    /// Events noted since the ranges waiting were last swept of orders nobody will reach.
    private var sinceSweep = 0

    static let givingEvery: Int64 = 300
    /// Riders that give ranges, about: a larger fleet gives them from one rider in every `riders / panel`, drawn from
    /// its id. A hundred riders' deliveries are some two thousand arrivals a day, as many as each band needs; with 500
    /// riders every lane giving its ranges added about a fifth to the core's thread and 10–25 ms to the commits' p99
    /// (`tower bench serve`), most of the second from writing the ranges waiting into each checkpoint.
    static let panel = 100
    static let sweepEvery = 10_000

    public init() {}

    private enum CodingKeys: String, CodingKey { case calibration, given, notedAt, sinceSweep }

    /// A state read from a checkpoint, whose numbers are checked as any input's are.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        calibration = try c.decode(RangeCalibration.self, forKey: .calibration)
        given = try c.decode(GivenRanges.self, forKey: .given)
        notedAt = try c.decodeIfPresent(Instant.self, forKey: .notedAt)
        sinceSweep = try c.decode(Int.self, forKey: .sinceSweep)
        guard (0..<Self.sweepEvery).contains(sinceSweep), notedAt.map(InputTimes.contains) ?? true else {
            throw DecodingError.dataCorruptedError(forKey: .sinceSweep, in: c, debugDescription: "a count of events or a time out of bounds")
        }
    }

    /// Takes a committed event (after `world` applied it); lanes are timed with `model`, or the travel model without
    /// one. A day's `session.started` that carries ranges sets where they start.
    mutating func note(_ event: Event, world: World, model: ETAModel?) {
        switch event.body {
        case .checkpoint:
            return
        case let .sessionStarted(_, _, _, _, _, _, _, ranges?):
            calibration = ranges
        case let .stopArrived(_, order, .delivery):
            if let arrived = world.orders[order]?.arrivedAt {
                for range in given.take(order) where range.at < arrived { calibration.learn(range, arrived: arrived) }
            }
        case let .orderCancelled(order, _):
            _ = given.take(order)
        default:
            break
        }
        if let last = notedAt, event.at > last {
            if ridersSeen != world.riderIDs.count {
                ridersSeen = world.riderIDs.count
                let every = UInt64(max(1, ridersSeen / Self.panel))
                byMoment = world.riderIDs.compactMap { id in
                    let hash = SeededRandom.fnv1a(id)
                    return hash / UInt64(Self.givingEvery) % every == 0 ? (Int64(hash % UInt64(Self.givingEvery)), id) : nil
                }.sorted { ($0.moment, $0.rider) < ($1.moment, $1.rider) }
            }
            // The moments passed, in (last, now] of the five minutes, wrapping past its end.
            let from = last.seconds % Self.givingEvery, to = event.at.seconds % Self.givingEvery
            let passed = { (moment: Int64) in
                event.at - last >= Self.givingEvery || (from < to ? from < moment && moment <= to : from < moment || moment <= to)
            }
            for entry in byMoment where passed(entry.moment) { give(entry.rider, world: world, model: model, at: event.at) }
        }
        notedAt = max(notedAt ?? event.at, event.at)
        sinceSweep += 1
        if sinceSweep >= Self.sweepEvery {
            sinceSweep = 0
            given.forget { world.orders[$0]?.status.isLive != true }
        }
    }

    /// Offers the range `rider`'s lane gives each delivery on it at `now`, as the outlook times it with `model`.
    private mutating func give(_ rider: String, world: World, model: ETAModel?, at now: Instant) {
        guard let timing = Outlook.timing(of: rider, world: world, now: now, planner: InsertionPlanner(), risk: RiskModel(), learned: model) else { return }
        for (i, info) in timing.infos.enumerated() where info.kind == .delivery {
            guard let order = timing.orders[info.ref] else { continue }
            let band = Int8(RangeCalibration.band(horizon: timing.etas[i] - now))
            let spread = Int64((RiskModel.z90 * timing.sigmas[i]).rounded())
            given.give(.init(at: now, band: band, arrival: timing.arrivals[i], spread: spread), to: order.id)
        }
    }
}
