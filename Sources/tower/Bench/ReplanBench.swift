import Foundation
import TowerCore

/// `tower bench replan`: a full live re-plan of a city mid-morning within a time budget: ruin and recreate over
/// every order not yet picked up, from the plan the day built so far.
enum ReplanBench {
    static func run(scenarioPath: String, at clock: String, seconds: Double, seed: UInt64) throws {
        let scenario = try ScenarioLoader.load(directory: scenarioPath)
        guard let second = ISOTime.parseClock(clock) else { throw UsageError(message: "--at needs HH:MM, got '\(clock)'") }
        let now = scenario.time(second)
        for mode in [EngineSettings.Mode.static, .continuousAuto] {
            let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: nil, durability: .batch, mode: mode)
            session.simulation.run(until: now, engine: session.engine)
            let world = session.engine.world
            let stops = world.routes.values.reduce(0) { $0 + $1.stops.count }
            let improver = LiveImprover(planner: session.engine.planner)
            let start = DispatchTime.now().uptimeNanoseconds
            let deadline = start + UInt64(seconds * 1e9)
            let outcome = improver.improve(world, now: now, seed: seed, iterations: .max) { DispatchTime.now().uptimeNanoseconds >= deadline }
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let change = outcome.costBefore == 0 ? 0 : (outcome.costAfter - outcome.costBefore) / outcome.costBefore * 100
            print("\(scenario.name) at \(clock), plan kept by \(mode.rawValue): \(world.riderIDs.count) riders, \(stops) open stops; "
                  + "\(outcome.iterations) iterations (\(outcome.accepted) kept) in \(String(format: "%.2f", elapsed)) s; "
                  + "plan cost \(String(format: "%.1f", outcome.costBefore)) → \(String(format: "%.1f", outcome.costAfter)) (\(String(format: "%+.1f", change))%), "
                  + "\(outcome.routes.count) routes changed, \(outcome.moves.count) orders moved")
        }
    }
}
