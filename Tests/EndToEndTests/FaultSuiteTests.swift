import Foundation
import Testing
import TowerCore
#if canImport(Glibc)
import Glibc
#endif

/// The fault suite: kill -9 at random moments, hostile feeds, full disks, failing webhooks. Each test prints a
/// `faults:` line with its figures (BENCHMARKS.md carries them).
@Suite(.serialized) struct FaultSuiteTests {
    /// A small city, its uninterrupted simulated day, and a feed of that day's inputs (what the simulation reported,
    /// without the setting and the orders the board already knows from the scenario).
    struct Day {
        let folder: String
        let city: String
        let journal: String
        let feedLines: [String]
        /// How long the uninterrupted day took to play (wall seconds): kills are timed as shares of it, so they land
        /// inside a run however fast the machine and the build are.
        let seconds: Double

        /// Removes the day's folder (the city, journals, feeds): tests leave nothing behind.
        func remove() { try? FileManager.default.removeItem(atPath: folder) }

        init(until: String = "12:00") throws {
            city = try Tower.smallCity()
            folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
            journal = folder + "/whole.jsonl"
            let started = Date()
            let run = try Tower.run(["simulate", "--scenario", city, "--seed", "1", "--journal", journal, "--until", until])
            seconds = Date().timeIntervalSince(started)
            #expect(run.status == 0, "\(run.stderr)")
            let known: Set<String> = ["session.started", "zone.defined", "hub.defined", "rider.registered", "channels.defined", "order.created"]
            feedLines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n").compactMap { line in
                guard let object = try? JSONParser.parse(Array(line.utf8)), object["by"] == .string("sim"),
                      case let .string(type)? = object["type"], !known.contains(type) else { return nil }
                return String(line).replacingOccurrences(of: #","seq":\d+"#, with: "", options: .regularExpression)
            }
        }
    }

    static func ids(_ lines: some Sequence<Substring>, where keep: (JSONValue) -> Bool = { _ in true }) -> [String] {
        lines.compactMap { line in
            guard let object = try? JSONParser.parse(Array(line.utf8)), keep(object), case let .string(id)? = object["id"] else { return nil }
            return id
        }
    }

