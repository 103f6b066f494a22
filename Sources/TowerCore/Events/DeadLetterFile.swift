import Foundation

/// Where refused feed lines go, one JSON object per line: where it came from, why, and the line itself,
/// so nothing is lost and a fixed line can be re-sent.
public final class DeadLetterFile {
    public var path: String { file.path }
    public private(set) var count = 0
    private let file: AppendOnlyFile

    public init(path: String) throws {
        file = try AppendOnlyFile(path: path, what: "dead-letter file")
    }

    public func record(source: String, line: Int, error: EventError, raw: [UInt8]) {
        count += 1
        var w = JSONWriter()
        w.beginObject()
        w.key("source"); w.value(source)
        w.key("line"); w.value(line)
        w.key("field"); w.value(error.field)
        w.key("reason"); w.value(error.reason)
        w.key("raw"); w.value(String(decoding: raw.prefix(EventCodec.maxLineBytes), as: UTF8.self))
        w.endObject()
        file.append(line: w.bytes)
        try? file.flush()
    }
}
