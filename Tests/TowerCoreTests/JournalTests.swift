import Foundation
import Testing
@testable import TowerCore

@Suite struct JournalTests {
    static func write(_ events: [Event], to path: String) throws {
        let writer = try JournalWriter(path: path, utcOffsetSeconds: -10800, durability: .live)
        for event in events {
            try writer.append(event)
            try writer.endStep()
        }
        writer.close()
    }

    @Test func roundTripsEveryEvent() throws {
        let path = TestCity.temporaryFile()
        try Self.write(SampleEvents.all, to: path)
        var read: [Event] = []
        let summary = try JournalReader.read(path: path) { _, line in
            if case let .event(event, _) = line { read.append(event) }
            return true
        }
        #expect(read == SampleEvents.all)
        #expect(summary.tornLastLine == nil)
    }

    @Test func skipsATornLastLineAndKeepsEverythingBefore() throws {
        let path = TestCity.temporaryFile()
        let events = Array(SampleEvents.all.prefix(5))
        try Self.write(events, to: path)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(#"{"v":1,"seq":6,"id":"e5","at":"2026-11-17T10:00:00-03:00","by":"te"#.utf8))
        try handle.close()

        let replayed = try Replayer.replay(path: path, keepEvents: true)
        #expect(replayed.tornLastLine == 6)
        #expect(replayed.events == events)

        // Appending again first cuts the torn tail, so the new line is whole.
        try Self.write([SampleEvents.all[5]], to: path)
        let again = try Replayer.replay(path: path, keepEvents: true)
        #expect(again.tornLastLine == nil)
        #expect(again.events.count == 6)
    }

    @Test func namesADamagedLineInTheMiddle() throws {
        let path = TestCity.temporaryFile()
        try Self.write(Array(SampleEvents.all.prefix(3)), to: path)
        var text = try String(contentsOfFile: path, encoding: .utf8)
        text = text.replacingOccurrences(of: #""type":"hub.defined""#, with: #""type":"hub.defined"#)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: ToolError.self) { try Replayer.replay(path: path) }
        do { _ = try Replayer.replay(path: path) } catch {
            #expect("\(error)".hasPrefix("\(path) line 3: invalid JSON"))
            #expect("\(error)".hasSuffix("(the journal is damaged here; lines before it are intact)"))
        }
    }

    @Test func aJournalIsAValidFeed() throws {
        let scenario = try TestCity.scenario()
        let path = TestCity.temporaryFile()
        _ = try TestCity.run(scenario, until: 8 * 3600, journal: path)
        var validator = FeedValidator()
        try validator.validate(path: path)
        #expect(validator.diagnostics.isEmpty)
        #expect(validator.valid > 100)
    }
}

@Suite struct FeedFollowerTests {
    @Test func returnsLinesAsTheyArriveAndHoldsPartialOnes() throws {
        let path = TestCity.temporaryFile("feed.jsonl")
        try #require(FileManager.default.createFile(atPath: path, contents: nil), "the test file could be written")
        let follower = try FeedFollower(path: path)
        #expect(follower.poll().isEmpty)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.write(Data("first\nsec".utf8))
        #expect(follower.poll().map { String(decoding: $0.bytes, as: UTF8.self) } == ["first"])
        handle.write(Data("ond\r\nthird\n".utf8))
        let lines = follower.poll()
        #expect(lines.map { String(decoding: $0.bytes, as: UTF8.self) } == ["second", "third"])
        #expect(lines.map(\.number) == [2, 3])
        try handle.close()
    }

    @Test func reportsAnOverlongLineWithoutHoldingIt() throws {
        let path = TestCity.temporaryFile("feed.jsonl")
        let overlong = EventCodec.maxLineBytes * 2
        var data = Data(repeating: UInt8(ascii: "x"), count: overlong)
        data.append(contentsOf: Array("\nok\n".utf8))
        try #require(FileManager.default.createFile(atPath: path, contents: data), "the test file could be written")
        let lines = try FeedFollower(path: path).poll()
        #expect(lines.count == 2)
        #expect(lines[0].overlongBytes == overlong)
        #expect(lines[0].bytes.count <= 256)
        #expect(String(decoding: lines[1].bytes, as: UTF8.self) == "ok")
    }

    @Test func startsOverWhenTheFileIsReplaced() throws {
        let path = TestCity.temporaryFile("feed.jsonl")
        try #require(FileManager.default.createFile(atPath: path, contents: Data("a\nb\n".utf8)), "the test file could be written")
        let follower = try FeedFollower(path: path)
        #expect(follower.poll().count == 2)
        try FileManager.default.removeItem(atPath: path)
        try #require(FileManager.default.createFile(atPath: path, contents: Data("c\n".utf8)), "the test file could be written")
        #expect(follower.poll().map { String(decoding: $0.bytes, as: UTF8.self) } == ["c"])
    }
}

@Suite struct EngineHaltTests {
    /// A journal that fails after a few lines, like a disk that fills up.
    final class FailingSink: EventSink {
        var written = 0
        var step = 0
        let limit: Int
        init(limit: Int) { self.limit = limit }
        func append(_ event: Event) throws { step += 1 }
        func endStep() throws {
            defer { step = 0 }
            guard written + step <= limit else { throw ToolError("no space left on device") }
            written += step
        }
        func sync() {}
        func syncIfDue() {}
    }

    @Test func stopsApplyingWhenTheJournalCannotBeWritten() throws {
        let sink = FailingSink(limit: 3)
        let engine = Engine(journal: sink, settings: EngineSettings(planLock: SampleEvents.t0 + 86400))
        for event in SampleEvents.all.prefix(5) { try? engine.submit(event) }
        #expect(sink.written == 3)
        #expect(engine.world.lastSeq == 4, "the step that could not be written is the last one applied (in memory only)")
        #expect(engine.halted?.message.contains("no space left on device") == true)
        #expect(throws: EventError.self) { try engine.submit(SampleEvents.all[5]) }
    }
}
