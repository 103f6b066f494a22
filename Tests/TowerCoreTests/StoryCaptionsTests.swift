import Foundation
import Testing
@testable import TowerCore

/// The demo's captions come from the day's own events: the tuesday morning tells its story.
@Suite struct StoryCaptionsTests {
    @Test func theTuesdayMorningIsToldFromItsEvents() throws {
        let scenario = try ScenarioLoader.load(directory: TuesdayTests.root.appendingPathComponent("sample-data/tuesday").path)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        var captions = StoryCaptions()
        let engine = session.engine
        engine.observer = { captions.note($0, world: engine.world) }
        session.simulation.run(until: scenario.time(11 * 3600), engine: engine)
        let texts = captions.captions.map(\.text)
        #expect(texts.first?.hasPrefix("06:00  The plan is locked") == true, "\(texts.prefix(3))")
        #expect(texts.contains { $0.hasPrefix("08:") && $0.contains("R01 has stopped") }, "R01 stalls at 08:10")
        #expect(texts.contains { $0.hasPrefix("08:15  Accident on Av. Presidente Vargas") })
        let jam = try #require(texts.first { $0.contains("Jam on Linha Vermelha") })
        #expect(jam.hasPrefix("10:00") && jam.components(separatedBy: ", ").count >= 2, "one caption naming every zone of the jam: \(jam)")
        #expect(texts.contains { $0.contains("A critical order arrives") })
        #expect(texts.allSatisfy { !$0.contains("\u{1B}") })
        #expect(captions.current(at: scenario.time(11 * 3600) + StoryCaptions.shown + 1) == nil, "a caption leaves the screen after a while")
    }

    @Test func underTheDemosPolicyTheMorningShowsWhatTheCoreAskedAPerson() throws {
        let scenario = try ScenarioLoader.load(directory: TuesdayTests.root.appendingPathComponent("sample-data/tuesday").path)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, policy: .demo)
        var captions = StoryCaptions()
        let engine = session.engine
        engine.observer = { captions.note($0, world: engine.world) }
        session.simulation.run(until: scenario.time(11 * 3600), engine: engine)
        let texts = captions.captions.map(\.text)
        let asked = try #require(texts.first { $0.contains("The core asks a supervisor to decide") }, "\(texts)")
        #expect(asked < "11:00")
        #expect(texts.contains { $0.contains("No one decided") }, "nobody answers a headless morning: the default is taken")
        #expect(texts.contains { $0.contains("The core decides") && $0.contains("itself") }, "and it still acts on its own")
    }
}
