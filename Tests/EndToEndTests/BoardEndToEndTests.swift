import Foundation
import Testing

/// The real binary in a real (tmux) terminal.
@Suite(.serialized, .enabled(if: Tmux.isAvailable, "tmux is not installed"))
struct BoardEndToEndTests {
    @Test func theDemoRunsFromAnyFolder() throws {
        let work = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let tmux = try Tmux(command: "\(Tower.binary) demo", directory: "/", state: work)
        try tmux.wait(forText: "READ-ONLY")
        #expect(try tmux.screen().contains("tuesday"))
        try tmux.send("q")
        try tmux.wait(forText: "EXIT=0")
        let state = (try? FileManager.default.contentsOfDirectory(atPath: work + "/tower")) ?? []
        #expect(state.contains("demo-tuesday.jsonl"), "journaled in the state folder, not in /: \(state)")
        #expect(!FileManager.default.fileExists(atPath: "/.tower"))
    }

    @Test func startMoveDrillDownHelpCommandResizeAndQuit() throws {
        let city = try Tower.smallCity()
        let work = try Tower.temporaryDirectory()
        let tmux = try Tmux(command: "\(Tower.binary) board --scenario \(city) --from 09:00 --speed 60", directory: work)
        let first = try tmux.wait(for: "the board") { $0.contains("TOWER") && $0.contains("Rider lanes") }
        #expect(first.contains("At-risk orders"))
        #expect(first.contains("Exceptions"))
        // The clock moves: the header's time changes.
        let clock = first.split(separator: "\n")[0]
        try tmux.wait(for: "the clock to move") { $0.split(separator: "\n").first.map { $0 != clock } ?? false }

        try tmux.send("j", "j", "Enter")
        try tmux.wait(forText: "Rider R03")
        try tmux.send("Escape")
        try tmux.wait(forText: "Rider lanes")

        try tmux.send("m")
        try tmux.wait(forText: "Map · ")
        try tmux.send("M")
        try tmux.wait(forText: "first-attempt rate")
        try tmux.send("Escape")
        try tmux.wait(forText: "Rider lanes")

        try tmux.send("?")
        try tmux.wait(forText: "more lines")  // 80x24 shows the first part of the help; G scrolls to its end
        try tmux.send("G")
        try tmux.wait(forText: "quit, or back from a drill-down")
        try tmux.send("?")
        try tmux.wait(forText: "Rider lanes")

        try tmux.send(":", "speed 300", "Enter")
        try tmux.wait(forText: "×300")
        // The rest needs no clock: paused, the screen only changes by keys, whatever the machine's load.
        try tmux.send("Space")
        try tmux.wait(forText: "paused")
        try tmux.send(":", "theme light", "Enter")
        try tmux.wait(forText: "theme light")
        try tmux.send(":", "theme nosuch", "Enter")
        try tmux.wait(forText: "theme 'nosuch' not found")
        try tmux.send("/", "R03", "Enter")
        let filtered = try tmux.wait(for: "the filter") { $0.contains("/R03") && $0.contains("Rider lanes (1 of") }
        // No lane of another rider (the recent log may still name one).
        #expect(!filtered.split(separator: "\n").contains { $0.dropFirst(2).hasPrefix("R04 ") }, "\(filtered)")
        try tmux.send("Escape")
        try tmux.wait(forText: "filter cleared")
        try tmux.send("s")
        try tmux.wait(for: "the lanes sorted by late") { $0.contains("lanes sorted by late, high to low") && $0.contains("· late↓") }
        try tmux.send("S")
        try tmux.wait(forText: "· late↑")

        try tmux.resize(width: 60, height: 20)
        try tmux.wait(forText: "terminal too small: need 80x24, have 60x20")
        try tmux.resize(width: 80, height: 24)
        try tmux.wait(forText: "Rider lanes")

        let after = try tmux.quitBoard()
        #expect(after.contains("EXIT=0"))
        #expect(after.contains("journal: "))
        #expect(!after.contains("Rider lanes"), "the board's screen is gone: the terminal was restored")
        let state = (try? FileManager.default.contentsOfDirectory(atPath: work + "/state/tower")) ?? []
        #expect(state.contains { $0.hasSuffix("-seed1.jsonl") }, "the default journal is in the state folder (XDG_STATE_HOME): \(state)")
        #expect(!FileManager.default.fileExists(atPath: work + "/.tower"), "nothing is left in the folder the board ran in")
    }

