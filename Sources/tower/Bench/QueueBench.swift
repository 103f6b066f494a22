import Foundation
import TowerCore

/// `tower bench queue`: plays a day headless under continuous-auto and prints, hour by hour, what the exception
/// desk raised, resolved on its own, escalated to a person and defaulted; then the peak and mean escalations per
/// hour, the core's share, dominated first options and defaults above the cost limit (both must be 0).
enum QueueBench {
    static func run(scenarioPath: String, seed: UInt64, etaOption: String?) throws {
        let scenario = try ScenarioLoader.load(directory: scenarioPath)
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: nil, durability: .batch,
                                               eta: try ETAModelChoice.model(etaOption, scenario: scenario))
        session.simulation.run(until: scenario.dayEnd + 4 * 3600, engine: session.engine)
        let policy = session.engine.settings.policy
        let figures = QueueFigures(world: session.engine.world, costLimit: policy.costLimit)
        print("\(scenario.name) seed \(seed), continuous-auto, headless (nobody answers: escalations take their default)")
        print("hour   raised  by core  escalated  defaulted")
        for hour in figures.hours {
            print(String(format: "%02d:00  %6d  %7d  %9d  %9d", hour.hour, hour.raised, hour.resolvedByCore, hour.escalated, hour.defaulted))
        }
        print(String(format: "day    %6d  %7d  %9d  %9d", figures.raised, figures.resolvedByCore, figures.escalated, figures.defaulted))
        // A share of no case raised is no figure.
        let share = figures.raised == 0 ? "—" : String(format: "%.1f%%", figures.resolvedByCoreShare * 100)
        print(String(format: "escalations per hour: peak %d, mean %.1f; ", figures.peakEscalationsPerHour, figures.meanEscalationsPerHour)
              + "resolved by the core: \(share); dominated first options: \(figures.dominatedFirstOptions); "
              + String(format: "defaults above the cost limit (%.0f): %d", policy.costLimit, figures.defaultsAboveLimit))
    }
}
