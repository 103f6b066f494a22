import Foundation
import Glibc
import TowerCore

/// The core's Unix socket: boards (`tower attach`) and `tower decide` connect here. Served from the core's own
/// loop (the one writer), a pass at a time between its steps.
///
/// A board receives a snapshot of the core (`CoreSnapshot`: its world and projections at one journal position) and
/// then every event the core commits after it, read from one shared log of recent frames at the board's own
/// position: a slow board only falls behind, it never slows the core or makes the server hold more per board than
/// one chunk. The outlook boards draw is timed by the core once for all of them (`OutlookPublisher`) while boards
/// follow, and goes into the same log. Snapshots are written on a thread of their own (`SnapshotMaker`: tens of
/// milliseconds at 500 riders) when a board needs one and the latest is more than `freshEvents` behind the core, so
/// the core never waits for one and a board attaching applies at most a few hundred events after it; boards
/// attaching together share one. A board more than `maxBacklog` behind gets a fresh snapshot instead of the frames
/// it missed, so the log holds only the recent past. The clock's status is sent to a board once it has caught up,
/// at most five times a second, latest only.
///
/// Who a client is comes from the kernel (the socket's peer credentials: uid → login name), and the role from the
/// roster; a client's word is only a wish for a lower role.
public final class CoreServer {
    public let socketPath: String
    private let listener: Int32
    private let acceptor: Acceptor
    private let session: CoreSession
    private let roster: Roster?
    private let journalPath: String
    private let planLock: Instant
    /// The recent events and outlooks as frames: boards read what follows their snapshot from it.
    private var log = FrameLog()
    private var logEnd: Int { log.end }
    /// The `OutlookPublisher` version last put in the log.
    private var outlookSent = 0
    /// The latest snapshot written, and the stream position of the one being written.
    private var snapshot: SnapshotMaker.Made?
    private let maker = SnapshotMaker()
    private var writing: Int?
    private var clients: [Client] = []

    /// More connections than this are refused with the reason.
    public static let maxClients = 64
    /// The most queued for one client at a time; the rest is read from the log when it has taken that.
    static let chunkBytes = 256 * 1024
    /// A board further behind than this (bytes of events) gets a fresh snapshot rather than the events it missed.
    var maxBacklog = 8 * 1024 * 1024
    /// A board takes the latest snapshot when the core has committed at most this many events since (or when it was
    /// started after the board began to wait); else a new one is written for it.
    public static let defaultFreshEvents: Int64 = 250
    var freshEvents = CoreServer.defaultFreshEvents
    /// The oldest outlook (in the day's seconds) a board's first frame may draw.
    static let outlookAge: Int64 = 600
    /// A client must say who it is (`attach`) this soon after connecting.
    static let attachDeadline = 10.0
    /// The longest message a client may send.
    static let maxClientLine = 64 * 1024
    /// A client's next commands are read only while less than this waits to be sent to it: one that sends commands
    /// and does not read the replies holds this much of the core's memory, and the rest waits in its socket. (A
    /// board taking a snapshot of several megabytes sends its commands once it has read most of it.)
    static let maxPendingBytes = 1 << 20

    final class Client {
        let connection: FramedConnection
        let connected = Date()
        var identity: OperatorIdentity?
        var follows = false
        /// Since when it waits for a snapshot it can start from (just attached, or too far behind); nil when not.
        var waitingSince: Date?
        var awaitsSnapshot: Bool { waitingSince != nil }
        /// Whether its next commands may be read (`maxPendingBytes`).
        var hasRoom: Bool { connection.pendingBytes < CoreServer.maxPendingBytes }
        /// Where in the stream this client has read to (always at a frame's end).
        var cursor = 0
        var lastStatus: CoreStatus?
        var statusSent = Date.distantPast
        var ending: String?

        /// A client sends only short lines (attach, commands): a small read buffer each.
        init(fd: Int32) { connection = FramedConnection(fd: fd, maxLine: CoreServer.maxClientLine, readSize: 1 << 16) }
    }

    /// Listens on `socketPath` for the core of `session`, whose journal is at `journalPath`.
    public init(socketPath: String, session: CoreSession, roster: Roster?, journalPath: String, planLock: Instant) throws {
        self.socketPath = socketPath
        self.session = session
        self.roster = roster
        self.journalPath = journalPath
        self.planLock = planLock
        session.engine.sync()
        FileLimit.raiseToHard()
        listener = try UnixSocket.listen(path: socketPath)
        acceptor = Acceptor(listener: listener)
        let previous = session.onEvent
        let offset = session.engine.world.utcOffsetSeconds
        session.onEvent = { [unowned self] event in
            previous?(event)
            self.log.append(ServiceFrame.event(EventCodec.encode(event, utcOffsetSeconds: offset)).encoded())
        }
    }

    /// The bytes of recent events held for boards.
    var logBytes: Int { log.count }

