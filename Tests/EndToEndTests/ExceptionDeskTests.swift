import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The exception desk from the command line: decisions through `tower decide`, the audit list, and customer
/// messages through the outbox and a webhook.
@Suite struct ExceptionDeskTests {
    static func jsonLines(_ path: String) throws -> [[String: String]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            return object.compactMapValues { $0 as? String ?? ($0 as? NSNumber)?.stringValue }
        }
    }

    /// The escalations of a journal that nobody has decided yet.
    static func waiting(in journal: String) throws -> [String] {
        var escalated: [String] = []
        var decided: Set<String> = []
        for event in try jsonLines(journal) {
            guard let id = event["exception"] else { continue }
            switch event["type"] {
            case "exception.escalated": escalated.append(id)
            case "exception.approved", "exception.rejected", "exception.defaulted", "exception.auto_resolved": decided.insert(id)
            default: break
            }
        }
        return escalated.filter { !decided.contains($0) }
    }

    /// The actions of an escalation's options, in rank order.
    static func options(of exception: String, in journal: String) throws -> [String] {
        for line in try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n") where line.contains("exception.escalated") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            guard object["exception"] as? String == exception else { continue }
            return (object["options"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
        }
        return []
    }

    @Test func anApprovalFromTheCommandLineIsCarriedOutByTheRunningCoreAndAudited() throws {
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/day.jsonl"
        let when = try Tower.escalationTime(in: city)
        let noCore = try Tower.run(["decide", "approve", "E-0001", "--journal", journal])
        #expect(noCore.status == 1 && noCore.stderr.contains("no core is serving there"), "\(noCore.stderr)")
        let core = try CoreProcess(["--scenario", city, "--journal", journal, "--from", when, "--paused"], socket: folder + "/day.sock", in: folder)
        let exception = try #require(try Self.waiting(in: journal).last, "the small city has an escalation waiting at \(when)")

        let unknown = try Tower.run(["decide", "approve", "E-9999", "--journal", journal])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("E-9999"))
        let actions = try Self.options(of: exception, in: journal)
        try #require(actions.count >= 2)
        if actions.count < 4 {
            let noSuchOption = try Tower.run(["decide", "approve", exception, "--option", "\(actions.count + 1)", "--journal", journal])
            #expect(noSuchOption.status == 1)
            #expect(noSuchOption.stderr.contains("has \(actions.count) options"), "\(noSuchOption.stderr)")
        }
        let pretending = try Tower.run(["decide", "approve", exception, "--operator", "ana", "--journal", journal])
        #expect(pretending.status == 2, "who decides comes from the kernel, never from a flag")
        let fraction = try Tower.run(["decide", "approve", exception, "--option", "1.5", "--journal", journal])
        #expect(fraction.status == 2 && fraction.stderr.contains("--option needs a whole number from 1 to 4, got '1.5'"), "\(fraction.stderr)")

        let approve = try Tower.run(["decide", "approve", exception, "--option", "1", "--role", "supervisor", "--journal", journal])
        #expect(approve.status == 0, "\(approve.stderr)")
        #expect(approve.stdout.contains("approved \(exception) option 1"), "\(approve.stdout)")
        let twice = try Tower.run(["decide", "approve", exception, "--option", "1", "--role", "supervisor", "--journal", journal])
        #expect(twice.status == 1)
        #expect(twice.stderr.contains("exception \"\(exception)\" is already approved"), "\(twice.stderr)")
        #expect(core.stop() == 0, "SIGTERM stops the core cleanly: \(core.output)")
        #expect(core.output.contains("journal: \(journal)"))

        let me = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid-\(getuid())"
        let events = try Self.jsonLines(journal)
        let approval = try #require(events.firstIndex { $0["type"] == "exception.approved" && $0["exception"] == exception })
        #expect(events[approval]["operator"] == me, "the login name the kernel gave the core")
        #expect(events[approval]["role"] == "supervisor")
        #expect(events.filter { $0["type"] == "exception.approved" && $0["exception"] == exception }.count == 1)
        // Asking the rider and doing nothing change no plan; any other option is carried out at once.
        if actions[0] != "none", !actions[0].hasPrefix("ask_rider") {
            #expect(events[approval + 1]["by"] == "core", "the approved option (\(actions[0])) is carried out at once")
            #expect(events[approval + 1]["at"] == events[approval]["at"])
        }

        let audit = try Tower.run(["audit", journal])
        #expect(audit.status == 0)
        let row = try #require(audit.stdout.split(separator: "\n").first { $0.contains(exception) })
        #expect(row.contains("approved") && row.contains(me))
    }

    @Test func everyMessageReachesTheWebhookOnceAcrossRestarts() throws {
        let server = try WebhookServer { $0 == 2 ? 503 : 200 }
        defer { server.stop() }
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        let journal = folder + "/day.jsonl"
        let outbox = folder + "/day.outbox.jsonl"
        for until in ["08:00", "10:00"] {
            let run = try Tower.run(["simulate", "--scenario", city, "--journal", journal, "--until", until, "--webhook", server.url])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stderr.contains("webhook:"), "\(run.stderr)")
        }
        let notified = try Self.jsonLines(journal).filter { $0["type"] == "customer.notified" }.map { $0["id"]! }
        let messages = try Self.jsonLines(outbox)
        #expect(messages.map { $0["id"]! } == notified)
        #expect(notified.count > 3)
        let delivered = server.requests.filter { $0.status == 200 }.map(\.key)
        #expect(delivered.sorted() == notified.sorted(), "each message delivered exactly once")
        #expect(server.requests.filter { $0.status == 503 }.count == 1)
        #expect(server.requests.first { $0.status == 200 && $0.key == messages[0]["id"] }?.body.contains("\"contact\"") == true)
        let ledger = try Self.jsonLines(folder + "/day.outbox.sent.jsonl")
        #expect(ledger.count == notified.count)
        #expect(ledger.allSatisfy { $0["result"] == "sent" })
    }

    /// Riders learn their route: each change of a rider's stops (not a re-timing) reaches the rider webhook once,
    /// across a restart, and a reassignment tells both riders.
    @Test func aReassignmentReachesTheRiderWebhookOnceAcrossRestarts() throws {
        let server = try WebhookServer { $0 == 3 ? 503 : 200 }
        defer { server.stop() }
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/day.jsonl"
        for until in ["10:00", "15:00"] {
            let run = try Tower.run(["simulate", "--scenario", city, "--journal", journal, "--until", until, "--rider-webhook", server.url])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let notices = try Self.jsonLines(folder + "/day.riders.jsonl")
        let delivered = server.requests.filter { $0.status == 200 }.map(\.key)
        #expect(notices.count > 10)
        #expect(delivered.sorted() == notices.map { $0["id"]! }.sorted(), "each route change delivered exactly once")
        #expect(server.requests.filter { $0.status == 503 }.count == 1, "a failure is retried, not lost")

        let events = try Self.jsonLines(journal)
        let reassigned = try #require(events.first { $0["type"] == "order.reassigned" }, "the small city's day has a reassignment by 15:00")
        let order = reassigned["order"]!, to = reassigned["to"]!, from = reassigned["from"]!
        let told = server.requests.filter { $0.status == 200 }.map(\.body)
        #expect(told.contains { $0.contains("\"rider\":\"\(to)\"") && $0.contains("\"order\":\"\(order)\"") }, "the new rider is told of \(order)")
        let planned = events.filter { $0["type"] == "route.planned" }.count
        #expect(notices.count < planned, "re-timings alone tell riders nothing (\(notices.count) of \(planned) plans)")
        #expect(told.contains { $0.contains("\"rider\":\"\(from)\"") }, "the old rider is told too")
    }
}
