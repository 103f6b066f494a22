import TestSupport
import Foundation
@testable import TowerCore

/// A small generated city for tests: quick to simulate in a debug build.
enum TestCity {
    /// Writes a generated scenario to a fresh temporary folder and returns its path.
    static func folder(riders: Int = 8, orders: Int = 120, seed: UInt64 = 3, name: String = "test-city",
                       edit: ((inout [String: String]) -> Void)? = nil) throws -> String {
        let directory = Scratch.path("city-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var files = Dictionary(uniqueKeysWithValues: ScenarioGenerator(name: name, seed: seed, riders: riders, orders: orders).files().map { ($0.name, $0.text) })
        edit?(&files)
        for (name, text) in files {
            try Data(text.utf8).write(to: URL(fileURLWithPath: directory).appendingPathComponent(name))
        }
        return directory
    }

    /// The generated city's folder with `"key": value` added to its scenario.json (a setting's test: read, and
    /// refused when out of range).
    static func folder(setting key: String, _ value: String) throws -> String {
        try folder { files in
            files["scenario.json"] = files["scenario.json"]!.replacingOccurrences(of: "\"plan_lock\"", with: "\"\(key)\": \(value), \"plan_lock\"")
        }
    }

    /// The generated city loaded; its folder is removed once read (a scenario holds everything it needs).
    static func scenario(riders: Int = 8, orders: Int = 120, seed: UInt64 = 3) throws -> Scenario {
        let directory = try folder(riders: riders, orders: orders, seed: seed)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        return try ScenarioLoader.load(directory: directory)
    }

    static func temporaryFile(_ name: String = "journal.jsonl") -> String {
        Scratch.path("\(UUID().uuidString)-\(name)")
    }

    /// Runs a simulated day up to `until` (seconds after midnight) and returns the engine.
    static func run(_ scenario: Scenario, seed: UInt64 = 1, until: Int, journal: String? = nil) throws -> Engine {
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: journal, durability: .batch)
        session.simulation.run(until: scenario.time(until), engine: session.engine)
        session.engine.sync()
        return session.engine
    }
}
