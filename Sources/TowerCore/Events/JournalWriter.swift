import Foundation

/// Appends events to a JSON-lines journal, a step at a time.
///
/// Durability policy (the README repeats it):
/// - `.live`: the lines of each engine step (an input and the decisions it set off) are handed to the kernel in
///   one `write(2)` when the step ends, before any of its effects leave the process (a message, a reply), so a
///   crash of Tower loses no step it acted on; `fsync(2)` runs at most once a second (`syncIfDue`) and on close,
///   so a power cut loses at most the last second.
/// - `.batch`: steps are buffered (64 KiB) and written when the buffer fills and on close; used by headless
///   runs (`simulate`, `generate`), which can be re-run from their seed.
///
/// A step of several events carries its size on its first line (`"n": K`). A journal whose last step has fewer
/// lines than that was cut short by a crash mid-write (a large step needs several writes, and a kill can land
/// between them): `Replayer` reports it, and a resume cuts it off and makes the step again.
/// Opening an existing journal cuts a torn last line (a crash mid-write) so new lines never merge into it.
public final class JournalWriter {
    public enum Durability: Sendable { case live, batch }

    public var path: String { file.path }
    public let utcOffsetSeconds: Int
    private let durability: Durability
    private let file: AppendOnlyFile
    /// The events of the step under way.
    private var step: [Event] = []
    public private(set) var writeTime = DurationTally()
    /// While on (live mode), ended steps wait in the buffer for `flush()` instead of a write(2) each: for a caller
    /// that flushes before anything of them leaves the process (the HTTP server's group commit, once per pass).
    private var holding = false

    public init(path: String, utcOffsetSeconds: Int, durability: Durability) throws {
        self.utcOffsetSeconds = utcOffsetSeconds
        self.durability = durability
        file = try AppendOnlyFile(path: path, what: "journal")
    }

    /// Cuts a journal at `offset` (where a step a crash cut short begins, see `Replayer`), before it is resumed.
    public static func cut(path: String, at offset: Int64) throws {
        guard truncate(path, off_t(offset)) == 0 else {
            throw ToolError("cannot cut the unfinished last step off \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Adds one event to the step under way.
    public func append(_ event: Event) throws {
        step.append(event)
    }

    /// Ends the step: its lines go to the file's buffer, and to the kernel now in live mode.
    /// - Throws: when they cannot be written; the file then holds none of the step.
    public func endStep() throws {
        guard !step.isEmpty else { return }
        try writeTime.time {
            for (index, event) in step.enumerated() {
                file.append(line: EventCodec.encode(event, utcOffsetSeconds: utcOffsetSeconds, stepSize: index == 0 && step.count > 1 ? step.count : nil))
            }
            step.removeAll(keepingCapacity: true)
            if durability == .live && !holding || file.buffered >= 64 * 1024 { try flush() }
        }
    }

    public func hold(_ on: Bool) { holding = on }

    /// Writes buffered lines to the kernel.
    public func flush() throws {
        try file.flush()
    }

    public func duplicateDescriptor() -> Int32? { file.duplicateDescriptor() }

    public func syncIfDue() { file.syncIfDue() }
    public func sync() {
        try? endStep()
        file.sync()
    }

    public func close() {
        try? endStep()
        file.close()
    }
}