    /// A long start is never a blank screen: catching up to --from shows a loading screen with the simulated time.
    @Test func aLongCatchUpShowsALoadingScreen() throws {
        let work = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let tmux = try Tmux(command: "\(Tower.binary) board --scenario \(Tower.packageRoot.path)/sample-data/rio --from 15:00 --paused --journal \(work)/day.jsonl",
                            directory: work)
        let loading = try tmux.wait(for: "the loading screen") { $0.contains("catching up to 15:00") && $0.contains("loading [") }
        #expect(loading.contains("TOWER"))
        try tmux.wait(for: "the board", timeout: 180) { $0.contains("Rider lanes") }
        #expect(try tmux.quitBoard().contains("EXIT=0"))
    }

    @Test func aSupervisorApprovesAnEscalationFromTheQueue() throws {
        let city = try Tower.smallCity()
        let work = try Tower.temporaryDirectory()
        let when = try Tower.escalationTime(in: city)
        let tmux = try Tmux(width: 160, height: 40,
                            command: "\(Tower.binary) board --scenario \(city) --from \(when) --speed 1 --journal j.jsonl --operator ana --role supervisor",
                            directory: work)
        try tmux.wait(forText: "ana (supervisor)")
        try tmux.send("Space")
        try tmux.wait(forText: "paused")
        try tmux.send("Tab", "Tab")
        try tmux.wait(for: "an escalation waiting") { $0.contains("⚑") || $0.contains("needs a decision") }
        try tmux.send("a")
        let screen = try tmux.wait(for: "the approval") { $0.contains("approved E-") || $0.contains("y to confirm") }
        if screen.contains("y to confirm") {
            try tmux.send("y")
            try tmux.wait(forText: "approved E-")
        }
        #expect(try tmux.quitBoard().contains("EXIT=0"))
        let journal = try String(contentsOfFile: work + "/j.jsonl", encoding: .utf8)
        let approval = try #require(journal.split(separator: "\n").first { $0.contains("\"exception.approved\"") })
        #expect(approval.contains("\"operator\":\"ana\"") && approval.contains("\"by\":\"ana\""))
        let audit = try Tower.run(["audit", work + "/j.jsonl"])
        #expect(audit.stdout.contains("approved\tana"))
    }

