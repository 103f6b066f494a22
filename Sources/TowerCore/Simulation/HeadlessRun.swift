/// One simulated day without a board, journal or inbox: the figures a policy comparison needs.
public enum HeadlessRun {
    public static func report(scenario: Scenario, seed: UInt64, mode: EngineSettings.Mode, policy: Policy, policyName: String,
                              until: Instant, failedCost: Double = RunReport.failedDeliveryCost, eta: ETAModel? = nil,
                              bookedSameDay: Set<String>? = nil) throws -> RunReport {
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: nil, durability: .batch, mode: mode, policy: policy,
                                               eta: eta)
        var recorder = KPIRecorder(planLock: scenario.planLock)
        session.engine.observer = { recorder.note($0) }
        session.simulation.run(until: until, engine: session.engine)
        if let (event, error) = session.simulation.refused.first {
            throw ToolError("seed \(seed), \(policyName): the simulation made an event the core refused: \(event.type) \(event.id): \(error)")
        }
        return RunReport(world: session.engine.world, recorder: recorder, policy: policyName, seed: seed, failedCost: failedCost,
                         playedTo: session.simulation.now, bookedSameDay: bookedSameDay)
    }
}
