/// How well the at-risk list foresees late deliveries on a simulated day.
///
/// Every `step` of the day the outlook is taken; an order counts as flagged when it was on the list with a chance of
/// at least `probability` at least `lead` before its window closed. Late: delivered after its window, or not
/// delivered by the time its window closed. Recall: the late orders that were flagged; precision: the flagged
/// orders that ended late. Measured under the static policy, where nobody acts on the list, so it measures the
/// forecast and not the remedies (under continuous-auto a flag is often what makes an order not late).
///
/// With a `learned` model the outlook's ETAs come from it, learning online from every attempt of the day (as on
/// the board); without, from the travel model.
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

    public init(scenario: Scenario, seed: UInt64, mode: EngineSettings.Mode = .static, lead: Int64 = 1800, probability: Double = 0.5,
                step: Int64 = 300, until: Instant? = nil, learned: ETAModel? = nil) throws {
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: nil, durability: .batch, mode: mode, eta: learned)
        let end = until ?? scenario.dayEnd + 4 * 3600
        var flags: Set<String> = []
        var now = scenario.planLock
        while now <= end {
            session.simulation.run(until: now, engine: session.engine)
            let outlook = session.engine.outlook(at: now)
            for item in outlook.atRisk where item.probability >= probability && now <= item.window.end - lead { flags.insert(item.order) }
            now = now + step
        }
        let world = session.engine.world
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
