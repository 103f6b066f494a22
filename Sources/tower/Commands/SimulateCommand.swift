import Foundation
import TowerCore

/// `tower simulate`: plays a scenario headless as fast as it can.
enum SimulateCommand: Command {
    static let spec = CommandSpec(
        name: "simulate",
        summary: "Run a scenario headless, as fast as possible; print a summary and the world's digest.",
        options: [
            .init(name: "scenario", value: "DIR", help: "Scenario folder (default \(defaultScenario))."),
            .init(name: "seed", value: "N", help: "Seed of the simulation's random draws (default 1)."),
            .init(name: "until", value: "HH:MM", help: "Stop at this local time (default: the end of the day)."),
            .init(name: "journal", value: "FILE", help: "Append every event to this JSON-lines journal; an existing journal of the same scenario and seed is resumed."),
        ],
        discussion: "The same scenario and seed always give the same events and the same digest; 'tower replay' of the journal prints it again.")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let scenario = try ScenarioLoader.load(directory: arguments.value("scenario") ?? defaultScenario)
        let seed = try arguments.seed()
        var until = scenario.dayEnd + 4 * 3600
        if let text = arguments.value("until") {
            guard let second = ISOTime.parseClock(text) else {
                throw UsageError(message: "--until needs a local time HH:MM, got '\(text)'", command: spec.name)
            }
            until = scenario.time(second)
        }
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: arguments.value("journal"), durability: .batch)
        if let torn = session.tornLastLine {
            FileHandle.standardError.write(Data("tower: \(arguments.value("journal")!) line \(torn): torn last line skipped (an earlier run stopped mid-write)\n".utf8))
        }
        if session.resumedEvents > 0 {
            print("resumed: \(session.resumedEvents) events from \(arguments.value("journal")!)")
        }
        session.simulation.run(until: until, engine: session.engine)
        session.engine.sync()
        if let halted = session.engine.halted { throw ToolError("journal \(arguments.value("journal") ?? "-"): \(halted)") }
        for (event, error) in session.simulation.refused.prefix(5) {
            FileHandle.standardError.write(Data("tower: the simulation made an event the core refused: \(event.type) \(event.id): \(error)\n".utf8))
        }
        for line in WorldSummary.lines(session.engine.world) { print(line) }
        print("digest: \(session.engine.world.digest)")
        return session.simulation.refused.isEmpty ? 0 : 1
    }
}
