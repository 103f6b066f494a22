import Foundation

/// Where refused feed lines go, one JSON object per line: where it came from, why, and the line itself,
/// so nothing is lost and a fixed line can be re-sent.
///
/// A feed is read again from its start at every start of Tower (its accepted lines are recognised as repeats), so
/// its bad lines come again too: a line already in the file (same source, line number and text) is not written
/// twice.
public final class DeadLetterFile {
    public var path: String { file.path }
    /// Lines refused since this file was opened (repeats of earlier starts included).
    public private(set) var count = 0
    private let file: AppendOnlyFile
    /// Hashes (seeded per process) of the source, line number and text of every dead letter in the file.
    private var recorded: Set<Int> = []

    public init(path: String) throws {
        file = try AppendOnlyFile(path: path, what: "dead-letter file")
        try JournalReader.lines(path: path) { _, line, _ in
            if case let .object(pairs)? = try? JSONParser.parse(buffer: line),
               case let .string(source)? = pairs.first(where: { $0.0 == "source" })?.1,
               case let .number(number)? = pairs.first(where: { $0.0 == "line" })?.1,
               case let .string(raw)? = pairs.first(where: { $0.0 == "raw" })?.1 {
                recorded.insert(DeadLetterFile.key(source: source, line: Int(number), raw: raw))
            }
            return true
        }
    }

    /// Writes one refused line with its reason (unless an earlier start wrote it already).
    /// - Throws: when the file cannot be written (a full disk): the caller says so; the line stays in its feed.
    public func record(source: String, line: Int, error: EventError, raw: [UInt8]) throws {
        count += 1
        let text = String(decoding: raw.prefix(EventCodec.maxLineBytes), as: UTF8.self)
        guard recorded.insert(DeadLetterFile.key(source: source, line: line, raw: text)).inserted else { return }
        var w = JSONWriter()
        w.beginObject()
        w.key("source"); w.value(source)
        w.key("line"); w.value(line)
        w.key("field"); w.value(error.field)
        w.key("reason"); w.value(error.reason)
        w.key("raw"); w.value(text)
        w.endObject()
        file.append(line: w.bytes)
        do { try file.flush() } catch {
            file.discardBuffer()
            recorded.remove(DeadLetterFile.key(source: source, line: line, raw: text))
            throw error
        }
    }

    private static func key(source: String, line: Int, raw: String) -> Int {
        var hasher = Hasher()
        hasher.combine(source)
        hasher.combine(line)
        hasher.combine(raw)
        return hasher.finalize()
    }
}