    static func lines(_ path: String) -> [Substring] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n")
    }

    /// The process a tmux pane runs (the shell's child: `tower`).
    static func child(of pid: Int32) -> Int32? {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.flatMap { Int32($0) }
    }

    /// Orders the world holds as assigned (or on board) whose delivery is not on their rider's route: a plan left
    /// half-made. (The feed is another day's simulation, so its riders pick up what this core planned for others:
    /// the core moves those deliveries to the rider who has the parcel.)
    static func unplanned(_ world: World) -> [String] {
        world.orderIDs.filter { id in
            guard let order = world.orders[id], order.status == .assigned || order.status == .pickedUp, let rider = order.rider else { return false }
            return !(world.routes[rider]?.stops.contains { $0.order == id && $0.kind == .delivery } ?? false)
        }
    }

    // MARK: kill -9

    @Test func simulateKilledAtRandomMomentsResumesToTheSameDay() throws {
        let day = try Day()
        defer { day.remove() }
        let whole = try String(contentsOfFile: day.journal, encoding: .utf8)
        let journal = day.folder + "/killed.jsonl"
        var random = SeededRandom(seed: 13)
        var kills = 0, beforePlanWritten = 0
        // Each start goes on from the last checkpoint, so the day gets done in pieces: kill until one run finishes.
        for round in 0..<30 where kills < 10 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Tower.binary)
            process.environment = Tower.environment()
            process.arguments = ["simulate", "--scenario", day.city, "--seed", "1", "--journal", journal, "--until", "12:00"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The first kills land early (before or during the 06:00 plan), the rest anywhere in the first third of a
            // whole day's time (each start goes on from the last checkpoint, so the day still gets done in pieces).
            let share = round < 4 ? 0.02 + 0.2 * random.unit() : 0.05 + 0.3 * random.unit()
            Thread.sleep(forTimeInterval: max(0.01, share * day.seconds))
            guard process.isRunning else { break }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            kills += 1
            // `simulate` writes in 64 KiB pieces: a kill before the plan's piece is written leaves it to be made again.
            if !Self.lines(journal).contains(where: { $0.contains(#""trigger":"plan lock""#) }) { beforePlanWritten += 1 }
        }
        let last = try Tower.run(["simulate", "--scenario", day.city, "--seed", "1", "--journal", journal, "--until", "12:00"])
        #expect(last.status == 0, "\(last.stderr)")
        let resumed = try String(contentsOfFile: journal, encoding: .utf8)
        #expect(resumed == whole, "the killed and resumed day is line for line the uninterrupted one")
        let ids = Self.ids(resumed.split(separator: "\n"))
        #expect(Set(ids).count == ids.count, "no event twice")
        #expect(Self.unplanned(try Replayer.replay(path: journal).world).isEmpty)
        print("faults: simulate: \(kills) kills (\(beforePlanWritten) before the 06:00 plan was on disk) in a day of \(String(format: "%.2f", day.seconds)) s, \(resumed == whole ? 0 : 1) journals differing, 0 crashes")
        #expect(kills >= 5, "most runs are killed before they finish")
    }

    @Test(.enabled(if: Tmux.isAvailable)) func aFeedDrivenBoardKilledAtRandomMomentsLosesAndRepeatsNothing() throws {
        let day = try Day()
        defer { day.remove() }
        let feed = day.folder + "/feed.jsonl"
        let journal = day.folder + "/board.jsonl"
        let dead = day.folder + "/dead.jsonl"
        // The feed arrives in pieces while the board is killed and started again; the 06:00 line comes in the middle.
        let lockIndex = day.feedLines.firstIndex { $0.contains("T06:0") } ?? day.feedLines.count / 4
        var random = SeededRandom(seed: 7)
        var written = 0
        func append(_ count: Int) throws {
            let piece = day.feedLines[written..<min(day.feedLines.count, written + max(0, count))]
            let handle = try #require(FileHandle(forWritingAtPath: feed))
            handle.seekToEndOfFile()
            handle.write(Data((piece.joined(separator: "\n") + "\n").utf8))
            try handle.close()
            written += piece.count
        }
        try Data().write(to: URL(fileURLWithPath: feed))
        try append(lockIndex)
        let command = "\(Tower.binary) board --feed \(feed) --scenario \(day.city) --journal \(journal) --dead-letter \(dead) --eta-model none"
        var kills = 0, killedWithPlanDue = 0
        var starts: [String] = []
        for round in 0..<12 {
            let tmux = try Tmux(width: 120, height: 40, command: command, directory: day.folder)
            try tmux.wait(for: "the board", timeout: 60) { $0.contains("feed ") }
            starts.append(try tmux.screen())
            if round == 1 || round == 2 { try append(2) }  // the line past the lock: the plan is made now
            else if written < day.feedLines.count { try append(100 + Int(800 * random.unit())) }
            Thread.sleep(forTimeInterval: round == 1 || round == 2 ? 0.3 * random.unit() : 0.1 + 1.1 * random.unit())
            guard let shell = tmux.panePID, let board = Self.child(of: shell) else { Issue.record("no board process"); break }
            kill(board, SIGKILL)
            kills += 1
            if written > lockIndex, !Self.lines(journal).contains(where: { $0.contains(#""trigger":"plan lock""#) }) { killedWithPlanDue += 1 }
            try tmux.wait(for: "the kill", timeout: 20) { $0.contains("EXIT=") }
        }
        if written < day.feedLines.count { try append(day.feedLines.count - written) }
        let lastID = Self.ids([Substring(day.feedLines.last!)]).first!
        let tmux = try Tmux(width: 120, height: 40, command: command, directory: day.folder)
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !Self.lines(journal).contains(where: { $0.contains("\"id\":\"\(lastID)\"") }) { Thread.sleep(forTimeInterval: 0.3) }
        let screen = try tmux.quitBoard()
        #expect(screen.contains("EXIT=0"), "\(screen)")

        let journaled = Self.ids(Self.lines(journal)) { $0["by"] != .string(Event.core) }
        let deadLettered = Self.lines(dead).count
        let inputs = Self.ids(day.feedLines.map { Substring($0) })
        let missing = Set(inputs).subtracting(journaled)
        let twice = journaled.count - Set(journaled).count
        #expect(missing.isEmpty, "every feed line is journaled: \(missing.prefix(5))")
        #expect(twice == 0, "none twice")
        #expect(deadLettered == 0, "a valid feed leaves no dead letter: \(Self.lines(dead).prefix(2))")
        let replayed = try Replayer.replay(path: journal)
        #expect(replayed.cutShortStep == nil)
        #expect(Self.unplanned(replayed.world).isEmpty, "no order left off the routes")
        let mended = starts.filter { $0.contains("cut short") || $0.contains("torn") }.count
        print("faults: board: \(kills) kills (\(killedWithPlanDue) with the 06:00 plan due and not on disk), \(inputs.count) inputs, \(missing.count) lost, \(twice) duplicated, \(mended) starts mended a half-written step, 0 crashes")
    }

    // MARK: hostile input

    /// Lines of every hostile kind (`bad` of them), each followed by a valid line that must still be taken.
    static var hostileCorpus: (lines: [[UInt8]], bad: Int) {
        let head = #"{"v":1,"at":"2026-11-17T09:00:00-03:00","#
        let position = #""type":"rider.position","rider":"R01","lat":-22.91,"lon":-43.2}"#
        let bad: [[UInt8]] = [
            head + #""id":"h1","type":"rider.position","rider":"R01","lat":-22.9"#,                        // truncated
            head + #""id":"h2","type":"rider.position","rider":"R01","lat":"north","lon":-43.2}"#,          // wrong type
            head + #""id":"h3","type":"rider.position","rider":"R01","lat":1e309,"lon":-43.2}"#,            // huge number
            head + #""id":"h4","type":"rider.position","rider":"R01","lat":NaN,"lon":-43.2}"#,              // NaN
            head + #""id":"h5","x":"# + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "}",  // deep
            head + #""id":"h6","type":"order.cancelled","order":"O-0001","reason":""# + String(repeating: "x", count: 10 << 20) + #""}"#,
            head + "\"id\":\"h8\",\"type\":\"rider.position\",\"rider\":\"R01\u{0}\",\"lat\":-22.9,\"lon\":-43.2}",   // NUL
            #"{"v":1,"id":"h9","at":"2099-01-01T00:00:00-03:00","# + position,                            // far future
            #"{"v":1,"id":"h10","at":"2026-11-17T01:00:00-03:00","# + position,                           // backwards
            head + #""id":"h11","id":"h12","# + position,                                                 // repeated key
            head + #""id":"ok-1","type":"rider.position","rider":"R01","lat":-22.95,"lon":-43.2}"#,       // id taken, other content
            head + #""id":"h13","type":"no.such.type"}"#,
            "\u{1B}]0;pwned\u{07}\u{1B}[2J",                                                              // escape sequences
        ].map { Array($0.utf8) } + [
            Array((head + #""id":"h14","type":"rider.position","rider":"R"#).utf8) + [0xC3, 0x28] + Array(#"","lat":-22.9,"lon":-43.2}"#.utf8),
        ]
        var lines: [[UInt8]] = []
        for (index, line) in bad.enumerated() {
            lines.append(line)
            lines.append(Array((head + "\"id\":\"ok-\(index)\",\"type\":\"rider.position\",\"rider\":\"R01\",\"lat\":-22.91,\"lon\":-43.2}").utf8))
        }
        return (lines, bad.count)
    }

    static func write(_ lines: [[UInt8]], to path: String) throws {
        try Data(lines.joined(separator: [10]) + [10]).write(to: URL(fileURLWithPath: path))
    }

    @Test func validateNamesEveryHostileLineAndKeepsTheRest() throws {
        let day = try Day(until: "06:30")
        defer { day.remove() }
        let corpus = Self.hostileCorpus
        let path = day.folder + "/hostile.jsonl"
        try Self.write(corpus.lines, to: path)
        let start = Date()
        let run = try Tower.run(["validate", path, "--scenario", day.city])
        #expect(run.status == 1)
        let errors = run.stdout.split(separator: "\n").filter { $0.contains(": error: ") }
        #expect(errors.count == corpus.bad, "\(run.stdout)")
        #expect(run.stdout.contains("\(corpus.lines.count) lines, \(corpus.bad) valid"), "\(run.stdout)")
        #expect(!run.stdout.contains("\u{1B}"), "no escape sequence is echoed")
        let dev = try Tower.run(["validate", "/dev/zero"])
        #expect(dev.status == 1 && dev.stderr.contains("without a line break"), "\(dev.stderr)")
        print("faults: validate: \(corpus.bad) hostile lines named, \(corpus.bad) valid kept, 0 crashes, 0 hangs (\(Int(Date().timeIntervalSince(start) * 1000)) ms)")
    }

    @Test(.enabled(if: Tmux.isAvailable)) func aBoardFedHostileLinesDeadLettersThemAndTakesTheRest() throws {
        let day = try Day(until: "06:30")
        defer { day.remove() }
        let corpus = Self.hostileCorpus
        let feed = day.folder + "/hostile.jsonl"
        let journal = day.folder + "/board.jsonl"
        let dead = day.folder + "/dead.jsonl"
        try Self.write(corpus.lines, to: feed)
        let tmux = try Tmux(width: 100, height: 30, command: "\(Tower.binary) board --feed \(feed) --scenario \(day.city) --journal \(journal) --dead-letter \(dead) --eta-model none",
                            directory: day.folder)
        let okCount = corpus.bad
        try tmux.wait(for: "every valid line taken", timeout: 60) { _ in
            Self.ids(Self.lines(journal)).filter { $0.hasPrefix("ok-") }.count == okCount
        }
        Thread.sleep(forTimeInterval: 0.5)
        #expect(!tmux.paneTitle.contains("pwned"), "no escape sequence reached the terminal")
        let screen = try tmux.quitBoard()
        #expect(screen.contains("EXIT=0"), "\(screen)")
        let refused = Self.lines(dead)
        #expect(refused.count == corpus.bad, "each hostile line dead-lettered once: \(refused.count)")
        #expect(refused.allSatisfy { !$0.contains("\u{1B}") && $0.utf8.count < 70_000 }, "dead letters are escaped and bounded")
        print("faults: board: \(corpus.bad) hostile lines dead-lettered, \(okCount) valid taken, 0 crashes, 0 hangs")
    }

    // MARK: full disk

    /// Mounts a tmpfs of `kilobytes` (root only); nil when this machine does not allow it.
    static func smallDisk(kilobytes: Int) throws -> String? {
        let path = try Tower.temporaryDirectory() + "/disk"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let result = try Spawn.run(["mount", "-t", "tmpfs", "-o", "size=\(kilobytes)k", "tmpfs", path], captureOutput: false)
        return result.status == 0 ? path : nil
    }

    /// Unmounts a disk `smallDisk` made and removes its folder.
    static func unmount(_ path: String) {
        _ = try? Spawn.run(["umount", path], captureOutput: false)
        try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path)
    }

    /// Writes a file on `disk` that leaves about `bytes` free (what is free is read from the file system, not assumed:
    /// a tmpfs rounds its size and its files to whole pages, and pages are not 4 KB on every machine).
    static func fill(_ disk: String, leaving bytes: Int) throws {
        var stats = statvfs()
        guard statvfs(disk, &stats) == 0 else { throw CocoaError(.fileReadUnknown) }
        let free = Int(stats.f_bavail) * Int(stats.f_frsize)
        try Data(repeating: 0, count: max(0, free - bytes)).write(to: URL(fileURLWithPath: disk + "/filler"))
    }

    static var canMount: Bool { getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/mount") }

    @Test(.enabled(if: canMount)) func aFullDiskStopsTheRunNamingTheFileAndLosesNothingWritten() throws {
        let day = try Day(until: "06:30")
        defer { day.remove() }
        guard let disk = try Self.smallDisk(kilobytes: 96) else { Issue.record("tmpfs could not be mounted"); return }
        defer { Self.unmount(disk) }
        let full = try Tower.run(["simulate", "--scenario", day.city, "--seed", "1", "--journal", disk + "/day.jsonl", "--until", "12:00"])
        #expect(full.status == 1)
        #expect(full.stderr.contains("cannot write journal \(disk)/day.jsonl: No space left on device"), "\(full.stderr)")
        let kept = try Replayer.replay(path: disk + "/day.jsonl")
        #expect(kept.tornLastLine == nil, "only whole lines on the full disk")
        // The outbox on the full disk, the journal elsewhere: the message names the outbox.
        for file in try FileManager.default.contentsOfDirectory(atPath: disk) { try FileManager.default.removeItem(atPath: disk + "/" + file) }
        try Self.fill(disk, leaving: 4 * 1024)
        let outbox = try Tower.run(["simulate", "--scenario", day.city, "--seed", "1", "--journal", day.folder + "/o.jsonl",
                                    "--outbox", disk + "/o.outbox.jsonl", "--until", "12:00"])
        #expect(outbox.status == 1)
        #expect(outbox.stderr.contains("cannot write outbox \(disk)/o.outbox.jsonl"), "\(outbox.stderr)")
        print("faults: full disk: journal and outbox named, 0 torn lines, 0 crashes")
    }

    @Test(.enabled(if: canMount && Tmux.isAvailable)) func aBoardOnAFullDiskStopsWithoutFilingValidLinesAsBad() throws {
        let day = try Day()
        defer { day.remove() }
        guard let disk = try Self.smallDisk(kilobytes: 64) else { Issue.record("tmpfs could not be mounted"); return }
        defer { Self.unmount(disk) }
        let feed = day.folder + "/feed.jsonl"
        let dead = day.folder + "/dead.jsonl"
        try Data((day.feedLines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: feed))
        let journal = disk + "/board.jsonl"
        let board = "\(Tower.binary) board --feed \(feed) --scenario \(day.city) --dead-letter \(dead) --eta-model none --journal"
        let tmux = try Tmux(width: 120, height: 40, command: "\(board) \(journal) 2>\(day.folder)/err.txt", directory: day.folder)
        try tmux.wait(for: "the board to stop", timeout: 60) { $0.contains("EXIT=") }
        let error = (try? String(contentsOfFile: day.folder + "/err.txt", encoding: .utf8)) ?? ""
        #expect(error.contains("journal \(journal)") && error.contains("No space left on device"), "\(error)")
        #expect(Self.lines(dead).isEmpty, "valid lines are not dead letters: \(Self.lines(dead).prefix(2))")
        // Room again (the journal moves to a bigger disk): the same feed finishes, every line once.
        let moved = day.folder + "/board.jsonl"
        try FileManager.default.copyItem(atPath: journal, toPath: moved)
        let again = try Tmux(width: 120, height: 40, command: "\(board) \(moved)", directory: day.folder)
        let lastID = Self.ids([Substring(day.feedLines.last!)]).first!
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, !Self.lines(moved).contains(where: { $0.contains("\"id\":\"\(lastID)\"") }) { Thread.sleep(forTimeInterval: 0.3) }
        try again.quitBoard()
        let journaled = Self.ids(Self.lines(moved)) { $0["by"] != .string(Event.core) }
        let inputs = Self.ids(day.feedLines.map { Substring($0) })
        #expect(Set(inputs).isSubset(of: Set(journaled)), "nothing lost")
        #expect(journaled.count == Set(journaled).count, "nothing twice")
        print("faults: full disk under a board: stopped naming the journal, 0 valid lines dead-lettered, 0 lost, 0 duplicated after room was made")
    }

    // MARK: webhook

    @Test func aWebhookThatDropsHangsAndFailsGetsEveryMessageOnce() throws {
        // Request 2 (on the kept-alive connection of the first): dropped unanswered; 3: HTTP 500; 4: held past the
        // client's timeout; the rest answered.
        let server = try WebhookServer { number in [2: WebhookServer.drop, 3: 500, 4: -12][number] ?? 200 }
        defer { server.stop() }
        let day = try Day(until: "06:30")
        defer { day.remove() }
        let journal = day.folder + "/hook.jsonl"
        let start = Date()
        let run = try Tower.run(["simulate", "--scenario", day.city, "--seed", "1", "--journal", journal, "--until", "09:00", "--webhook", server.url])
        #expect(run.status == 0, "\(run.stderr)")
        let notified = Self.ids(Self.lines(journal)) { $0["type"] == .string("customer.notified") }
        #expect(notified.count > 3)
        let delivered = server.requests.filter { $0.status == 200 }.map(\.key)
        #expect(delivered.sorted() == notified.sorted(), "each message delivered once")
        #expect(server.requests.count == notified.count + 3, "one try per failure, none sent twice by the HTTP library")
        let requests = server.requests
        if requests.count > 2 {
            let noticed = requests[2].at.timeIntervalSince(requests[1].at)
            #expect(requests[2].key == requests[1].key && noticed < 5, "a dropped connection is noticed at once and tried again (\(noticed) s)")
        }
        print("faults: webhook: \(notified.count) messages, drop + 500 + hang retried, 0 lost, 0 sent twice (\(Int(Date().timeIntervalSince(start))) s)")
    }
}
