import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

    public let path: String
    public let utcOffsetSeconds: Int
    private let durability: Durability
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var lastSync = Date()
    private var unsynced = false

    public init(path: String, utcOffsetSeconds: Int, durability: Durability) throws {
        self.path = path
        self.utcOffsetSeconds = utcOffsetSeconds
        self.durability = durability
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)  // read too: to find a torn tail
        guard fd >= 0 else { throw ToolError("cannot open journal \(path): \(String(cString: strerror(errno)))") }
        try JournalWriter.cutTornTail(fd: fd, path: path)
        buffer.reserveCapacity(64 * 1024)
    }

    deinit { close() }

    /// Appends one event as a line.
    public func append(_ event: Event) throws {
        buffer.append(contentsOf: EventCodec.encode(event, utcOffsetSeconds: utcOffsetSeconds))
        buffer.append(UInt8(ascii: "\n"))
        if durability == .live || buffer.count >= 64 * 1024 { try flush() }
    }

    /// Writes buffered lines to the kernel.
    public func flush() throws {
        guard !buffer.isEmpty, fd >= 0 else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ToolError("cannot write journal \(path): \(String(cString: strerror(errno)))")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
        unsynced = true
    }

    /// `fsync`s when a second has passed since the last one; called from the live loop.
    public func syncIfDue() {
        try? flush()
        if unsynced, Date().timeIntervalSince(lastSync) >= 1 { sync() }
    }

    /// Forces everything to disk.
    public func sync() {
        try? flush()
        if fd >= 0 { fsync(fd) }
        unsynced = false
        lastSync = Date()
    }

    private var closed = false
    public func close() {
        guard !closed else { return }
        closed = true
        sync()
        _ = Glibc.close(fd)
    }

    /// Truncates the file after its last newline when the tail is an incomplete line.
    private static func cutTornTail(fd: Int32, path: String) throws {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return }
        var byte: UInt8 = 0
        guard pread(fd, &byte, 1, size - 1) == 1, byte != UInt8(ascii: "\n") else { return }
        var end = size - 1
        let chunk = 4096
        var keep: off_t = 0
        var block = [UInt8](repeating: 0, count: chunk)
        search: while end > 0 {
            let start = max(0, end - off_t(chunk))
            let count = Int(end - start)
            _ = block.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, count, start) }
            for i in stride(from: count - 1, through: 0, by: -1) where block[i] == UInt8(ascii: "\n") {
                keep = start + off_t(i) + 1
                break search
            }
            end = start
        }
        guard ftruncate(fd, keep) == 0 else {
            throw ToolError("cannot cut the torn last line of \(path): \(String(cString: strerror(errno)))")
        }
    }
}
