import Foundation
import Testing
@testable import TowerCore

/// The outbox and the webhook relay: every message written once, sent once, and never lost.
@Suite struct NotificationTests {
    static let morning = Instant(seconds: 1_795_000_000)

    static func notice(_ n: Int, order: String = "O-1") -> Event {
        let window = TimeWindow(start: morning + 3600, end: morning + 5400)
        return Event(id: "d\(n)", at: morning + Int64(n), by: "core",
                     body: .customerNotified(order: order, kind: .delayed, message: "Hi, order \(order) is late \"\n\u{1B}[2J", window: window))
    }

    static func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    static func ids(_ path: String) throws -> [String] {
        try lines(path).map { try OutboxMessage.id(ofLine: Array($0.utf8)) }
    }

    // MARK: Outbox

    @Test func writesEachMessageOnceAcrossReopening() throws {
        let path = TestCity.temporaryFile("outbox.jsonl")
        let world = World()
        var outbox: Outbox? = try Outbox(path: path, utcOffsetSeconds: -10800)
        #expect(outbox!.take(Self.notice(1), world: world))
        #expect(!outbox!.take(Self.notice(1), world: world))
        let other = Event(id: "x1", at: Self.morning, by: "feed", body: .riderRecovered(rider: "R1"))
        #expect(!outbox!.take(other, world: world))
        try outbox!.flush()
        outbox = nil

        let reopened = try Outbox(path: path, utcOffsetSeconds: -10800)
        #expect(reopened.count == 1)
        #expect(!reopened.take(Self.notice(1), world: world))
        #expect(reopened.take(Self.notice(2), world: world))
        try reopened.flush()
        #expect(try Self.ids(path) == ["d1", "d2"])
        let first = try JSONParser.parse(Array(try Self.lines(path)[0].utf8))
        #expect(first["message"] == .string("Hi, order O-1 is late \"\n\u{1B}[2J"))
        #expect(first["window_start"] == .string("2026-11-18T09:06:40-03:00"))
        #expect(first["kind"] == .string("delayed"))
    }

    @Test func catchesUpWhatTheJournalHasAndTheOutboxLacks() throws {
        let scenario = try TestCity.scenario()
        let journal = TestCity.temporaryFile()
        let engine = try TestCity.run(scenario, until: 11 * 3600, journal: journal)
        var notified: [String] = []
        _ = try JournalReader.read(path: journal) { _, line in
            if case let .event(event, _) = line, case .customerNotified = event.body { notified.append(event.id) }
            return true
        }
        try #require(notified.count >= 3, "the test city should notify someone by 11:00")

        // The outbox got the first message, then the process stopped before writing the rest.
        let path = TestCity.temporaryFile("outbox.jsonl")
        try Data("""
        {"id":"\(notified[0])","message":"already here"}

        """.utf8).write(to: URL(fileURLWithPath: path))
        let outbox = try Outbox(path: path, utcOffsetSeconds: scenario.utcOffsetSeconds)
        #expect(try outbox.catchUp(journal: journal, world: engine.world) == notified.count - 1)
        #expect(try outbox.catchUp(journal: journal, world: engine.world) == 0)
        #expect(try Self.ids(path) == notified)
        let second = try JSONParser.parse(Array(try Self.lines(path)[1].utf8))
        let order = try #require(second["order"].flatMap { if case let .string(s) = $0 { s } else { nil } })
        #expect(second["contact"] == .string(engine.world.orders[order]!.contactToken))
    }

