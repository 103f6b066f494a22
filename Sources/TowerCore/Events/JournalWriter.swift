import Foundation

/// Appends events to a JSON-lines journal.
///
/// Durability policy (the README repeats it):
/// - `.live`: every line is handed to the kernel with `write(2)` before the event is applied, so a crash of
///   Tower loses nothing; `fsync(2)` runs at most once a second (`syncIfDue`) and on close, so a power cut
///   loses at most the last second.
/// - `.batch`: lines are buffered (64 KiB) and written when the buffer fills and on close; used by headless
///   runs (`simulate`, `generate`), which can be re-run from their seed.
/// Opening an existing journal cuts a torn last line (a crash mid-write) so new lines never merge into it.
public final class JournalWriter {
    public enum Durability: Sendable { case live, batch }

    public var path: String { file.path }
    public let utcOffsetSeconds: Int
    private let durability: Durability
    private let file: AppendOnlyFile

    public init(path: String, utcOffsetSeconds: Int, durability: Durability) throws {
        self.utcOffsetSeconds = utcOffsetSeconds
        self.durability = durability
        file = try AppendOnlyFile(path: path, what: "journal")
    }

    /// Appends one event as a line.
    public func append(_ event: Event) throws {
        file.append(line: EventCodec.encode(event, utcOffsetSeconds: utcOffsetSeconds))
        if durability == .live || file.buffered >= 64 * 1024 { try flush() }
    }

    /// Writes buffered lines to the kernel.
    public func flush() throws {
        try file.flush()
    }

    public func syncIfDue() { file.syncIfDue() }
    public func sync() { file.sync() }
    public func close() { file.close() }
}
