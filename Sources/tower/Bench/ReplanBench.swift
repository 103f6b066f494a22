import Foundation
import TowerCore

/// `tower bench replan`: a full live re-plan of a city mid-morning within a time budget: ruin and recreate over
/// every order not yet picked up, from the plan the day built so far. Then what the engine's own 15-minute plan
/// searches cost the board's loop: the longest clock step (one simulated minute) with the search on the loop's
/// thread and on a thread of its own.
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
        try searchStalls(scenario: scenario, from: now, seed: seed)
    }

    /// Steps the engine a simulated minute at a time for two hours from `from`, paced as the board's loop is at ×240
    /// (a step every quarter second); prints the longest and the median step, with searches inline and on their
    /// own thread.
    private static func searchStalls(scenario: Scenario, from: Instant, seed: UInt64) throws {
        for background in [false, true] {
            let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: nil, durability: .batch)
            if background { session.engine.runPlanSearches(on: BackgroundPlanSearch()) }
            session.simulation.run(until: from, engine: session.engine)
            Thread.sleep(forTimeInterval: 0.25)  // the loop's pace from the first step: the 10:00 search has its quarter second
            var steps: [Double] = [], searchSteps: [Double] = []
            var time = from
            while time < from + 2 * 3600 {
                time = time + 60
                let start = DispatchTime.now().uptimeNanoseconds
                session.simulation.run(until: time, engine: session.engine)
                steps.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                let interval = session.engine.settings.improveInterval
                if time.seconds % interval == 0 || (time.seconds - Engine.searchLatency) % interval == 0 { searchSteps.append(steps.last!) }
                // Paced as the board is at ×240: a search on its own thread has the rest of the quarter second.
                Thread.sleep(forTimeInterval: max(0, 0.25 - steps.last! / 1000))
            }
            steps.sort()
            print("board loop at ×240, a simulated minute per step for 2 h, plan searches \(background ? "on their own thread" : "inline"): "
                  + "steps that start or land a search: longest \(String(format: "%.1f", searchSteps.max() ?? 0)) ms; "
                  + "all steps: median \(String(format: "%.1f", steps[steps.count / 2])) ms, longest \(String(format: "%.1f", steps.last!)) ms")
        }
    }
}
