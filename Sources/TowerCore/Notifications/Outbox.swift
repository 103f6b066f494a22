/// The customer messages of one journal, written once each to a JSON-lines file that notification services
/// (or `WebhookRelay`) read.
///
/// The journal is the source of truth: every `customer.notified` event in it is a message. Messages are buffered
/// as the engine commits them and written by `flush()`, which callers run after the journal's own write, so the
/// outbox never holds a message its journal lacks; `catchUp(journal:world:)` at start adds what a crash left
/// out. A message whose id is already in the file is never written again.
public final class Outbox {
    private let file: AppendOnlyFile
    private let utcOffsetSeconds: Int
    private var written: Set<String> = []
    public var path: String { file.path }
    /// Messages in the file (and in the buffer).
    public var count: Int { written.count }

    /// Opens (or creates) the outbox at `path` and reads the ids it holds; a line that is not a message is an
    /// error naming it (the file is someone's record of what customers were told, so it is never rewritten).
    public init(path: String, utcOffsetSeconds: Int) throws {
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

    /// Takes a committed event: a `customer.notified` not yet in the outbox is buffered as a message.
    /// - Returns: whether it was new.
    @discardableResult
    public func take(_ event: Event, world: World) -> Bool {
        guard case let .customerNotified(order, _, _, _) = event.body, !written.contains(event.id),
              let message = OutboxMessage(event: event, contact: world.orders[order]?.contactToken ?? "") else { return false }
        written.insert(event.id)
        file.append(line: message.json(utcOffsetSeconds: utcOffsetSeconds))
        return true
    }

    /// Adds the messages of `journal` that the outbox lacks (a crash between the two writes), in journal order.
    /// - Returns: how many were added.
    public func catchUp(journal: String, world: World) throws -> Int {
        var added = 0
        let type = Array("\"customer.notified\"".utf8)
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