    @Test func hangupRestoresTheTerminalAndKeepsTheJournal() throws {
        let city = try Tower.smallCity()
        let work = try Tower.temporaryDirectory()
        let tmux = try Tmux(command: "\(Tower.binary) board --scenario \(city) --from 07:00 --journal j.jsonl", directory: work)
        try tmux.wait(forText: "Rider lanes")
        let pid = try #require(tmux.panePID)
        // The pane runs a shell; signal its child, the board.
        let children = try String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)
        let board = try #require(children.split(separator: " ").first.flatMap { Int32($0) })
        kill(board, SIGHUP)
        let after = try tmux.wait(for: "exit") { $0.contains("EXIT=") }
        #expect(after.contains("EXIT=129"))
        #expect(!after.contains("Rider lanes"))
        let replay = try Tower.run(["replay", work + "/j.jsonl"])
        #expect(replay.status == 0)
        #expect(replay.stderr.isEmpty, "no torn line: the journal was flushed")
        #expect(Tower.digest(replay.stdout) != nil)
    }

    @Test func feedTextWithEscapeSequencesNeverReachesTheTerminal() throws {
        let city = try Tower.smallCity()
        let work = try Tower.temporaryDirectory()
        let feed = work + "/feed.jsonl"
        let hostile = #"{"v":1,"id":"h1","at":"2026-11-17T06:30:00-03:00","type":"order.cancelled","order":"O-0003","reason":"\u001b]0;pwned\u0007\u001b[2J\u001b[31mmoved away"}"#
        let broken = #"{"v":1,"id":"h2","at":"2026-11-17T06:31:00-03:00","type":"order.cancelled","order":"#
        try (hostile + "\n" + broken + "\n").write(toFile: feed, atomically: true, encoding: .utf8)
        let tmux = try Tmux(width: 120, height: 30, command: "\(Tower.binary) board --scenario \(city) --feed feed.jsonl", directory: work)
        let screen = try tmux.wait(for: "the cancellation") { $0.contains("O-0003 cancelled: moved away") }
        #expect(!screen.contains("pwned"))
        #expect(!tmux.paneTitle.contains("pwned"))
        #expect(screen.contains("dead-letter 1"))
        #expect(screen.contains("Rider lanes"))
        // The feed jumped past 06:00: the plan was made, so riders have routes and lanes.
        #expect(!screen.contains("Rider lanes (0 of"), "the 06:00 plan ran when the feed passed it")
        // A line appended later is picked up while the board runs.
        let handle = try #require(FileHandle(forWritingAtPath: feed))
        handle.seekToEndOfFile()
        handle.write(Data((#"{"v":1,"id":"h3","at":"2026-11-17T06:40:00-03:00","type":"order.cancelled","order":"O-0004","reason":"late addition"}"# + "\n").utf8))
        try handle.close()
        try tmux.wait(forText: "O-0004 cancelled: late addition")
        #expect(try tmux.quitBoard().contains("EXIT=0"))
        let deadLetters = try String(contentsOfFile: work + "/state/tower/feed-feed.dead-letter.jsonl", encoding: .utf8)
        #expect(deadLetters.contains(#""line":2"#))
        #expect(deadLetters.contains("unexpected end of input"))
    }

    @Test func readsAFeedFromStandardInputAndKeysFromTheTerminal() throws {
        let city = try Tower.smallCity()
        let work = try Tower.temporaryDirectory()
        let line = #"{"v":1,"id":"s1","at":"2026-11-17T06:30:00-03:00","type":"order.cancelled","order":"O-0005","reason":"from stdin"}"#
        try (line + "\n").write(toFile: work + "/feed.jsonl", atomically: true, encoding: .utf8)
        let tmux = try Tmux(width: 120, height: 30, command: "\(Tower.binary) board --scenario \(city) --feed - < feed.jsonl", directory: work)
        let screen = try tmux.wait(for: "the stdin feed") { $0.contains("O-0005 cancelled: from stdin") }
        #expect(screen.contains("feed stdin (1 events) ended"))
        try tmux.send("?")
        try tmux.wait(forText: "pause or resume the clock")
        try tmux.send("Escape")
        #expect(try tmux.quitBoard().contains("EXIT=0"))
    }

    @Test func demoIsReadOnlyAndStartsOverWhenTheDayEnds() throws {
        let city = try Tower.smallCity()
        let work = try Tower.temporaryDirectory()
        let tmux = try Tmux(command: "\(Tower.binary) demo --scenario \(city) --speed 3600", directory: work)
        try tmux.wait(forText: "READ-ONLY")
        try tmux.wait(for: "a caption made from the day's events") { $0.contains("▶ ") && $0.contains("  ") && $0.range(of: #"▶ \d\d:\d\d  "#, options: .regularExpression) != nil }
        try tmux.send("a")
        try tmux.wait(forText: "read-only board: actions are off")
        // The day starts over: the header's clock goes back to the morning. (The status line says "pass 2" too, but
        // at ×3600 the first case of the new day, at 06:05, may replace it within a tenth of a second.)
        var latest = 0
        try tmux.wait(for: "the day to start over", timeout: 120) { screen in
            guard let match = screen.firstMatch(of: /(\d\d):(\d\d):\d\d  ▶/), let h = Int(match.1), let m = Int(match.2) else { return false }
            let minute = h * 60 + m
            defer { latest = max(latest, minute) }
            return minute < latest - 6 * 60
        }
        try tmux.send("q")
        try tmux.wait(forText: "EXIT=0")
    }
}
