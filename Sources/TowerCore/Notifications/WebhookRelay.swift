import Foundation

/// Sends an outbox's messages to a webhook, in order, each once.
///
/// It follows the outbox file as it grows and records every message it is done with in a ledger (JSON lines:
/// id, `sent` or `dead`, tries, and the HTTP status or the reason), so a restart carries on after the last one
/// done. A message the endpoint refuses, or that still fails after `RetryPolicy.attempts` tries, goes to the
/// dead-letter file with the reason, and the relay moves on. The endpoint gets the message id as
/// `Idempotency-Key`: if Tower stops between a POST and its ledger line, the message is sent again on restart and
/// the key lets the receiver drop the repeat (the one case a POST can be seen twice).
public final class WebhookRelay {
    private struct Pending {
        var id: String
        var body: [UInt8]
        var failures = 0
        var nextTry = 0.0
    }

    private let follower: FeedFollower
    private let ledger: AppendOnlyFile
    private let deadLetter: AppendOnlyFile
    private let transport: WebhookTransport
    private let retry: RetryPolicy
    /// Seconds on a monotonic clock.
    private let clock: () -> Double
    private var done: Set<String> = []
    private var queued: Set<String> = []
    private var queue: [Pending] = []
    private var head = 0
    public private(set) var sent = 0
    public private(set) var deadLettered = 0

    public init(outbox: String, ledger ledgerPath: String, deadLetter deadLetterPath: String, transport: WebhookTransport,
                retry: RetryPolicy = RetryPolicy(), clock: @escaping () -> Double) throws {
        var done: Set<String> = []
        if FileManager.default.fileExists(atPath: ledgerPath) {
            try JournalReader.lines(path: ledgerPath) { number, line, complete in
                guard complete else { return true }  // torn by a crash: that message is simply sent again
                do {
                    let id = try OutboxMessage.id(ofLine: line)
                    if WebhookRelay.isRetry(line) { done.remove(id) } else { done.insert(id) }
                } catch {
                    throw ToolError("webhook ledger \(ledgerPath) line \(number): \(error)")
                }
                return true
            }
        }
        self.done = done
        ledger = try AppendOnlyFile(path: ledgerPath, what: "webhook ledger")
        deadLetter = try AppendOnlyFile(path: deadLetterPath, what: "webhook dead-letter file")
        follower = try FeedFollower(path: outbox)
        self.transport = transport
        self.retry = retry
        self.clock = clock
    }

    /// Messages read from the outbox and not done with yet.
    public var pending: Int { queue.count - head }

    /// Sends what is due.
    /// - Returns: the seconds until the next try is due, or nil when nothing is pending.
    public func step() -> Double? {
        readOutbox()
        while head < queue.count {
            let now = clock()
            if queue[head].nextTry > now { return queue[head].nextTry - now }
            var message = queue[head]
            switch transport.post(message.body, key: message.id) {
            case let .delivered(status):
                record(message, tries: message.failures + 1, result: "sent", detail: ("status", .number(Double(status))))
                sent += 1
            case let .retry(reason):
                message.failures += 1
                if message.failures < retry.attempts {
                    message.nextTry = now + retry.delay(after: message.failures)
                    queue[head] = message
                    continue
                }
                bury(message, reason: "gave up after \(message.failures) tries: \(reason)")
            case let .refused(reason):
                message.failures += 1
                bury(message, reason: "refused: \(reason)")
            }
            queued.remove(message.id)
            head += 1
        }
        if head > 1024 { queue.removeFirst(head); head = 0 }
        return nil
    }

    private func readOutbox() {
        for line in follower.poll() where !JournalReader.isBlank(line.bytes) {
            let id: String
            do { id = try OutboxMessage.id(ofLine: line.bytes) } catch {
                let key = WebhookRelay.notAMessagePrefix + "\(line.number)"  // outbox lines are never rewritten, so the number stays true
                if !done.contains(key) { bury(Pending(id: key, body: line.bytes), reason: "not a message: \(error)") }
                continue
            }
            guard !done.contains(id), !queued.contains(id) else { continue }
            queued.insert(id)
            queue.append(Pending(id: id, body: line.bytes))
        }
    }

    private func bury(_ message: Pending, reason: String) {
        var w = JSONWriter()
        w.beginObject()
        w.key("id"); w.value(message.id)
        w.key("tries"); w.value(message.failures)
        w.key("reason"); w.value(reason)
        w.key("message"); w.value(String(decoding: message.body, as: UTF8.self))
        w.endObject()
        deadLetter.append(line: w.bytes)
        deadLetter.sync()
        deadLettered += 1
        record(message, tries: message.failures, result: "dead", detail: ("reason", .string(reason)))
    }

    private func record(_ message: Pending, tries: Int, result: String, detail: (String, JSONValue)) {
        var w = JSONWriter()
        w.beginObject()
        w.key("id"); w.value(message.id)
        w.key("result"); w.value(result)
        w.key("tries"); w.value(tries)
        w.key(detail.0); w.value(detail.1)
        w.endObject()
        ledger.append(line: w.bytes)
        ledger.syncIfDue()
        done.insert(message.id)
    }

    /// Puts the messages of the dead-letter file back in line: a `retry` ledger line for each makes the next relay
    /// on this outbox send it again, in outbox order (`tower outbox retry`). Lines that were never messages stay.
    /// - Returns: how many messages were put back.
    public static func requeueDeadLetters(ledger ledgerPath: String, deadLetter deadLetterPath: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: deadLetterPath) else { return 0 }
        var dead: [String] = []
        try JournalReader.lines(path: deadLetterPath) { number, line, complete in
            guard complete else { return true }
            do { dead.append(try OutboxMessage.id(ofLine: line)) } catch {
                throw ToolError("webhook dead-letter file \(deadLetterPath) line \(number): \(error)")
            }
            return true
        }
        var seen: Set<String> = []
        let ids = dead.filter { !$0.hasPrefix(WebhookRelay.notAMessagePrefix) && seen.insert($0).inserted }
        guard !ids.isEmpty else { return 0 }
        let ledger = try AppendOnlyFile(path: ledgerPath, what: "webhook ledger")
        for id in ids {
            var w = JSONWriter()
            w.beginObject()
            w.key("id"); w.value(id)
            w.key("result"); w.value("retry")
            w.endObject()
            ledger.append(line: w.bytes)
        }
        try ledger.flush()
        ledger.close()
        // The dead letters are now history: keep them beside, so the next `retry` does not put them back again.
        let kept = deadLetterPath + ".retried"
        let old = (try? String(contentsOfFile: kept, encoding: .utf8)) ?? ""
        let moved = try String(contentsOfFile: deadLetterPath, encoding: .utf8)
        try (old + moved).write(toFile: kept, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(atPath: deadLetterPath)
        return ids.count
    }

    private static let notAMessagePrefix = "outbox-line-"

    private static func isRetry(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        guard case let .object(pairs)? = try? JSONParser.parse(buffer: line) else { return false }
        return pairs.contains { $0.0 == "result" && $0.1 == .string("retry") }
    }

    /// Forces the ledger to disk (on exit).
    public func close() {
        ledger.close()
        deadLetter.close()
    }
}
