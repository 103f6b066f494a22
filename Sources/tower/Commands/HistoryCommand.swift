import Foundation
import TowerCore

/// `tower history`: simulates several days of a scenario and writes their delivery history as CSV.
enum HistoryCommand: Command {
    static let spec = CommandSpec(
        name: "history",
        summary: "Simulate several days and write their delivery history (CSV) for ETA learning.",
        options: [
            .init(name: "scenario", value: "DIR", help: "Scenario folder (default \(defaultScenarioName))."),
            .init(name: "days", value: "N", help: "Days to simulate, one after the other from the scenario's date (default 20)."),
            .init(name: "seed", value: "N", help: "Seed of the first day; day k uses seed + k (default 1)."),
            .init(name: "out", value: "FILE", help: "Where to write the CSV (default: standard output)."),
        ],
        discussion: """
            Columns: \(HistoryRow.headerWithNoiseFree). Times are ISO 8601 with offset; weekday 0 = Monday. \
            travel_noise_free_s is each leg's travel at the simulated pace of its hour without the leg's noise, holds and \
            waits kept as they were (what a model that knew every leg's median would predict): `tower bench eta` \
            measures against it.
            """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let scenario = try ScenarioLoader.load(directory: arguments.value("scenario") ?? defaultScenario)
        let days = try arguments.int("days", default: 20, in: 1...3650)
        let seed = try arguments.seed()
        if let path = arguments.value("out") { try WholeFile.checkWritable(path, what: "the history") }  // before the days are simulated
        var text = HistoryRow.headerWithNoiseFree + "\n"
        for day in 0..<days {
            let shifted = scenario.shifted(days: day)
            let session = try SessionStarter.start(scenario: shifted, seed: seed + UInt64(day), journalPath: nil, durability: .batch)
            var recorder = HistoryRecorder()
            let engine = session.engine, simulation = session.simulation
            engine.observer = { recorder.note($0, world: engine.world) }
            simulation.measuresNoiseFree = true
            simulation.run(until: shifted.dayEnd + 4 * 3600, engine: engine)
            for var visit in recorder.visits {
                visit.noiseFreeTravel = simulation.noiseFreeTravel(of: visit)
                text += visit.csvLineWithNoiseFree + "\n"
            }
            FileHandle.standardError.write(Data("day \(day + 1)/\(days): \(recorder.visits.count) stop visits\n".utf8))
        }
        if let path = arguments.value("out") {
            try WholeFile.write(Data(text.utf8), to: path, what: "the history")
        } else {
            print(text, terminator: "")
        }
        return 0
    }
}
