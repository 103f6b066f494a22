import Foundation
import Testing
@testable import TowerCore

/// The escalation queue worked by a person in real time: on a short-handed generated city at ×60 (`Tower.smallCity`),
/// a supervisor reads a case a minute after it appears and approves an option that changes the plan; another takes a
/// decision back with `u`.
@Suite(.serialized) struct QueueEndToEndTests {
    /// A case of the small city with an option that changes the plan, found by playing its day to 18:00 once.
    struct Case {
        /// When the board opens: five simulated minutes before the case, or later when an earlier case waits for a
        /// person until then (a waiting case holds the clock at ×1, and the test would wait in real time).
        var from: String
        var exception: String
        var option: Int
    }

    static let city: Result<String, Error> = Result { try Tower.smallCity() }

    static let firstActingCase: Result<Case, Error> = Result {
        let folder = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/day.jsonl"
        let run = try Tower.run(["simulate", "--scenario", try city.get(), "--journal", journal, "--until", "18:00"])
        guard run.status == 0 else { throw ToolError("simulate failed: \(run.stderr)") }
        // They tell no customer, so they can be undone. (Which cases a day escalates moves with every change to the
        // planner or the learned ETAs: the first of any of these kinds is taken.)
        let acting: Set<ActionKind> = [.reassign, .handoff, .reassignAll, .handoffZone, .resequence]
        var earlierDeadline = Instant(seconds: 0)
        for line in try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n") where line.contains("\"exception.escalated\"") {
            let event = try EventCodec.decode(line: Array(line.utf8)).event
            guard case let .exceptionEscalated(id, options, deadline, _, _, _) = event.body else { continue }
            defer { earlierDeadline = max(earlierDeadline, deadline) }
            let from = max(event.at - 300, earlierDeadline + 60)
            guard let index = options.firstIndex(where: { acting.contains($0.action.kind) }),
                  from <= event.at + 60, deadline - from >= 600 else { continue }
            return Case(from: ISOTime.clock(from, offsetSeconds: -3 * 3600), exception: id, option: index + 1)
        }
        throw ToolError("no escalation with an option that changes the plan (and can be undone) in the small city by 18:00")
    }

    /// Opens the board at `found.from`, at ×60, as the supervisor ana, and waits until the case waits for a decision.
    func board(for found: Case, in work: String) throws -> Tmux {
        let tmux = try Tmux(width: 160, height: 45, command: "\(Tower.binary) board --scenario \(try Self.city.get()) --from \(found.from) --speed 60 "
                            + "--journal j.jsonl --operator ana --role supervisor", directory: work)
        // Listed and waiting for a decision (the clock held): a case can be on the board, watched, minutes before it
        // is put to a person.
        try tmux.wait(for: "the case waiting for a decision", timeout: 120) { $0.contains(found.exception) && $0.contains("held at ×1") }
        return tmux
    }

    /// Selects the case in the queue and opens it.
    func open(_ found: Case, on tmux: Tmux) throws -> String {
        try tmux.send("Tab", "Tab")
        var screen = ""
        for _ in 0..<8 {
            try tmux.send("Enter")
            screen = try tmux.wait(for: "an open case") { $0.contains("esc:back") }
            if screen.contains(found.exception) { return screen }
            try tmux.send("Escape", "Down")
        }
        Issue.record("\(found.exception) is not in the queue:\n\(screen)")
        return screen
    }

    func approve(_ found: Case, on tmux: Tmux) throws {
        try tmux.send("\(found.option)", "a")
        let screen = try tmux.wait(for: "the approval") { $0.contains("approved \(found.exception)") || $0.contains("y to confirm") }
        if screen.contains("y to confirm") {
            try tmux.send("y")
            try tmux.wait(forText: "approved \(found.exception)")
        }
    }

    static func lines(_ path: String) -> [Substring] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    }

    @Test(.enabled(if: Tmux.isAvailable)) func aSupervisorReadsACaseForAMinuteAtTimesSixtyAndApprovesIt() throws {
        let found = try Self.firstActingCase.get()
        let work = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let tmux = try board(for: found, in: work)
        let appeared = try tmux.wait(for: "the clock held") { $0.contains("held at ×1") }
        #expect(appeared.contains("decision"), "the header says why the clock runs in real time")
        Thread.sleep(forTimeInterval: 60)
        let reading = try open(found, on: tmux)
        #expect(!reading.contains("defaulted"), "a minute of reading at ×60 does not cost the case: \(reading)")
        try approve(found, on: tmux)
        try tmux.send("Escape")  // from the case back to the board, where q quits
        #expect(try tmux.quitBoard().contains("EXIT=0"))
        let journal = Self.lines(work + "/j.jsonl")
        let approval = try #require(journal.firstIndex { $0.contains("\"exception.approved\"") && $0.contains(found.exception) })
        #expect(journal[approval].contains("\"operator\":\"ana\""))
        let changes = journal[(approval + 1)...].prefix { !$0.contains("\"by\":\"ana\"") }.filter {
            ($0.contains("\"order.reassigned\"") || $0.contains("\"order.assigned\"") || $0.contains("\"order.updated\"")
                || $0.contains("\"route.planned\"")) && $0.contains(found.exception)
        }
        #expect(!changes.isEmpty, "the plan changes with the approval")
        #expect(!journal.contains { $0.contains("\"exception.defaulted\"") && $0.contains("\"\(found.exception)\"") })
    }

    @Test(.enabled(if: Tmux.isAvailable)) func aSupervisorUndoesAnApproval() throws {
        let found = try Self.firstActingCase.get()
        let work = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let tmux = try board(for: found, in: work)
        _ = try open(found, on: tmux)
        try approve(found, on: tmux)
        try tmux.send("u")
        try tmux.wait(forText: "undone: option \(found.option) of \(found.exception)")
        try tmux.send("u")
        try tmux.wait(forText: "was undone already")
        try tmux.send("Escape")
        #expect(try tmux.quitBoard().contains("EXIT=0"))
        let journal = Self.lines(work + "/j.jsonl")
        let undo = try #require(journal.firstIndex { $0.contains("\"decision.undone\"") })
        #expect(journal[undo].contains("\"operator\":\"ana\""))
        let moved = journal.filter { $0.contains("\"order.reassigned\"") && $0.contains(found.exception) }
        let back = journal[undo...].filter { $0.contains("\"order.reassigned\"") && $0.contains("ana undid") }
        #expect(back.count == moved.count, "every order the approval moved goes back")
        let replayed = try Replayer.replay(path: work + "/j.jsonl").world
        #expect(replayed.exceptions[found.exception]?.state == .escalated || replayed.exceptions[found.exception]?.state == .defaulted,
                "back in the queue (or, after the board quit, defaulted at its deadline)")
    }
}
