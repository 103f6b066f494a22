import Glibc
import TowerCore

/// One socket connection carrying newline-framed messages, non-blocking both ways: reads take what has arrived
/// and cut it into lines; writes go out as far as the kernel takes them, the rest waits for the next flush.
///
/// A message may also go as bytes of a stated length (`sized`): a line `#N`, then N bytes taken as they are. A
/// board's snapshot (megabytes of binary) goes that way, neither base64-encoded nor searched for newlines.
public final class FramedConnection {
    public let fd: Int32
    /// The longest line accepted from the other end: a longer one closes the connection (a client that sends
    /// one is broken or hostile; the server never buffers without bound).
    public let maxLine: Int
    private var input: [UInt8] = []
    /// How far `input` is known to hold no newline: a long line arrives in many reads, each searched once.
    private var scanned = 0
    /// The length of the sized message whose bytes are arriving (its `#N` line was read).
    private var sizedLength: Int?
    /// What one recv(2) may take.
    private var chunk: [UInt8]
    private var output: [UInt8] = []
    private var written = 0
    public private(set) var isClosed = false

    static let readsPerCall = 16

    public init(fd: Int32, maxLine: Int, readSize: Int = 1 << 18) {
        self.fd = fd
        self.maxLine = maxLine
        chunk = [UInt8](repeating: 0, count: max(1, readSize))
    }

    deinit { close() }

    /// Bytes queued and not yet taken by the kernel.
    public var pendingBytes: Int { output.count - written }

    /// `message` as a sized message: its length on a line, then its bytes as they are.
    public static func sized(_ message: [UInt8]) -> [UInt8] { Array("#\(message.count)\n".utf8) + message }

    /// The complete messages that have arrived (lines without their newlines, and sized messages), and why the
    /// connection ended if it did. At most `readsPerCall` reads a call: what a peer sends without pause is read at
    /// the next call, not taken into memory all at once.
    public func read() -> (lines: [[UInt8]], ended: String?) {
        var ended: String?
        var reads = 0
        while !isClosed, reads < Self.readsPerCall {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            reads += 1
            if count > 0 {
                input.append(contentsOf: chunk[0..<count])
                if count < chunk.count { break }
            } else if count == 0 {
                ended = "closed by the other end"
                break
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { ended = String(cString: strerror(errno)) }
                break
            }
        }
        // What arrived is cut into messages even when the connection ended with it (the messages before its end are
        // good: a refusal, then the close); a broken size stops the cutting.
        var lines: [[UInt8]] = []
        var start = 0
        var broken: String?
        while broken == nil {
            if let length = sizedLength {
                guard input.count - start >= length else { break }
                lines.append(Array(input[start..<(start + length)]))
                start += length
                sizedLength = nil
                scanned = start
                continue
            }
            guard let newline = input[max(start, scanned)...].firstIndex(of: 0x0A) else { break }
            let line = input[start..<newline]
            start = newline + 1
            scanned = start
            guard line.first == UInt8(ascii: "#") else {
                lines.append(Array(line))
                continue
            }
            guard let length = Int(String(decoding: line.dropFirst(), as: UTF8.self)), length >= 0 else {
                broken = "a sized message whose length is not a number"
                break
            }
            guard length <= maxLine else {
                broken = "a message longer than \(maxLine) bytes"
                break
            }
            sizedLength = length
        }
        if start > 0 { input.removeFirst(start) }
        scanned = sizedLength == nil ? input.count : 0
        if sizedLength == nil, input.count > maxLine { broken = broken ?? "a message longer than \(maxLine) bytes" }
        return (lines, ended ?? broken)
    }

    public func queue(_ bytes: [UInt8]) {
        if written > 0, written == output.count {
            output.removeAll(keepingCapacity: true)
            written = 0
        }
        output.append(contentsOf: bytes)
    }

    /// Writes what the kernel takes now. Returns why the connection failed, if it did.
    @discardableResult
    public func flush() -> String? {
        while written < output.count, !isClosed {
            let count = output[written...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                written += count
            } else if count < 0, errno == EINTR {
                continue
            } else if count < 0, errno == EAGAIN || errno == EWOULDBLOCK {
                break
            } else {
                return count == 0 ? "closed by the other end" : String(cString: strerror(errno))
            }
        }
        if written == output.count {
            output.removeAll(keepingCapacity: true)
            written = 0
        } else if written > 1 << 20 {
            output.removeFirst(written)
            written = 0
        }
        return nil
    }

    public func close() {
        guard !isClosed else { return }
        isClosed = true
        Glibc.close(fd)
    }
}
