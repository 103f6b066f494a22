/// How well the at-risk list foresees late deliveries on a simulated day, and how often the lanes' P10–P90 ranges
/// held when service began (`ranges`).
///
/// Every `step` of the day the outlook is taken; an order counts as flagged when it was on the list with a chance of
/// at least `probability` at least `lead` before its window closed. Late: delivered after its window, or not
/// delivered by the time its window closed. Recall: the late orders that were flagged; precision: the flagged
/// orders that ended late. Measured under the static policy, where nobody acts on the list, so it measures the
/// forecast and not the remedies (under continuous-auto a flag is often what makes an order not late).
///
/// With a `learned` model the outlook's ETAs come from it, learning online from every attempt of the day (as on
/// the board); without, from the travel model. The lanes' ranges start from `startingRanges` (another day's end, as
/// a core started with `--date` takes them) or from the model's own spreads, and learn through the day either way.
public struct RiskEvaluation: Sendable {
    public var late = 0
    public var flagged = 0
    public var lateAndFlagged = 0
    /// Of the late orders, those delivered after their window (the rest were not delivered: nobody at the door, no
    /// rider), and of those the flagged: what an ETA can foresee, apart from a door that stays closed.
    public var deliveredLate = 0
    public var deliveredLateAndFlagged = 0
    public var recall: Double { late == 0 ? 1 : Double(lateAndFlagged) / Double(late) }
    public var precision: Double { flagged == 0 ? 1 : Double(lateAndFlagged) / Double(flagged) }
    /// How the lanes' P10–P90 ranges held: every delivery stop of every lane at every step, against when service began
    /// at that door (the rider's arrival, or the window's opening when the rider came early and waited), for orders
    /// delivered at their first attempt and ranges given before the rider arrived; by how far ahead the ETA was
    /// (`rangeHorizons`).
    public var ranges = RiskEvaluation.rangeHorizons.map { _ in RangeCount() }
    /// Of those, the ranges given before `morningEnds` (local time): what a day's own arrivals cannot have taught yet
    /// when they are given hours ahead.
    public var morningRanges = RiskEvaluation.rangeHorizons.map { _ in RangeCount() }
    /// The local time (seconds of the day) before which a range counts as the morning's.
    public static let morningEnds = 10 * 3600
    /// How the lanes' ranges spread at the day's end: what the next day may start from.
    public var learnedRanges = RangeCalibration()

    public struct RangeCount: Sendable {
        public var stops = 0
        /// Service began before the P10, after the P90.
        public var early = 0
        public var late = 0
        public var coverage: Double { stops == 0 ? 0 : Double(stops - early - late) / Double(stops) }

        public init() {}

        public mutating func add(_ other: RangeCount) { stops += other.stops; early += other.early; late += other.late }
    }

    /// The ETAs' horizons the ranges are counted by: how long before the ETA the range was given.
    public static let rangeHorizons: [(label: String, below: Int64)] = [
        ("under 30 min", 1800), ("30-60 min", 3600), ("1-2 h", 7200), ("2 h and more", .max),
    ]

    /// How often the day is looked at: every five minutes.
    public static let defaultStep: Int64 = 300

    public init(scenario: Scenario, seed: UInt64, mode: EngineSettings.Mode = .static, lead: Int64 = 1800, probability: Double = 0.5,
                step: Int64 = RiskEvaluation.defaultStep, until: Instant? = nil, learned: ETAModel? = nil, startingRanges: RangeCalibration? = nil) throws {
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: nil, durability: .batch, mode: mode, eta: learned,
                                               ranges: startingRanges)
        let end = until ?? scenario.dayEnd + 4 * 3600
        var flags: Set<String> = []
        // Per order, every range a lane gave it: when, its ETA then, and its P10–P90.
        var given: [String: [(at: Instant, eta: Instant, range: ClosedRange<Instant>)]] = [:]
        var now = scenario.planLock
        while now <= end {
            session.simulation.run(until: now, engine: session.engine)
            let outlook = session.engine.outlook(at: now)
            for item in outlook.atRisk where item.probability >= probability && now <= item.window.end - lead { flags.insert(item.order) }
            for lane in outlook.lanes.values {
                for (i, stop) in lane.stops.enumerated() where stop.kind == .delivery {
                    given[stop.order, default: []].append((now, stop.eta, lane.p10[i]...lane.p90[i]))
                }
            }
            now = now + step
        }
        let world = session.engine.world
        learnedRanges = session.engine.ranges
        for (id, told) in given {
            guard let order = world.orders[id], order.status == .delivered, order.attempts == 1, let arrived = order.arrivedAt else { continue }
            let began = max(arrived, order.window.start)
            for range in told where range.at < arrived {
                let band = RiskEvaluation.rangeHorizons.firstIndex { range.eta - range.at < $0.below }!
                let count = { (counts: inout [RangeCount]) in
                    counts[band].stops += 1
                    if began < range.range.lowerBound { counts[band].early += 1 }
                    if began > range.range.upperBound { counts[band].late += 1 }
                }
                count(&ranges)
                if range.at < scenario.time(Self.morningEnds) { count(&morningRanges) }
            }
        }
        for id in world.orderIDs {
            guard let order = world.orders[id], order.status != .cancelled, order.window.end <= end else { continue }
            let isLate = order.status == .delivered ? (order.completedAt ?? order.window.end) > order.window.end : true
            if isLate { late += 1 }
            let cameLate = isLate && order.status == .delivered
            if cameLate { deliveredLate += 1 }
            if flags.contains(id) {
                flagged += 1
                if isLate { lateAndFlagged += 1 }
                if cameLate { deliveredLateAndFlagged += 1 }
            }
        }
    }
}