    @Test func aDamagedOutboxLineIsNamedAndNothingIsRewritten() throws {
        let path = TestCity.temporaryFile("outbox.jsonl")
        let text = "{\"id\":\"d1\"}\n{\"message\":\"no id\"}\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        #expect { try Outbox(path: path, utcOffsetSeconds: 0) } throws: { "\($0)" == "outbox \(path) line 2: no \"id\" string" }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text)
    }

    @Test func aTornLastMessageIsCutAndWrittenAgain() throws {
        let path = TestCity.temporaryFile("outbox.jsonl")
        try Data("{\"id\":\"d1\"}\n{\"id\":\"d2\",\"mess".utf8).write(to: URL(fileURLWithPath: path))
        let outbox = try Outbox(path: path, utcOffsetSeconds: 0)
        #expect(outbox.count == 1)
        #expect(outbox.take(Self.notice(2), world: World()))
        try outbox.flush()
        #expect(try Self.ids(path) == ["d1", "d2"])
    }

    // MARK: Webhook relay

    /// A webhook that answers from a script and records what it was sent.
    final class ScriptedEndpoint: WebhookTransport {
        var answers: [String: [DeliveryResult]] = [:]
        var received: [String] = []
        func post(_ body: [UInt8], key: String) -> DeliveryResult {
            received.append(key)
            #expect((try? OutboxMessage.id(ofLine: body)) == key)
            return answers[key]?.isEmpty == false ? answers[key]!.removeFirst() : .delivered(status: 200)
        }
    }

    /// A relay over a fresh outbox holding `count` messages, on a clock the test moves.
    struct Rig {
        let outbox: String
        let clock = Clock()
        final class Clock: @unchecked Sendable { var now = 0.0 }

        init(messages count: Int) throws {
            outbox = TestCity.temporaryFile("outbox.jsonl")
            let file = try Outbox(path: outbox, utcOffsetSeconds: 0)
            for n in 1...count { file.take(NotificationTests.notice(n), world: World()) }
            try file.flush()
        }

        var ledger: String { outbox + ".sent" }
        var deadLetter: String { outbox + ".dead" }

        func relay(_ endpoint: ScriptedEndpoint, attempts: Int = 3) throws -> WebhookRelay {
            try WebhookRelay(outbox: outbox, ledger: ledger, deadLetter: deadLetter, transport: endpoint,
                             retry: RetryPolicy(attempts: attempts, firstDelay: 2, maxDelay: 5), clock: { [clock] in clock.now })
        }
    }

    @Test func sendsInOrderAndRecordsEachInTheLedger() throws {
        let rig = try Rig(messages: 3)
        let endpoint = ScriptedEndpoint()
        let relay = try rig.relay(endpoint)
        #expect(relay.step() == nil)
        #expect(endpoint.received == ["d1", "d2", "d3"])
        #expect(relay.sent == 3)
        relay.close()
        #expect(try Self.ids(rig.ledger) == ["d1", "d2", "d3"])
        #expect(try Self.lines(rig.deadLetter).isEmpty)
    }

    @Test func retriesWithGrowingWaitsThenDeadLettersAndMovesOn() throws {
        let rig = try Rig(messages: 2)
        let endpoint = ScriptedEndpoint()
        endpoint.answers["d1"] = [.retry("HTTP 503"), .retry("HTTP 503"), .retry("timed out")]
        let relay = try rig.relay(endpoint, attempts: 3)
        #expect(relay.step() == 2)            // first failure: wait 2 s
        #expect(endpoint.received == ["d1"])  // d2 waits behind it: messages keep their order
        rig.clock.now = 1
        #expect(relay.step() == 1)
        rig.clock.now = 2
        #expect(relay.step() == 4)            // second failure: the wait doubles
        rig.clock.now = 6
        #expect(relay.step() == nil)          // third failure: given up, d2 goes
        #expect(endpoint.received == ["d1", "d1", "d1", "d2"])
        #expect(relay.deadLettered == 1 && relay.sent == 1)
        relay.close()
        let dead = try JSONParser.parse(Array(try Self.lines(rig.deadLetter)[0].utf8))
        #expect(dead["id"] == .string("d1"))
        #expect(dead["reason"] == .string("gave up after 3 tries: timed out"))
        #expect(try Self.ids(rig.ledger) == ["d1", "d2"])
    }

    @Test func aRefusedMessageIsDeadLetteredAtOnce() throws {
        let rig = try Rig(messages: 2)
        let endpoint = ScriptedEndpoint()
        endpoint.answers["d1"] = [.refused("HTTP 400")]
        let relay = try rig.relay(endpoint)
        #expect(relay.step() == nil)
        #expect(endpoint.received == ["d1", "d2"])
        relay.close()
        #expect(try Self.lines(rig.deadLetter).count == 1)
    }

    @Test func deadLettersPutBackInLineAreSentOnceByTheNextRelay() throws {
        let rig = try Rig(messages: 3)
        let down = ScriptedEndpoint()
        down.answers["d2"] = [.refused("HTTP 410")]
        let relay = try rig.relay(down)
        #expect(relay.step() == nil)
        relay.close()
        #expect(try WebhookRelay.requeueDeadLetters(ledger: rig.ledger, deadLetter: rig.deadLetter) == 1)
        #expect(try WebhookRelay.requeueDeadLetters(ledger: rig.ledger, deadLetter: rig.deadLetter) == 0, "put back once")
        let up = ScriptedEndpoint()
        let again = try rig.relay(up)
        #expect(again.step() == nil)
        again.close()
        #expect(up.received == ["d2"], "only the dead letter, once")
    }

    @Test func aRestartSendsOnlyWhatWasNotDone() throws {
        let rig = try Rig(messages: 2)
        let first = ScriptedEndpoint()
        first.answers["d2"] = [.retry("connection refused")]
        var relay: WebhookRelay? = try rig.relay(first)
        #expect(relay!.step() == 2)
        relay!.close()
        relay = nil  // Tower stops while d2 waits for its retry

        // More messages arrive in the outbox, and Tower starts again.
        let outbox = try Outbox(path: rig.outbox, utcOffsetSeconds: 0)
        outbox.take(Self.notice(3), world: World())
        try outbox.flush()
        let second = ScriptedEndpoint()
        let again = try rig.relay(second)
        #expect(again.step() == nil)
        #expect(second.received == ["d2", "d3"])
        again.close()
        #expect(try Self.ids(rig.ledger) == ["d1", "d2", "d3"])
    }

    @Test func followsTheOutboxAsItGrows() throws {
        let rig = try Rig(messages: 1)
        let endpoint = ScriptedEndpoint()
        let relay = try rig.relay(endpoint)
        #expect(relay.step() == nil)
        let outbox = try Outbox(path: rig.outbox, utcOffsetSeconds: 0)
        outbox.take(Self.notice(2), world: World())
        try outbox.flush()
        #expect(relay.step() == nil)
        #expect(endpoint.received == ["d1", "d2"])
    }

    @Test func aLineThatIsNotAMessageIsDeadLetteredOnceEvenAcrossRestarts() throws {
        let rig = try Rig(messages: 1)
        let handle = try #require(FileHandle(forWritingAtPath: rig.outbox))
        handle.seekToEndOfFile()
        handle.write(Data("not json\n".utf8))
        try handle.close()
        for _ in 0..<2 {
            let relay = try rig.relay(ScriptedEndpoint())
            #expect(relay.step() == nil)
            relay.close()
        }
        let dead = try Self.lines(rig.deadLetter)
        #expect(dead.count == 1)
        #expect(dead[0].contains("outbox-line-2"))
    }

    @Test func httpStatusesMapToResults() {
        #expect(DeliveryResult.of(status: 204) == .delivered(status: 204))
        #expect(DeliveryResult.of(status: 503) == .retry("HTTP 503"))
        #expect(DeliveryResult.of(status: 429) == .retry("HTTP 429"))
        #expect(DeliveryResult.of(status: 408) == .retry("HTTP 408"))
        #expect(DeliveryResult.of(status: 404) == .refused("HTTP 404"))
        #expect(RetryPolicy(attempts: 6, firstDelay: 1, maxDelay: 60).delay(after: 1) == 1)
        #expect(RetryPolicy(attempts: 6, firstDelay: 1, maxDelay: 60).delay(after: 5) == 16)
        #expect(RetryPolicy(attempts: 9, firstDelay: 1, maxDelay: 60).delay(after: 8) == 60)
    }
}
