import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reads a journal or feed file line by line, streaming it in chunks so a long day never has to fit in memory.
public struct JournalReader {
    /// One decoded line, or why it could not be.
    public enum Line {
        case event(Event, warnings: [EventError])
        case bad(EventError)

        /// The event's time; nil for a bad line.
        public var time: Instant? {
            if case let .event(event, _) = self { return event.at }
            return nil
        }
    }

    /// The result of reading a whole file.
    public struct Summary {
        /// A last line without its newline that did not parse: a crash mid-write. Reported and skipped.
        public var tornLastLine: Int?
    }

    /// Calls `body` with each non-blank line's number and raw bytes (without the line break) and whether it
    /// ended with a newline. Stops early when `body` returns false.
    public static func lines(path: String, _ body: (Int, UnsafeBufferPointer<UInt8>, Bool) throws -> Bool) throws {
        try scan(path: path) { number, _, bytes, complete in try body(number, bytes, complete) }
    }

    /// A "line" this long is no line of a feed or journal (`/dev/zero`, a binary file): reading stops with an error.
    static let giveUpBytes = 16 << 20

    /// `lines`, with each line's byte offset in the file. Memory stays bounded whatever the file holds: of a line
    /// longer than `EventCodec.maxLineBytes` only the first bytes past the limit are kept and passed on (enough for
    /// `decode` to refuse it as too long).
    public static func scan(path: String, _ body: (Int, Int64, UnsafeBufferPointer<UInt8>, Bool) throws -> Bool) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError("cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let keep = EventCodec.maxLineBytes + 1
        var pending: [UInt8] = []
        var pendingLength = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var number = 0
        var offset: Int64 = 0
        func deliver(_ slice: UnsafeBufferPointer<UInt8>, length: Int, complete: Bool) throws -> Bool {
            number += 1
            let start = offset
            offset += Int64(length) + (complete ? 1 : 0)
            var end = slice.count
            if end > 0, end == length, slice[end - 1] == UInt8(ascii: "\r") { end -= 1 }
            let content = UnsafeBufferPointer(rebasing: slice[0..<end])
            return isBlank(content) && length == slice.count ? true : try body(number, start, content, complete)
        }
        func hold(_ part: Slice<UnsafeBufferPointer<UInt8>>) throws {
            pendingLength += part.count
            if pendingLength > JournalReader.giveUpBytes {
                throw ToolError("\(path) line \(number + 1): more than \(JournalReader.giveUpBytes >> 20) MiB without a line break: not a JSON-lines file")
            }
            if pending.count < keep { pending.append(contentsOf: part.prefix(keep - pending.count)) }
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ToolError("cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            let keepGoing = try chunk.withUnsafeBufferPointer { buffer -> Bool in
                var start = 0
                while let newline = buffer[start..<count].firstIndex(of: UInt8(ascii: "\n")) {
                    let goOn: Bool
                    if pendingLength == 0 {
                        goOn = try deliver(UnsafeBufferPointer(rebasing: buffer[start..<newline]), length: newline - start, complete: true)
                    } else {
                        try hold(buffer[start..<newline])
                        goOn = try pending.withUnsafeBufferPointer { try deliver($0, length: pendingLength, complete: true) }
                        pending.removeAll(keepingCapacity: true)
                        pendingLength = 0
                    }
                    if !goOn { return false }
                    start = newline + 1
                }
                try hold(buffer[start..<count])
                return true
            }
            if !keepGoing { return }
        }
        if pendingLength > 0 { _ = try pending.withUnsafeBufferPointer { try deliver($0, length: pendingLength, complete: false) } }
    }

    /// Calls `body` with each non-blank line's number and decoding. Stops early when `body` returns false.
    /// A last line with no newline that does not decode is a torn write: it is reported in the summary, not passed on.
    @discardableResult
    public static func read(path: String, _ body: (Int, Line) throws -> Bool) throws -> Summary {
        var summary = Summary()
        try lines(path: path) { number, bytes, complete in
            let line = decode(bytes)
            if !complete, case .bad = line {
                summary.tornLastLine = number
                return false
            }
            return try body(number, line)
        }
        return summary
    }

    /// Decodes one line (without its newline). A byte-order mark before it (a file saved by an editor or a service that
    /// writes one, RFC 8259 lets a reader ignore it) is skipped.
    public static func decode(_ line: UnsafeBufferPointer<UInt8>) -> Line {
        let slice = withoutByteOrderMark(line)
        if slice.count > EventCodec.maxLineBytes {
            return .bad(EventError(field: "", reason: "line is longer than the limit of \(EventCodec.maxLineBytes) bytes"))
        }
        do {
            let json = try JSONParser.parse(buffer: slice)
            let decoded = try EventCodec.decode(json: json)
            return .event(decoded.event, warnings: decoded.warnings)
        } catch let error as JSONSyntaxError {
            return .bad(EventError(field: "", reason: error.description))
        } catch let error as EventError {
            return .bad(error)
        } catch {
            return .bad(EventError(field: "", reason: "\(error)"))
        }
    }

    /// `bytes` without a UTF-8 byte-order mark at their start.
    public static func withoutByteOrderMark(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        guard bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF else { return bytes }
        return UnsafeBufferPointer(rebasing: bytes[3...])
    }

    /// Whether a line holds only spaces, tabs or a carriage return.
    public static func isBlank(_ slice: some Collection<UInt8>) -> Bool {
        slice.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
