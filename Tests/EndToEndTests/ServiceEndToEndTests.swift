import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// One core, a team of boards: `tower serve` with three `tower attach` boards in tmux. A supervisor approves in
/// one and the others show it; a second approval of the same case is refused as stale; a board killed leaves the
/// rest running; the core killed and restarted is reattached to with nothing lost.
@Suite(.serialized) struct ServiceEndToEndTests {
    /// The `tower` process a tmux pane runs (the pane's shell's child).
    static func towerPID(in tmux: Tmux) -> Int32? {
        guard let shell = tmux.panePID,
              let children = try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8) else { return nil }
        return children.split(separator: " ").compactMap { Int32($0) }.first
    }

    /// Opens the escalation `exception` in the board's queue and approves option 1 (confirming if asked).
    static func approve(_ exception: String, on board: Tmux) throws {
        try board.send("Tab", "Tab")
        var screen = ""
        for _ in 0..<8 {
            try board.send("Enter")
            screen = try board.wait(for: "an open case") { $0.contains("esc:back") }
            if screen.contains("Exception \(exception)") { break }
            try board.send("Escape", "Down")
        }
        try #require(screen.contains("Exception \(exception)"), "\(exception) is not in the queue:\n\(screen)")
        try board.send("1", "a")
        screen = try board.wait(for: "the approval") { $0.contains("approved \(exception)") || $0.contains("y to confirm") }
        if screen.contains("y to confirm") {
            try board.send("y")
            try board.wait(forText: "approved \(exception)")
        }
        try board.send("Escape")
    }

    @Test(.enabled(if: Tmux.isAvailable)) func threeBoardsOnOneCoreSeeEachDecisionAndSurviveTheCoreRestarting() throws {
        let city = try Tower.smallCity()
        let work = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let journal = work + "/j.jsonl"
        let when = try Tower.escalationTime(in: city)
        let arguments = ["--scenario", city, "--journal", journal, "--from", when, "--paused"]
        var core: CoreProcess? = try CoreProcess(arguments, socket: work + "/j.sock", in: work)
        let exception = try #require(try ExceptionDeskTests.waiting(in: journal).last, "an escalation waits at \(when)")

        let boards = try (0..<3).map { _ in
            try Tmux(width: 160, height: 45, command: "\(Tower.binary) attach --journal j.jsonl --role supervisor", directory: work)
        }
        for board in boards { try board.wait(forText: "attached to") }
        let me = getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "uid-\(getuid())"

        try Self.approve(exception, on: boards[0])
        let approved = Date()
        for board in boards.dropFirst() { try board.wait(forText: "\(me) approved \(exception)", timeout: 5) }
        let seen = Date().timeIntervalSince(approved)
        #expect(seen < 1.5, "the other boards show the approval within a second (plus the test's polling): \(seen) s")

        let stale = try Tower.run(["decide", "approve", exception, "--role", "supervisor", "--journal", journal])
        #expect(stale.status == 1 && stale.stderr.contains("already approved"), "a second approval is refused as stale: \(stale.stderr)")

        // A board killed: the core and the other boards go on.
        let victim = try #require(Self.towerPID(in: boards[2]))
        kill(victim, SIGKILL)
        try boards[2].wait(forText: "EXIT=")
        #expect(core?.process.isRunning == true)
        try boards[0].send(":", "resume", "Enter")  // a supervisor starts the clock for everyone
        for board in boards.prefix(2) { try board.wait(for: "the clock running") { !$0.contains("‖ paused") } }

        // The core killed: the boards say so, and reattach to the restarted core with nothing lost.
        core?.stop(SIGKILL)
        core = nil
        for board in boards.prefix(2) { try board.wait(forText: "disconnected", timeout: 10) }
        core = try CoreProcess(arguments, socket: work + "/j.sock", in: work)
        for board in boards.prefix(2) {
            let screen = try board.wait(for: "reattached", timeout: 30) { !$0.contains("disconnected") && $0.contains("attached to") }
            #expect(screen.contains("\(me) approved \(exception)"), "the approval is still there after the restart")
        }
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0.contains("\"exception.approved\"") && $0.contains("\"\(exception)\"") }.count == 1,
                "the journal holds every accepted input once")
        #expect(core?.stop() == 0)
    }
}
