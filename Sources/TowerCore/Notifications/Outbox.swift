/// The messages of one journal to the people outside, written once each to a JSON-lines file that notification
/// services (or `WebhookRelay`) read: to customers (`Kind.customers`) or to riders (`Kind.riders`).
///
/// The journal is the source of truth: every `customer.notified` event in it is a customer message; every
/// `route.planned` that changes a rider's stops to come (their orders or their order, not only their times) is a
/// message to the rider with the stops as they are now. Messages are buffered
/// as the engine commits them and written by `flush()`, which callers run after the journal's own write, so the
/// outbox never holds a message its journal lacks; `catchUp(journal:world:)` at start adds what a crash left
/// out. A message whose id is already in the file is never written again.
public final class Outbox {
    public enum Kind: Sendable {
        case customers
        case riders

        var eventType: String { self == .customers ? "customer.notified" : "route.planned" }
    }

    public let kind: Kind
    private let file: AppendOnlyFile
    private let utcOffsetSeconds: Int
    private var written: Set<String> = []
    /// The stops each rider was last told of (orders and kinds), so a re-timing alone sends nothing. Rebuilt by
    /// `catchUp` from the journal, messages already written included.
    private var told: [String: [String]] = [:]
    public var path: String { file.path }
    /// Messages in the file (and in the buffer).
    public var count: Int { written.count }

    /// Opens (or creates) the outbox at `path` and reads the ids it holds; a line that is not a message is an
    /// error naming it (the file is someone's record of what customers were told, so it is never rewritten).
    public init(path: String, utcOffsetSeconds: Int, kind: Kind = .customers) throws {
        self.kind = kind
        self.utcOffsetSeconds = utcOffsetSeconds
        file = try AppendOnlyFile(path: path, what: "outbox")
        var ids: Set<String> = []
        try JournalReader.lines(path: path) { number, line, _ in
            do { ids.insert(try OutboxMessage.id(ofLine: line)) } catch {
                throw ToolError("outbox \(path) line \(number): \(error)")
            }
            return true
        }
        written = ids
    }

    /// Takes a committed event: one that makes a message not yet in the outbox is buffered.
    /// - Returns: whether it was new.
    @discardableResult
    public func take(_ event: Event, world: World) -> Bool {
        switch (kind, event.body) {
        case let (.customers, .customerNotified(order, _, _, _)):
            guard !written.contains(event.id), let message = OutboxMessage(event: event, contact: world.orders[order]?.contactToken ?? "") else { return false }
            written.insert(event.id)
            file.append(line: message.json(utcOffsetSeconds: utcOffsetSeconds))
            return true
        case let (.riders, .routePlanned(rider, stops, trigger, _, _)):
            let sequence = stops.map { "\($0.kind.rawValue) \($0.order)" }
            guard told[rider, default: []] != sequence else { return false }
            told[rider] = sequence
            guard !written.contains(event.id) else { return false }
            written.insert(event.id)
            file.append(line: RouteNotice(id: event.id, at: event.at, rider: rider, stops: stops, trigger: trigger, world: world)
                .json(utcOffsetSeconds: utcOffsetSeconds))
            return true
        default:
            return false
        }
    }

    /// Adds the messages of `journal` that the outbox lacks (a crash between the two writes), in journal order.
    /// - Returns: how many were added.
    public func catchUp(journal: String, world: World) throws -> Int {
        var added = 0
        let type = Array("\"\(kind.eventType)\"".utf8)
        try JournalReader.lines(path: journal) { _, line, complete in
            guard complete, Outbox.contains(line, type) else { return true }
            if case let .event(event, _) = JournalReader.decode(line), take(event, world: world) { added += 1 }
            return true
        }
        try flush()
        return added
    }

    /// Writes buffered messages to the kernel.
    public func flush() throws { try file.flush() }
    public func sync() { file.sync() }

    private static func contains(_ line: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard line.count >= needle.count else { return false }
        return (0...(line.count - needle.count)).contains { start in
            line[start] == needle[0] && zip(line[start...], needle).allSatisfy { $0 == $1 }
        }
    }
}