    /// Boards and other clients attached now.
    public var clientCount: Int { clients.count }
    /// The most bytes waiting to be sent to one client (what a test of a client that reads nothing watches).
    var mostPendingBytes: Int { clients.map(\.connection.pendingBytes).max() ?? 0 }

    /// One pass: waits up to `timeout` milliseconds for a connection, a message or room to write, then handles
    /// what came and writes what each client is owed.
    public func serve(timeout: Int32) {
        var fds = descriptors()
        _ = poll(&fds, nfds_t(fds.count), timeout)
        handle(fds[...])
    }

    /// What to wait for: new connections, messages, room to write for a client owed events.
    public func descriptors() -> [pollfd] {
        var fds = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
        for client in clients {
            let owed = client.connection.pendingBytes > 0 || (client.follows && client.cursor < logEnd)
            fds.append(pollfd(fd: client.connection.fd, events: (client.hasRoom ? Int16(POLLIN) : 0) | (owed ? Int16(POLLOUT) : 0), revents: 0))
        }
        return fds
    }

    /// Handles what `descriptors()` polled (in the same order), then writes what each client is owed.
    public func handle(_ ready: ArraySlice<pollfd>) {
        takeSnapshot()
        publishOutlook()
        let fds = Array(ready)
        if !fds.isEmpty, fds[0].revents & Int16(POLLIN) != 0 { acceptWaiting() }
        for (index, client) in clients.enumerated() where index + 1 < fds.count && fds[index + 1].revents != 0 && client.hasRoom {
            read(client)
        }
        let now = Date()
        for client in clients {
            if client.identity == nil, now.timeIntervalSince(client.connected) > Self.attachDeadline {
                client.ending = "did not say who it is within \(Int(Self.attachDeadline)) s"
            }
            if client.ending == nil { write(client, now: now) }
        }
        clients.removeAll { client in
            guard client.ending != nil else { return false }
            client.connection.close()
            return true
        }
        startSnapshotIfDue()
        trimLog()
    }

    /// Closes every connection and removes the socket file.
    public func close() {
        for client in clients { client.connection.flush(); client.connection.close() }
        clients.removeAll()
        Glibc.close(listener)
        unlink(socketPath)
    }

    private func acceptWaiting() {
        while let fd = acceptor.next(refusal: ServiceFrame.refused("the core has no file descriptors left: try again shortly").encoded()) {
            let client = Client(fd: fd)
            if clients.count >= Self.maxClients {
                refuse(client, "the core has \(Self.maxClients) clients attached, its most")
                continue
            }
            clients.append(client)
            // A client says who it is as soon as it connects: its attach is mostly here already, so it is answered
            // in this pass rather than after the core's next step.
            read(client)
        }
    }

    private func read(_ client: Client) {
        let (lines, ended) = client.connection.read()
        for line in lines where client.ending == nil {
            let frame: ServiceFrame
            do { frame = try ServiceFrame.decode(line) } catch {
                refuse(client, "\(error)")
                return
            }
            switch frame {
            case let .attach(request) where client.identity == nil: attach(client, request)
            case let .command(id, command):
                guard let identity = client.identity else { refuse(client, "say who you are (attach) before a command"); return }
                let reply = session.perform(command, by: identity)
                if client.follows { queueEvents(client) }
                client.connection.queue(ServiceFrame.reply(id: id, reply).encoded())
            default:
                refuse(client, "a client sends attach once, then commands")
                return
            }
        }
        if let ended, client.ending == nil { client.ending = ended }
    }

    private func attach(_ client: Client, _ request: ServiceFrame.AttachRequest) {
        guard let uid = UnixSocket.peerUser(client.connection.fd) else {
            refuse(client, "the kernel does not say who is connecting")
            return
        }
        let name = UnixSocket.loginName(uid)
        if let problem = OperatorIdentity.problem(name: name) {
            refuse(client, "the login name \(TextSanitizer.quoted(name)) cannot name decisions in the journal: \(problem)")
            return
        }
        let role: Role
        if let roster {
            do { role = try roster.grant(request.role, to: name) } catch {
                refuse(client, "\(error): ask for a line in the roster")
                return
            }
        } else {
            role = request.role ?? .dispatcher
        }
        let identity = OperatorIdentity(name: name, role: role)
        client.identity = identity
        client.follows = request.follow
        if request.follow {
            client.waitingSince = Date()
        } else {
            client.connection.queue(hello(for: identity, seq: session.engine.world.lastSeq))
        }
    }

    private func hello(for identity: OperatorIdentity, seq: Int64) -> [UInt8] {
        let policy = session.engine.settings.policy
        return ServiceFrame.hello(ServiceHello(identity: identity, journal: journalPath, seq: seq, planLock: planLock,
                                               costLimit: policy.costLimit, decisionHorizon: policy.decisionHorizon)).encoded()
    }

