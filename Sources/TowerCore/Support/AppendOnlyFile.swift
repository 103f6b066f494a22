import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file that only grows by whole lines: the journal, the outbox, the delivery ledger, dead letters.
///
/// Lines are buffered and handed to the kernel with `write(2)` by `flush()`; `sync()` adds `fsync(2)`.
/// Opening an existing file cuts a torn last line (a crash mid-write) so new lines never merge into it.
public final class AppendOnlyFile {
    public let path: String
    private let what: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private var lastSync = Date()
    private var unsynced = false
    private var closed = false

    /// - Parameter what: what the file is, for error messages ("journal", "outbox").
    public init(path: String, what: String) throws {
        self.path = path
        self.what = what
        try WholeFile.requireRegular(path, what: what)
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)  // read too: to find a torn tail
        guard fd >= 0 else { throw ToolError("cannot open \(what) \(path): \(String(cString: strerror(errno)))") }
        do { try AppendOnlyFile.cutTornTail(fd: fd, path: path) } catch {
            _ = Glibc.close(fd)
            throw error
        }
    }

    deinit { close() }

    /// The number of bytes waiting for `flush()`.
    public var buffered: Int { buffer.count }

    /// Adds one line (a newline is appended) to the buffer.
    public func append<Bytes: Sequence>(line: Bytes) where Bytes.Element == UInt8 {
        buffer.append(contentsOf: line)
        buffer.append(UInt8(ascii: "\n"))
    }

    /// Writes buffered lines to the kernel, all or nothing: when a write fails part-way (a full disk), the file is
    /// cut back to where it was, so it holds only whole lines and a retry never repeats bytes; the lines stay in
    /// the buffer.
    public func flush() throws {
        guard !buffer.isEmpty, !closed else { return }
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { writeBytes(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let reason = String(cString: strerror(errno))
                // O_APPEND and one writer: what this flush wrote is the file's last `offset` bytes.
                if offset > 0 { let end = lseek(fd, 0, SEEK_END); if end >= offset { _ = ftruncate(fd, end - off_t(offset)) } }
                throw ToolError("cannot write \(what) \(path): \(reason)")
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
        unsynced = true
    }

    /// Drops lines not yet written (after a failed `flush`, when the caller gives them up).
    public func discardBuffer() { buffer.removeAll() }

    /// `write(2)`, replaceable in tests to fail part-way as a full disk does.
    var writeBytes: (Int32, UnsafeRawPointer, Int) -> Int = { fd, bytes, count in Glibc.write(fd, bytes, count) }

    /// `fsync`s when a second has passed since the last one; called from live loops.
    public func syncIfDue() {
        try? flush()
        if unsynced, Date().timeIntervalSince(lastSync) >= 1 { sync() }
    }

    /// A second descriptor of the file (close-on-exec), for an `fsync(2)` made elsewhere; nil once closed.
    public func duplicateDescriptor() -> Int32? {
        guard !closed else { return nil }
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
        return copy >= 0 ? copy : nil
    }

    /// Forces everything to disk.
    public func sync() {
        try? flush()
        if !closed { fsync(fd) }
        unsynced = false
        lastSync = Date()
    }

    public func close() {
        guard !closed else { return }
        sync()
        closed = true
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
