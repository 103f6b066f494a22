import Foundation
import Testing
@testable import TowerCore

/// Resume is replay: a journal carries checkpoints of the engine's and the simulation's state, and a restart goes
/// on from the last one instead of playing the day again.
@Suite struct CheckpointTests {
    /// The day's events without the core's bookkeeping: checkpoint lines, and the numbers they shift.
    static func happenings(_ path: String) throws -> [EventBody] {
        var bodies: [EventBody] = []
        try JournalReader.lines(path: path) { _, bytes, _ in
            let event = try EventCodec.decode(line: bytes).event
            if !event.isCheckpoint { bodies.append(event.body) }
            return true
        }
        return bodies
    }

    @Test func aCleanStopEndsTheJournalWithACheckpointAndTheResumeReRunsNothing() throws {
        let scenario = try TestCity.scenario()
        let straight = TestCity.temporaryFile()
        let stopped = TestCity.temporaryFile()
        defer { for path in [straight, stopped] { try? FileManager.default.removeItem(atPath: path) } }
        _ = try TestCity.run(scenario, until: 12 * 3600, journal: straight)

        let first = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: stopped, durability: .batch)
        first.simulation.run(until: scenario.time(9 * 3600 + 437), engine: first.engine)
        first.simulation.checkpoint(engine: first.engine)
        first.engine.sync()
        let last = try #require(try Replayer.lastCheckpoint(path: stopped))
        #expect(last.seq == first.engine.world.lastSeq, "the stop's checkpoint is the journal's last step")
        #expect(last.checkpoint.simulation?.now == scenario.time(9 * 3600 + 437))

        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: stopped, durability: .batch)
        #expect(resumed.rerunEvents == 0)
        #expect(resumed.resumedEvents == Int(last.seq))
        #expect(resumed.simulation.now == scenario.time(9 * 3600 + 437))
        // The engine's bookkeeping and the city's state are what they were at the stop.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(try encoder.encode(resumed.engine.state) == encoder.encode(first.engine.state))
        #expect(try encoder.encode(resumed.simulation.state) == encoder.encode(first.simulation.state))
        resumed.simulation.run(until: scenario.time(12 * 3600), engine: resumed.engine)
        resumed.engine.sync()
        // The same day, decision for decision; only the stop's checkpoint (and the numbers after it) is extra.
        #expect(try Self.happenings(stopped) == Self.happenings(straight))
    }

    @Test func afterACrashOnlyWhatFollowsTheLastCheckpointIsMadeAgain() throws {
        let scenario = try TestCity.scenario()
        let whole = TestCity.temporaryFile()
        let crashed = TestCity.temporaryFile()
        defer { for path in [whole, crashed] { try? FileManager.default.removeItem(atPath: path) } }
        let engine = try TestCity.run(scenario, until: 12 * 3600, journal: whole)
        let lines = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        // A crash at a step's end two thirds into the morning: the journal stops there.
        let cut = lines.count * 2 / 3
        try (lines[..<cut].joined(separator: "\n") + "\n").write(toFile: crashed, atomically: true, encoding: .utf8)
        let last = try #require(try Replayer.lastCheckpoint(path: crashed))

        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: crashed, durability: .batch)
        #expect(resumed.rerunEvents <= cut - Int(last.seq), "only the events past the last checkpoint are re-run")
        #expect(resumed.rerunEvents < cut / 4)
        resumed.simulation.run(until: scenario.time(12 * 3600), engine: resumed.engine)
        resumed.engine.sync()
        #expect(try String(contentsOfFile: crashed, encoding: .utf8) == String(contentsOfFile: whole, encoding: .utf8),
                "byte for byte the day that was never interrupted")
        #expect(resumed.engine.world.digest == engine.world.digest)
    }

    @Test func inputsFromOutsideGoBackWhereTheyWereTakenWhenACrashIsMadeAgain() throws {
        // A simulated day that an order system also feeds (over HTTP, say): after a crash, what it sent goes back in
        // at its place among the re-created events.
        let scenario = try TestCity.scenario()
        let whole = TestCity.temporaryFile()
        let crashed = TestCity.temporaryFile()
        defer { for path in [whole, crashed] { try? FileManager.default.removeItem(atPath: path) } }
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: whole, durability: .batch)
        session.simulation.run(until: scenario.time(9 * 3600 + 20 * 60), engine: session.engine)
        let hub = try #require(scenario.hubs.first)
        let time = { (seconds: Int) in ISOTime.format(scenario.time(seconds), offsetSeconds: scenario.utcOffsetSeconds) }
        let line = #"{"v":1,"id":"oms-1","at":"\#(time(9 * 3600 + 20 * 60))","by":"oms","type":"order.created","order":"O-OMS-1","#
            + #""pickup_hub":"\#(hub.id)","lat":\#(hub.location.lat),"lon":\#(hub.location.lon),"zone":"\#(hub.zone)","#
            + #""window_start":"\#(time(10 * 3600))","window_end":"\#(time(12 * 3600))","service_min":3,"tier":"standard","parcels":1,"kg":2}"#
        try session.engine.submit(try EventCodec.decode(line: Array(line.utf8)).event)
        let input = session.engine.world.lastSeq
        session.simulation.run(until: scenario.time(12 * 3600), engine: session.engine)
        session.engine.sync()
        let lines = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(Int(input) + 40).joined(separator: "\n") + "\n").write(toFile: crashed, atomically: true, encoding: .utf8)
        let last = try #require(try Replayer.lastCheckpoint(path: crashed))
        #expect(last.seq < input, "the crash's tail holds the order system's line")

        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: crashed, durability: .batch)
        resumed.simulation.run(until: scenario.time(12 * 3600), engine: resumed.engine)
        resumed.engine.sync()
        #expect(try String(contentsOfFile: crashed, encoding: .utf8) == String(contentsOfFile: whole, encoding: .utf8))
    }

    @Test func aStoppedDayGoesOnUnderAnotherPolicy() throws {
        // What the core decided is in the journal, not re-derived: a day started under one policy (or one build of
        // the planner) goes on under another.
        let scenario = try TestCity.scenario()
        let path = TestCity.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: path, durability: .batch, mode: .static)
        first.simulation.run(until: scenario.time(10 * 3600), engine: first.engine)
        first.simulation.checkpoint(engine: first.engine)
        first.engine.sync()
        let before = first.engine.world.lastSeq
        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: path, durability: .batch, mode: .continuousAuto)
        #expect(resumed.rerunEvents == 0)
        resumed.simulation.run(until: scenario.time(12 * 3600), engine: resumed.engine)
        resumed.engine.sync()
        #expect(resumed.engine.world.lastSeq > before)
        #expect(resumed.simulation.refused.isEmpty)
        #expect(try Replayer.replay(path: path).world.digest == resumed.engine.world.digest)
    }

    @Test func aFeedCoreStoppedCleanlyGoesOnWithItsBookkeeping() throws {
        let scenario = try TestCity.scenario()
        let path = TestCity.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        // The events a feed would have brought, journaled by a core; the stop writes the engine's state only.
        let fed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: path, durability: .batch)
        fed.simulation.run(until: scenario.time(9 * 3600 + 50), engine: fed.engine)
        fed.engine.writeCheckpoint(at: fed.engine.world.clock!, simulation: nil, advancing: false)
        fed.engine.sync()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let resumed = try SessionStarter.resumeFeedCore(journal: path, settings: fed.engine.settings, eta: nil)
        #expect(try encoder.encode(resumed.engine.state) == encoder.encode(fed.engine.state))
        #expect(resumed.engine.world.digest == fed.engine.world.digest)
        // A simulated day's journal is refused as a feed core's, and the other way round.
        #expect(throws: ToolError.self) { try SessionStarter.start(scenario: scenario, seed: 1, journalPath: path, durability: .batch) }
    }

    @Test func aCheckpointGoesOnOnlyInTheScenarioItWasWrittenFor() throws {
        let scenario = try TestCity.scenario()
        let path = TestCity.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let first = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: path, durability: .batch)
        first.simulation.run(until: scenario.time(8 * 3600), engine: first.engine)
        first.simulation.checkpoint(engine: first.engine)
        first.engine.sync()
        var changed = scenario
        changed.orders.removeLast()
        #expect(throws: ToolError.self) { try SessionStarter.start(scenario: changed, seed: 1, journalPath: path, durability: .batch) }
    }

    @Test func onlyTheCoreWritesCheckpoints() throws {
        let scenario = try TestCity.scenario()
        let engine = try TestCity.run(scenario, until: 7 * 3600)
        let forged = #"{"v":1,"id":"x1","at":"2026-11-17T07:00:00-03:00","by":"ops","type":"core.checkpoint","part":1,"parts":1,"state":"{}"}"#
        let event = try EventCodec.decode(line: Array(forged.utf8)).event
        #expect(throws: EventError.self) { try engine.submit(event) }
        var asCore = event
        asCore.by = Event.core
        #expect(throws: EventError.self) { try engine.submit(asCore) }
        let parts = #"{"v":1,"id":"x2","at":"2026-11-17T07:00:00-03:00","type":"core.checkpoint","part":3,"parts":2,"state":""}"#
        #expect(throws: EventError.self) { try EventCodec.decode(line: Array(parts.utf8)) }
    }

    @Test func aBigCheckpointIsCutIntoLinesTheJournalReads() throws {
        var state = CoreCheckpoint(engine: EngineState(advancedTo: nil, waiting: (0..<5000).map { "O-\($0)" }, roomFreed: [],
                                                       retryEveryone: false, lastTried: [:], search: nil), simulation: nil)
        state.engine.roomFreed = ["Ré\u{1F6B2}"]  // multi-byte characters are never split
        let parts = state.parts()
        #expect(parts.count > 1)
        for (index, text) in parts.enumerated() {
            let line = EventCodec.encode(Event(id: "d\(index)", seq: Int64(index + 1), at: Instant(seconds: 0), by: Event.core,
                                               body: .checkpoint(part: index + 1, parts: parts.count, state: text)), utcOffsetSeconds: 0)
            #expect(line.count < EventCodec.maxLineBytes)
        }
        let back = try CoreCheckpoint.assemble(parts)
        #expect(back.engine.waiting == state.engine.waiting)
        #expect(back.engine.roomFreed == state.engine.roomFreed)
    }
}
