import Foundation
import TowerCore
import TowerService

/// A board attached to `tower serve` over its socket. It keeps a copy of the core (`CoreMirror`) made from the
/// core's snapshot and the events that follow, and sends commands the core answers. When the server goes away it says
/// so and reattaches every second; a fresh snapshot then replaces the copy, so nothing is missed.
public final class RemoteLink: CoreLink {
    public let socketPath: String
    private let request: ServiceFrame.AttachRequest
    private var client: ServiceClient?
    private var mirror: CoreMirror
    private var hello: ServiceHello
    public private(set) var status: CoreStatus
    public private(set) var generation = 0
    private var retryAt = Date.distantPast
    /// Commands sent and not yet answered: a lost connection loses their replies, and the board is told.
    private var unanswered: Set<Int> = []

    /// Connects and waits (up to `timeout` seconds) for the server's hello and its snapshot; a refusal or no
    /// server is an error.
    public init(socketPath: String, role: Role?, timeout: Double = 5) throws {
        self.socketPath = socketPath
        request = ServiceFrame.AttachRequest(role: role, follow: true)
        let client = try ServiceClient(socketPath: socketPath, request: request)
        let deadline = Date().addingTimeInterval(timeout)
        var greeting: ServiceHello?
        var copy: CoreMirror?
        var after: [ServiceFrame] = []
        while copy == nil {
            let (frames, ended) = client.receive(timeout: 100)
            for frame in frames {
                switch frame {
                case let .hello(hello) where copy == nil:
                    guard hello.version == ServiceHello.currentVersion else {
                        throw ToolError("socket \(socketPath): the core speaks protocol \(hello.version), this board \(ServiceHello.currentVersion): use the same build")
                    }
                    greeting = hello
                case let .snapshot(bytes) where copy == nil:
                    guard let hello = greeting else { throw ToolError("socket \(socketPath): the core sent a snapshot before its hello") }
                    copy = try Self.mirror(bytes, hello: hello, socketPath: socketPath)
                case let .refused(reason): throw ToolError("socket \(socketPath): the core refused: \(reason)")
                default: after.append(frame)
                }
            }
            if copy == nil, let ended { throw ToolError("socket \(socketPath): \(ended)") }
            if copy == nil, Date() > deadline { throw ToolError("socket \(socketPath): the core's snapshot did not arrive within \(Int(timeout)) s") }
        }
        hello = greeting!
        mirror = copy!
        status = CoreStatus(now: hello.planLock, seq: hello.seq, speed: 0, paused: true, held: nil, label: "attaching", deadLetters: 0,
                            finished: false, finishedMessage: "", halted: nil)
        self.client = client
        _ = take(after)
        if self.client == nil { throw ToolError("socket \(socketPath): the events after the core's snapshot do not fit it") }
    }

    /// The copy a snapshot makes.
    private static func mirror(_ bytes: [UInt8], hello: ServiceHello, socketPath: String) throws -> CoreMirror {
        do {
            return CoreMirror(try CoreSnapshot.decode(bytes), planLock: Instant(seconds: hello.planLock))
        } catch {
            throw ToolError("socket \(socketPath): the core's snapshot does not read: \(error)")
        }
    }

    public var identity: OperatorIdentity { hello.identity }
    public var world: World { mirror.world }
    public var costLimit: Double { hello.costLimit }
    public var decisionHorizon: Int64 { hello.decisionHorizon }
    public var recent: [String] { mirror.log.lines }
    public var trend: KPITrend? { mirror.trend }
    public var outlook: TimedOutlook { mirror.outlook }

    public func send(_ command: OperatorCommand) -> Int {
        guard let client, let id = client.send(command) else { return -1 }
        unanswered.insert(id)
        return id
    }

    public func pump(elapsed: Double) -> [LinkNote] {
        guard let client else { return reattach() }
        let (frames, ended) = client.receive(timeout: 0)
        var notes = take(frames)
        if let ended { notes += lose("disconnected: \(ended)") }
        return notes
    }

    /// Applies what the server sent; an event that does not fit the copy drops the connection for a fresh snapshot.
    private func take(_ frames: [ServiceFrame]) -> [LinkNote] {
        var notes: [LinkNote] = []
        for frame in frames {
            switch frame {
            case let .hello(greeting):
                hello = greeting
                notes.append(.note("attached to \(socketPath) as \(greeting.identity.name) (\(greeting.identity.role.rawValue))"))
            case let .snapshot(bytes):
                do { mirror = try Self.mirror(bytes, hello: hello, socketPath: socketPath) } catch {
                    return notes + lose("\(error): reattaching")
                }
                generation += 1
            case let .event(line):
                do { try mirror.apply(EventCodec.decode(line: line).event) } catch {
                    return notes + lose("the board's copy parted from the core (\(error.reason)): reattaching")
                }
            case let .outlook(bytes):
                do { mirror.take(try TimedOutlook.decode(bytes)) } catch {
                    return notes + lose("the core's outlook does not read (\(error)): reattaching")
                }
            case let .status(newStatus):
                status = newStatus
            case let .reply(id, reply):
                unanswered.remove(id)
                notes.append(.reply(id: id, reply))
            case let .refused(reason):
                notes.append(.note("the core refused: \(reason)"))
            case .attach, .command:
                break
            }
        }
        return notes
    }

    private func lose(_ why: String) -> [LinkNote] {
        client?.close()
        client = nil
        retryAt = Date().addingTimeInterval(1)
        status.label = "disconnected: retrying"
        var notes = [LinkNote.note(TextSanitizer.clean(why) + " (retrying every second)")]
        if !unanswered.isEmpty {
            notes.append(.note("\(unanswered.count) command(s) sent got no answer before the connection was lost: look before sending again"))
            unanswered.removeAll()
        }
        return notes
    }

    private func reattach() -> [LinkNote] {
        guard Date() >= retryAt else { return [] }
        retryAt = Date().addingTimeInterval(1)
        guard let fresh = try? ServiceClient(socketPath: socketPath, request: request) else { return [] }
        client = fresh
        return []
    }
}
