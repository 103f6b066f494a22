import Foundation

/// Reads a journal or feed file line by line, decoding each line.
public struct JournalReader {
    /// One decoded line, or why it could not be.
    public enum Line {
        case event(Event, warnings: [EventError])
        case bad(EventError)
    }

    /// The result of reading a whole file.
    public struct Summary {
        /// A last line without its newline that did not parse: a crash mid-write. Reported and skipped.
        public var tornLastLine: Int?
    }

    /// Calls `body` with each non-blank line's number and decoding. Stops early when `body` returns false.
    @discardableResult
    public static func read(path: String, _ body: (Int, Line) throws -> Bool) throws -> Summary {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ToolError("cannot read \(path): no such file or not readable")
        }
        var summary = Summary()
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var lineNumber = 0
            while start < bytes.count {
                lineNumber += 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                let complete = end < bytes.count
                var contentEnd = end
                if contentEnd > start, bytes[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<contentEnd])
                start = end + 1
                if isBlank(slice) { continue }
                let line = decode(slice)
                if !complete, case .bad = line {
                    summary.tornLastLine = lineNumber
                    break
                }
                if try !body(lineNumber, line) { break }
            }
        }
        return summary
    }

    /// Decodes one line (without its newline).
    public static func decode(_ slice: UnsafeBufferPointer<UInt8>) -> Line {
        if slice.count > EventCodec.maxLineBytes {
            return .bad(EventError(field: "", reason: "line is \(slice.count) bytes, longer than the limit of \(EventCodec.maxLineBytes)"))
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

    /// Whether a line holds only spaces, tabs or a carriage return.
    public static func isBlank(_ slice: some Collection<UInt8>) -> Bool {
        slice.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }
    }
}