    /// Whether a board can start from `snapshot`: the events since are still in the log, not too many, and its
    /// outlook is recent (a board's first frame draws it).
    private func usable(_ snapshot: SnapshotMaker.Made) -> Bool {
        snapshot.end >= log.base && logEnd - snapshot.end <= maxBacklog / 2 && recent(snapshot.outlookAt)
    }

    /// Whether an outlook timed at `instant` is recent enough for a board's first frame. Boards that follow keep
    /// the outlook fresh; one attaching after nobody watched for a while waits for a new one.
    private func recent(_ instant: Instant) -> Bool { session.now - instant <= Self.outlookAge }

    /// Whether a board waiting since `since` may start from `snapshot`: usable, and fresh (few events behind the
    /// core) or written since the board began to wait.
    private func suits(_ snapshot: SnapshotMaker.Made, waitingSince since: Date) -> Bool {
        usable(snapshot) && (snapshot.taken >= since || session.engine.world.lastSeq - snapshot.seq <= freshEvents)
    }

    /// Times the boards' outlook while boards follow, and puts each new one in the log. A new timing waits while a
    /// snapshot is written: boards attaching wait for that one, so it goes first.
    private func publishOutlook() {
        guard clients.contains(where: \.follows) else { return }
        if writing == nil { session.refreshOutlook() }
        guard session.outlooks.version != outlookSent, let latest = session.outlooks.latest else { return }
        outlookSent = session.outlooks.version
        do { log.append(ServiceFrame.outlook(try latest.encoded()).encoded()) } catch {
            for client in clients where client.follows { refuse(client, "the core's outlook could not be written: \(error)") }
        }
    }

    /// Takes a snapshot the maker has finished; a failure is told to the boards waiting for one.
    private func takeSnapshot() {
        guard let result = maker.take() else { return }
        writing = nil
        switch result {
        case let .success(made): snapshot = made
        case let .failure(error): for client in clients where client.awaitsSnapshot { refuse(client, error.message) }
        }
    }

    /// Starts a snapshot when a board waits for one and the latest will not do.
    private func startSnapshotIfDue() {
        // A snapshot carries the boards' outlook: it waits for a recent one.
        guard writing == nil, let outlook = session.outlooks.latest, recent(outlook.at) else { return }
        let due = clients.contains { client in
            guard client.ending == nil, let since = client.waitingSince else { return false }
            return snapshot.map { !suits($0, waitingSince: since) } ?? true
        }
        guard due else { return }
        writing = logEnd
        maker.start(CoreSnapshot(session: session), end: logEnd)
    }

    private func write(_ client: Client, now: Date) {
        if client.follows {
            if client.connection.pendingBytes == 0, !client.awaitsSnapshot, logEnd - client.cursor > maxBacklog || client.cursor < log.base {
                client.waitingSince = now
            }
            if let since = client.waitingSince, client.connection.pendingBytes == 0, let snapshot, suits(snapshot, waitingSince: since),
               let identity = client.identity {
                client.connection.queue(hello(for: identity, seq: snapshot.seq))
                client.connection.queue(snapshot.frame)
                client.cursor = snapshot.end
                client.waitingSince = nil
                client.lastStatus = nil
            }
            queueEvents(client)
            if !client.awaitsSnapshot, client.cursor == logEnd, client.connection.pendingBytes < Self.chunkBytes, now.timeIntervalSince(client.statusSent) >= 0.2 {
                let status = session.status
                if status != client.lastStatus {
                    client.connection.queue(ServiceFrame.status(status).encoded())
                    client.lastStatus = status
                    client.statusSent = now
                }
            }
        }
        if let failed = client.connection.flush() { client.ending = failed }
    }

    /// Queues the next chunk of the log this client has not had, ending at a frame's end.
    private func queueEvents(_ client: Client) {
        guard client.identity != nil, !client.awaitsSnapshot, client.connection.pendingBytes < Self.chunkBytes, client.cursor >= log.base,
              client.cursor < logEnd else { return }
        let (bytes, next) = log.chunk(from: client.cursor, limit: Self.chunkBytes)
        client.connection.queue(Array(bytes))
        client.cursor = next
    }

    /// Drops the part of the log that no board within `maxBacklog`, no usable snapshot and no snapshot being written
    /// still needs (a megabyte at a time, or the backlog if less: the rest of the log moves down).
    private func trimLog() {
        var needed = min(writing ?? logEnd, snapshot.flatMap { usable($0) ? $0.end : nil } ?? logEnd)
        for client in clients where client.follows && !client.awaitsSnapshot && logEnd - client.cursor <= maxBacklog {
            needed = min(needed, client.cursor)
        }
        guard needed - log.base >= min(1 << 20, maxBacklog) else { return }
        log.drop(through: needed)
    }

    private func refuse(_ client: Client, _ reason: String) {
        client.connection.queue(ServiceFrame.refused(TextSanitizer.clean(reason)).encoded())
        client.connection.flush()
        client.ending = reason
        if !clients.contains(where: { $0 === client }) { client.connection.close() }
    }
}
