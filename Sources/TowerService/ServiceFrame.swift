import Foundation
import TowerCore

/// The messages between `tower serve` and its clients on the Unix socket: one per line, a word naming the kind,
/// a space, then JSON (for events, the journal's own line, so a board applies exactly what was journaled). The
/// snapshot is binary and goes sized (`FramedConnection.sized`: a line `#N`, then N bytes).
///
///     client → server   attach {"role":"supervisor","follow":true}      first, once
///                       command {"id":1,"command":{"approve":{...}}}
///     server → client   hello {...}                                      first; or refused {...} and close
///                       #N, snapshot BYTES                               the core at journal position N (boards only)
///                       event {journal line}                             each event after N
///                       #N, outlook BYTES                                each outlook the core times for its boards
///                       status {...}                                     the clock, whenever it changes
///                       reply {"id":1,"reply":{"outcome":"done",...}}
public enum ServiceFrame: Sendable {
    case attach(AttachRequest)
    case command(id: Int, OperatorCommand)
    case hello(ServiceHello)
    case refused(String)
    /// A `CoreSnapshot` in `CompactEncoder`'s form, decoded by the board that takes it (`SnapshotMaker` writes one
    /// for every board attaching until the next). Sized bytes, as `outlook`.
    case snapshot([UInt8])
    case event([UInt8])
    /// A `TimedOutlook` in `CompactEncoder`'s form: the outlook the core timed for every board (a board draws it
    /// and times none itself).
    case outlook([UInt8])
    case status(CoreStatus)
    case reply(id: Int, CommandReply)

    /// What a client asks for when it connects. The role is a wish: with a roster, the roster's role (or a lower
    /// one asked for) is granted; without one, it is taken on trust.
    public struct AttachRequest: Codable, Sendable {
        public var role: Role?
        /// Whether to receive the core's events (a board); `tower decide` only sends a command.
        public var follow: Bool
        public init(role: Role?, follow: Bool) {
            self.role = role
            self.follow = follow
        }
    }

    /// Encoded as one line, with its newline.
    public func encoded() -> [UInt8] {
        func json(_ word: String, _ value: some Encodable) -> [UInt8] {
            let data = (try? ServiceFrame.encoder.encode(value)) ?? Data("{}".utf8)
            return Array(word.utf8) + [0x20] + Array(data) + [0x0A]
        }
        switch self {
        case let .attach(request): return json("attach", request)
        case let .command(id, command): return json("command", Numbered(id: id, command: command))
        case let .hello(hello): return json("hello", hello)
        case let .refused(reason): return json("refused", ["reason": reason])
        case let .snapshot(bytes): return FramedConnection.sized(Array("snapshot ".utf8) + bytes)
        case let .event(line): return Array("event ".utf8) + line + [0x0A]
        case let .outlook(bytes): return FramedConnection.sized(Array("outlook ".utf8) + bytes)
        case let .status(status): return json("status", status)
        case let .reply(id, reply): return json("reply", Numbered(id: id, reply: reply))
        }
    }

    /// Decodes one line (without its newline); an unknown kind or bad JSON is an error naming it.
    public static func decode(_ line: [UInt8]) throws -> ServiceFrame {
        let space = line.firstIndex(of: 0x20) ?? line.endIndex
        let word = String(decoding: line[line.startIndex..<space], as: UTF8.self)
        let body = space < line.endIndex ? line[(space + 1)...] : []
        func json<T: Decodable>(_ type: T.Type) throws -> T {
            do { return try decoder.decode(type, from: Data(body)) } catch {
                throw ToolError("a '\(TextSanitizer.clean(String(word.prefix(20))))' message that is not valid: \(DecodingFailure.describe(error))")
            }
        }
        switch word {
        case "attach": return .attach(try json(AttachRequest.self))
        case "command":
            let numbered = try json(Numbered.self)
            guard let command = numbered.command else { throw ToolError("a command message without its command") }
            return .command(id: numbered.id, command)
        case "hello": return .hello(try json(ServiceHello.self))
        case "refused": return .refused(try json([String: String].self)["reason"] ?? "refused")
        case "snapshot": return .snapshot(Array(body))
        case "event": return .event(Array(body))
        case "outlook": return .outlook(Array(body))
        case "status": return .status(try json(CoreStatus.self))
        case "reply":
            let numbered = try json(Numbered.self)
            guard let reply = numbered.reply else { throw ToolError("a reply message without its reply") }
            return .reply(id: numbered.id, reply)
        default: throw ToolError("an unknown message '\(TextSanitizer.clean(String(word.prefix(20))))'")
        }
    }

    private struct Numbered: Codable {
        var id: Int
        var command: OperatorCommand?
        var reply: CommandReply?
    }

    private static let encoder = JSONEncoder()
    private static let decoder = JSONDecoder()
}

/// What the server tells a client when it attaches: who the core takes it to be, and the policy figures a board
/// shows. For a board, the core's snapshot at journal position `seq` follows, then every event after it.
public struct ServiceHello: Codable, Sendable {
    /// The protocol's version; a client refuses one it does not speak.
    public static let currentVersion = 6
    public var version = ServiceHello.currentVersion
    public var identity: OperatorIdentity
    public var journal: String
    /// The journal position the snapshot ends at.
    public var seq: Int64
    public var planLock: Int64
    public var costLimit: Double
    public var decisionHorizon: Int64

    public init(identity: OperatorIdentity, journal: String, seq: Int64, planLock: Instant, costLimit: Double, decisionHorizon: Int64) {
        self.identity = identity
        self.journal = journal
        self.seq = seq
        self.planLock = planLock.seconds
        self.costLimit = costLimit
        self.decisionHorizon = decisionHorizon
    }
}
