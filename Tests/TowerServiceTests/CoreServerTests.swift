import Foundation
import Glibc
import Testing
import TowerCore
@testable import TowerService

/// The core's socket, driven in one thread: the server's passes and the clients' reads take turns, as the core's
/// loop and the boards' loops do in their own processes.
@Suite struct CoreServerTests {
    /// A small city played to 10:00, its core paused, with a server on a socket in a fresh folder.
    final class Fixture {
        let folder: String
        let session: CoreSession
        let server: CoreServer
        static let me = UnixSocket.loginName(getuid())

        init(roster: Roster? = nil, durability: JournalWriter.Durability = .batch) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tower-svc-\(UUID().uuidString.prefix(8))").path
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for file in ScenarioGenerator(name: "svc", seed: 3, riders: 8, orders: 120).files() {
                try Data(file.text.utf8).write(to: URL(fileURLWithPath: folder + "/" + file.name))
            }
            let scenario = try ScenarioLoader.load(directory: folder)
            let started = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: folder + "/j.jsonl", durability: durability)
            started.simulation.run(until: scenario.time(10 * 3600), engine: started.engine)
            session = CoreSession(engine: started.engine, source: SimulationSource(simulation: started.simulation), start: scenario.time(10 * 3600),
                                  speed: 60, paused: true)
            session.engine.authority = Authority(roster: roster)
            session.paceRole = .supervisor
            server = try CoreServer(socketPath: folder + "/j.sock", session: session, roster: roster, journalPath: folder + "/j.jsonl",
                                    planLock: scenario.planLock)
        }

        deinit {
            server.close()
            try? FileManager.default.removeItem(atPath: folder)
        }

        /// Takes turns until `done` holds; returns the frames the clients read. A pass takes about a millisecond, and
        /// the minute allowed only keeps a broken server from hanging the suite. (Five seconds were allowed before, and
        /// once, on a busy CI machine, passed with no reply read; not seen again in sixty runs with the cores busy.)
        @discardableResult
        func turns(_ clients: [ServiceClient], until done: ([ServiceFrame]) -> Bool) -> [ServiceFrame] {
            var frames: [ServiceFrame] = []
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                server.serve(timeout: 5)
                for client in clients { frames += client.receive(timeout: 5).frames }
                if done(frames) { break }
            }
            return frames
        }
    }

    /// Applies the frames a board takes: a snapshot makes the copy afresh, events and the core's outlooks go into it.
    static func apply(_ frames: [ServiceFrame], to mirror: inout CoreMirror?, planLock: Instant) throws {
        for frame in frames {
            switch frame {
            case let .snapshot(bytes): mirror = CoreMirror(try CoreSnapshot.decode(bytes), planLock: planLock)
            case let .event(line): try #require(mirror).apply(EventCodec.decode(line: line).event)
            case let .outlook(bytes): try #require(mirror).take(TimedOutlook.decode(bytes))
            default: continue
            }
        }
    }

    static func isStatus(_ frame: ServiceFrame) -> Bool { if case .status = frame { true } else { false } }

    @Test func aBoardGetsTheSnapshotThenEveryNewEventSoItsCopyIsTheCoresWorld() throws {
        let fixture = try Fixture()
        let board = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: .supervisor, follow: true))
        // A board that never reads: it must hold up nobody.
        let stalled = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: nil, follow: true))
        defer { board.close(); stalled.close() }
        let planLock = fixture.session.engine.settings.planLock
        var mirror: CoreMirror?
        var frames = fixture.turns([board]) { $0.contains(where: Self.isStatus) }
        guard case let .hello(hello) = frames.first else { Issue.record("the first message is not the hello: \(frames.prefix(1))"); return }
        #expect(hello.identity == OperatorIdentity(name: Fixture.me, role: .supervisor), "the login name from the kernel, the role asked (no roster)")
        #expect(hello.seq == fixture.session.engine.world.lastSeq)
        guard case .snapshot = frames.dropFirst().first else { Issue.record("the snapshot does not follow the hello: \(frames.prefix(2))"); return }
        try Self.apply(frames, to: &mirror, planLock: planLock)
        #expect(mirror?.world.digest == fixture.session.engine.world.digest, "the snapshot is the core's world")

        // The supervisor starts the clock; an hour of the day passes.
        _ = board.send(.pace(speed: 600, paused: false))
        frames = fixture.turns([board]) { $0.contains { if case .reply = $0 { true } else { false } } }
        #expect(frames.contains { if case let .reply(_, reply) = $0 { reply.outcome == .done } else { false } }, "\(frames.suffix(2))")
        try Self.apply(frames, to: &mirror, planLock: planLock)
        let before = fixture.session.status.now
        for _ in 0..<6 { fixture.session.step(elapsed: 1) }
        let target = fixture.session.engine.world.lastSeq
        // A status comes once a board has every event before it.
        frames = fixture.turns([board]) { $0.contains { if case let .status(status) = $0 { status.seq >= target } else { false } } }
        #expect(!frames.contains { if case .snapshot = $0 { true } else { false } }, "a board that keeps up gets events, not snapshots")
        try Self.apply(frames, to: &mirror, planLock: planLock)
        #expect(fixture.session.status.now - before == 3600, "six seconds at ×600: the day moved an hour on")
        #expect(mirror?.world.lastSeq == target)
        #expect(mirror?.world.digest == fixture.session.engine.world.digest, "every new event arrived, in order")
        #expect(mirror?.log.lines == fixture.session.log.lines, "and the recent log with them")
    }

    /// Boards draw the one outlook the core times for all of them: the snapshot carries the latest, and as the day
    /// moves each board is sent the next, which is the core's own outlook at its instant (a board times none).
    @Test func boardsAreSentTheCoresOutlookAsTheDayMoves() throws {
        let fixture = try Fixture()
        let planLock = fixture.session.engine.settings.planLock
        let board = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: .supervisor, follow: true))
        defer { board.close() }
        var mirror: CoreMirror?
        try Self.apply(fixture.turns([board]) { $0.contains(where: Self.isStatus) }, to: &mirror, planLock: planLock)
        let horizon = fixture.session.engine.settings.policy.decisionHorizon
        func etas(_ outlook: Outlook) -> [String: [Instant]] { outlook.lanes.mapValues { $0.p90 + $0.stops.map(\.eta) } }
        let first = try #require(mirror).outlook
        #expect(first.at == fixture.session.now && !first.outlook.lanes.isEmpty)
        #expect(etas(first.outlook) == etas(fixture.session.engine.outlook(at: first.at, horizon: horizon)))

        // Half an hour of the day passes; the board is sent the outlook of where the core now stands.
        _ = fixture.session.perform(.pace(speed: 600, paused: false), by: OperatorIdentity(name: Fixture.me, role: .supervisor))
        for _ in 0..<3 { fixture.session.step(elapsed: 1) }
        let target = fixture.session.engine.world.lastSeq, now = fixture.session.now
        let frames = fixture.turns([board]) { frames in
            frames.contains { if case let .outlook(bytes) = $0 { (try? TimedOutlook.decode(bytes))?.seq == target } else { false } }
        }
        try Self.apply(frames, to: &mirror, planLock: planLock)
        let latest = try #require(mirror).outlook
        #expect(latest.seq == target && latest.at == now)
        #expect(etas(latest.outlook) == etas(fixture.session.engine.outlook(at: now, horizon: horizon)))
        #expect(etas(latest.outlook) != etas(first.outlook))
        // An older outlook arriving late does not replace it.
        mirror?.take(first)
        #expect(mirror?.outlook.seq == target)
    }

    /// A board attaching to a core that moved on since the last snapshot gets a new one, so it applies at most a
    /// few hundred events before its first frame; one attaching while nothing moved shares the latest.
    @Test func aBoardAttachingLaterStartsFromASnapshotNearTheCore() throws {
        let fixture = try Fixture()
        fixture.server.freshEvents = 5
        let socket = fixture.folder + "/j.sock"
        func hello(_ client: ServiceClient) -> ServiceHello? {
            let frames = fixture.turns([client]) { $0.contains(where: Self.isStatus) }
            return frames.lazy.compactMap { if case let .hello(hello) = $0 { hello } else { nil } }.first
        }
        let first = try ServiceClient(socketPath: socket, request: .init(role: .supervisor, follow: true))
        defer { first.close() }
        let at = try #require(hello(first)).seq
        let second = try ServiceClient(socketPath: socket, request: .init(role: .supervisor, follow: true))
        defer { second.close() }
        #expect(hello(second)?.seq == at, "nothing moved: the same snapshot")

        _ = fixture.session.perform(.pace(speed: 600, paused: false), by: OperatorIdentity(name: Fixture.me, role: .supervisor))
        fixture.session.step(elapsed: 1)
        let now = fixture.session.engine.world.lastSeq
        #expect(now - at > 5, "ten minutes of the day: \(now - at) events")
        let third = try ServiceClient(socketPath: socket, request: .init(role: .supervisor, follow: true))
        defer { third.close() }
        let seq = try #require(hello(third)).seq
        #expect(now - seq <= 5, "a snapshot at \(seq), the core at \(now)")
    }

    /// A board further behind than the backlog allows gets a fresh snapshot instead of the events it missed, and the
    /// server keeps only the recent part of the log.
    @Test func aBoardFarBehindGetsAFreshSnapshotAndTheLogStaysShort() throws {
        let fixture = try Fixture()
        fixture.server.maxBacklog = 2_000
        let planLock = fixture.session.engine.settings.planLock
        let board = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: .supervisor, follow: true))
        defer { board.close() }
        var mirror: CoreMirror?
        try Self.apply(fixture.turns([board]) { $0.contains(where: Self.isStatus) }, to: &mirror, planLock: planLock)
        let first = try #require(mirror)
        // An hour of the day passes between two of the server's passes: far more than 2,000 bytes of events.
        _ = fixture.session.perform(.pace(speed: 600, paused: false), by: OperatorIdentity(name: Fixture.me, role: .supervisor))
        for _ in 0..<6 { fixture.session.step(elapsed: 1) }
        let target = fixture.session.engine.world.lastSeq
        let frames = fixture.turns([board]) { $0.contains { if case let .status(status) = $0 { status.seq >= target } else { false } } }
        #expect(frames.contains { if case .snapshot = $0 { true } else { false } }, "\(frames.count) frames, none a snapshot")
        try Self.apply(frames, to: &mirror, planLock: planLock)
        #expect(mirror !== first && mirror?.world.lastSeq == target)
        #expect(mirror?.world.digest == fixture.session.engine.world.digest)
        #expect(fixture.server.logBytes <= 2_000, "the log holds \(fixture.server.logBytes) bytes")
    }

    @Test func theRosterGivesTheRoleAndTheCoreChecksEveryCommandWithIt() throws {
        let fixture = try Fixture(roster: Roster(roles: [Fixture.me: .dispatcher]))
        let greedy = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: .supervisor, follow: false))
        let frames = fixture.turns([greedy]) { !$0.isEmpty }
        guard case let .refused(reason) = frames.first else { Issue.record("not refused: \(frames)"); return }
        #expect(reason.contains("is a dispatcher on the roster and cannot act as supervisor"), "\(reason)")

        let dispatcher = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: nil, follow: false))
        _ = dispatcher.send(.pace(speed: nil, paused: false))
        _ = dispatcher.send(.approve(exception: "E-9999", option: 1))
        let replies = fixture.turns([dispatcher]) { $0.filter { if case .reply = $0 { true } else { false } }.count == 2 }
        guard case let .hello(hello) = replies.first else { Issue.record("no hello: \(replies)"); return }
        #expect(hello.identity.role == .dispatcher)
        #expect(!replies.contains { if case .snapshot = $0 { true } else { false } }, "a client that does not follow gets no snapshot")
        let texts = replies.compactMap { if case let .reply(_, reply) = $0 { reply.outcome == .refused ? reply.text : "done" } else { nil } }
        #expect(texts.count == 2)
        #expect(texts.first?.contains("only a supervisor sets the pace") == true, "\(texts)")
        #expect(texts.last?.contains("E-9999") == true, "\(texts)")
        #expect(fixture.session.paused)
    }

    @Test func anyNumberInACommandIsRefusedWithAReasonNeverACrash() throws {
        let fixture = try Fixture()
        // A case that exists (any state): its options are looked up before the engine refuses the command.
        let waiting = try #require(fixture.session.engine.world.exceptions.keys.sorted().first, "the small city has cases by 10:00")
        let client = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: .supervisor, follow: false))
        let commands: [OperatorCommand] = [.approve(exception: waiting, option: 0), .approve(exception: waiting, option: Int.min),
                                           .approve(exception: waiting, option: Int.max), .pace(speed: 1e9, paused: nil),
                                           .pace(speed: -1, paused: nil), .assign(order: String(repeating: "x", count: 5000), rider: "", confirmed: true)]
        for command in commands { _ = client.send(command) }
        let frames = fixture.turns([client]) { $0.filter { if case .reply = $0 { true } else { false } }.count == commands.count }
        let replies = frames.compactMap { if case let .reply(_, reply) = $0 { reply } else { nil } }
        #expect(replies.count == commands.count, "\(String(describing: frames).prefix(600))")
        #expect(replies.allSatisfy { $0.outcome == .refused && !$0.text.isEmpty }, "\(replies)")
    }

    @Test func aClientThatSendsNonsenseIsToldWhyAndTheServerGoesOn() throws {
        let fixture = try Fixture()
        let fd = try UnixSocket.connect(path: fixture.folder + "/j.sock")
        UnixSocket.setNonBlocking(fd)
        let rude = FramedConnection(fd: fd, maxLine: 1 << 20)
        rude.queue(Array("launch {\"missiles\":true}\n".utf8))
        rude.flush()
        var said = ""
        for _ in 0..<100 where said.isEmpty {
            fixture.server.serve(timeout: 5)
            said = rude.read().lines.map { String(decoding: $0, as: UTF8.self) }.joined()
        }
        #expect(said.hasPrefix("refused ") && said.contains("unknown message"), "\(said)")
        let polite = try ServiceClient(socketPath: fixture.folder + "/j.sock", request: .init(role: nil, follow: false))
        let frames = fixture.turns([polite]) { !$0.isEmpty }
        #expect(frames.contains { if case .hello = $0 { true } else { false } })
        #expect(fixture.server.clientCount == 1, "the rude one was let go")
    }

    /// A client that sends commands and reads none of the replies is read only while less than a megabyte waits to
    /// be sent to it: the rest of its commands wait in its socket (the core held 150 MB after 15 s of them). Read,
    /// every command is answered, in order.
    @Test func aClientThatReadsNothingHoldsAMegabyteOfTheCoreNotMore() throws {
        let fixture = try Fixture()
        let fd = try UnixSocket.connect(path: fixture.folder + "/j.sock")
        UnixSocket.setNonBlocking(fd)
        let deaf = FramedConnection(fd: fd, maxLine: 1 << 20)
        let count = 150_000  // 12 MB of commands, 19 MB of replies: more than the sockets hold (the core asks for 4 MB)
        var commands = Array(#"attach {"follow":false}"#.utf8) + [0x0A]
        for id in 1...count { commands += ServiceFrame.command(id: id, .approve(exception: "E-\(id)", option: 1)).encoded() }
        var sent = 0
        for _ in 0..<400 {
            let n = commands[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { sent += n }
            fixture.server.serve(timeout: 1)
        }
        #expect(sent < commands.count, "the core stopped reading: \(sent) of \(commands.count) bytes sent")
        #expect(fixture.server.mostPendingBytes < 3 << 20, "\(fixture.server.mostPendingBytes) bytes held for a client that reads nothing")
        var ids: [Int] = []
        for _ in 0..<20_000 where ids.count < count {
            if sent < commands.count {
                let n = commands[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 { sent += n }
            }
            fixture.server.serve(timeout: 1)
            for line in deaf.read().lines {
                if case let .reply(id, _) = try ServiceFrame.decode(line) { ids.append(id) }
            }
        }
        #expect(ids == Array(1...count), "\(ids.count) replies of \(count), in order")
    }

    @Test func oneCorePerJournalAndTheSecondIsToldWhoHasIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tower-lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let first = try JournalLock(journal: folder + "/j.jsonl", holder: "tower serve, pid 42, socket /run/x.sock")
        #expect(throws: ToolError.self) { _ = try JournalLock(journal: folder + "/j.jsonl", holder: "tower board, pid 43") }
        do { _ = try JournalLock(journal: folder + "/j.jsonl", holder: "second") } catch {
            #expect("\(error)".contains("tower serve, pid 42, socket /run/x.sock"), "\(error)")
        }
        withExtendedLifetime(first) {}
    }

    /// A journal that is a named pipe hung the start (its read waited for a writer); a device or a folder is
    /// refused as well, by name, before anything is read.
    @Test func aJournalThatIsNotAFileIsRefusedAtOnce() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tower-lock-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try #require(mkfifo(folder + "/pipe.jsonl", 0o600) == 0)
        for (path, kind) in [(folder + "/pipe.jsonl", "a named pipe"), ("/dev/null", "a device or socket"), (folder, "a folder")] {
            let message = #expect(throws: ToolError.self) { _ = try JournalLock(journal: path, holder: "test") }?.message
            #expect(message == "journal \(path) is \(kind), not a file: it is read back and appended to", "\(message ?? "")")
        }
        #expect(throws: ToolError.self) { _ = try AppendOnlyFile(path: folder + "/pipe.jsonl", what: "outbox") }
        withExtendedLifetime(try JournalLock(journal: folder + "/j.jsonl", holder: "test")) {}  // a file to be, taken
    }

    /// A decision is journaled as a person's input and read back as one: a rejection's reason past an input's 1,000
    /// bytes (any client on the socket may send one) is refused before it is journaled, not left for no restart to read.
    @Test func aDecisionTheJournalCouldNotReadBackIsRefused() throws {
        let fixture = try Fixture()
        let me = OperatorIdentity(name: Fixture.me, role: .supervisor)
        let long = fixture.session.perform(.reject(exception: "E-0001", reason: String(repeating: "r", count: 1001)), by: me)
        #expect(long.outcome == .refused && long.text == "refused: reason longer than 1000 bytes", "\(long.text)")
        let events = fixture.session.engine.world.lastSeq
        let short = fixture.session.perform(.reject(exception: "E-0001", reason: "rider is back"), by: me)
        #expect(short.outcome == .refused && short.text.contains("E-0001"), "the usual check, after: \(short.text)")
        #expect(fixture.session.engine.world.lastSeq == events)
    }

    /// The socket is made with the mode asked for, and the process's umask (which every thread and every program
    /// the core starts shares) is never changed: read from /proc, since setting it to read it is what must not happen.
    @Test func theSocketHasItsModeAndTheUmaskIsLeftAlone() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tower-socket-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func umaskNow() throws -> String {
            try #require(try String(contentsOfFile: "/proc/self/status", encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("Umask:") }.map(String.init))
        }
        let before = try umaskNow()
        for mode: mode_t in [0o660, 0o600] {
            let fd = try UnixSocket.listen(path: folder + "/core.sock", mode: mode)
            defer { close(fd) }
            let made = try #require(try FileManager.default.attributesOfItem(atPath: folder + "/core.sock")[.posixPermissions] as? Int)
            #expect(made == Int(mode), "\(String(made, radix: 8))")
        }
        #expect(try umaskNow() == before)
    }

    @Test func aSocketPathTooLongForTheKernelIsAClearError() {
        let long = "/tmp/" + String(repeating: "x", count: 200) + ".sock"
        #expect(throws: ToolError.self) { _ = try UnixSocket.listen(path: long) }
    }
}
