import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Follows a growing JSON-lines file (like `tail -f`) or standard input, without blocking.
///
/// `poll()` returns the complete lines that arrived since the last call. A file that is truncated, replaced
/// (another inode) or copied over (same inode, other bytes where the read ones were, even when it grew) is re-read
/// from its start, and its lines already taken are recognised as repeats downstream; a line longer than the limit
/// is reported as too long rather than held in memory.
public final class FeedFollower {
    public struct RawLine {
        public var number: Int
        public var bytes: [UInt8]
        /// Set when the line was longer than `EventCodec.maxLineBytes`; `bytes` then holds only its start.
        public var overlongBytes: Int?
    }

    public let name: String
    private let path: String?
    private var fd: Int32 = -1
    private var inode: ino_t = 0
    private var offset: off_t = 0
    private var pending: [UInt8] = []
    private var discarding: Int?
    private var lineNumber = 0
    public private(set) var reachedEnd = false
    /// The first and the last bytes read so far (up to `witnessBytes` each), checked against the file at every
    /// poll: a copy over the file changes them.
    private var head: [UInt8] = []
    private var tail: [UInt8] = []
    private static let witnessBytes = 256

    /// Follows `path`, or standard input when `path` is `-`.
    public init(path: String) throws {
        if path == "-" {
            name = "stdin"
            self.path = nil
            fd = 0
            _ = fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK)
        } else {
            name = path
            self.path = path
            try reopen()
        }
    }

    deinit { if path != nil, fd >= 0 { close(fd) } }

    private func reopen() throws {
        guard let path else { return }
        if fd >= 0 { close(fd) }
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { throw ToolError("cannot open feed \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        fstat(fd, &info)
        inode = info.st_ino
        offset = 0
        pending.removeAll()
        lineNumber = 0
        head.removeAll()
        tail.removeAll()
    }

    /// Whether the bytes already read are still where they were (no copy over the file since).
    private func readBytesUnchanged() -> Bool {
        func matches(_ expected: [UInt8], at position: off_t) -> Bool {
            guard !expected.isEmpty else { return true }
            var found = [UInt8](repeating: 0, count: expected.count)
            let count = found.withUnsafeMutableBytes { pread(fd, $0.baseAddress!, $0.count, position) }
            return count == expected.count && found == expected
        }
        return matches(head, at: 0) && matches(tail, at: offset - off_t(tail.count))
    }

    /// The complete lines available now (at most `limit`, so one poll cannot starve the screen).
    public func poll(limit: Int = 50_000) -> [RawLine] {
        if let path {
            var info = stat()
            if stat(path, &info) == 0, info.st_ino != inode || info.st_size < offset || !readBytesUnchanged() { try? reopen() }
        }
        var lines: [RawLine] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while lines.count < limit {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if count < 0 { if errno == EINTR { continue }; break }
            if count == 0 { if path == nil { reachedEnd = true }; break }
            offset += off_t(count)
            if path != nil { remember(chunk[0..<count]) }
            split(chunk[0..<count], into: &lines)
        }
        return lines
    }

    private func remember(_ data: ArraySlice<UInt8>) {
        if head.count < FeedFollower.witnessBytes { head.append(contentsOf: data.prefix(FeedFollower.witnessBytes - head.count)) }
        tail.append(contentsOf: data.suffix(FeedFollower.witnessBytes))
        if tail.count > FeedFollower.witnessBytes { tail.removeFirst(tail.count - FeedFollower.witnessBytes) }
    }

    private func split(_ data: ArraySlice<UInt8>, into lines: inout [RawLine]) {
        var start = data.startIndex
        while let newline = data[start...].firstIndex(of: UInt8(ascii: "\n")) {
            lineNumber += 1
            if let dropped = discarding {
                lines.append(RawLine(number: lineNumber, bytes: pending, overlongBytes: dropped + (newline - start)))
                discarding = nil
                pending.removeAll()
            } else {
                pending.append(contentsOf: data[start..<newline])
                if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                if pending.count > EventCodec.maxLineBytes {
                    lines.append(RawLine(number: lineNumber, bytes: Array(pending.prefix(256)), overlongBytes: pending.count))
                } else {
                    lines.append(RawLine(number: lineNumber, bytes: pending, overlongBytes: nil))
                }
                pending.removeAll(keepingCapacity: true)
            }
            start = newline + 1
        }
        let rest = data[start...]
        if let dropped = discarding {
            discarding = dropped + rest.count
        } else {
            pending.append(contentsOf: rest)
            if pending.count > EventCodec.maxLineBytes {
                discarding = pending.count
                pending = Array(pending.prefix(256))
            }
        }
    }
}
