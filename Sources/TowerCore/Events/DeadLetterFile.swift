import Foundation

/// Where refused feed lines go, one JSON object per line: where it came from, why, and the line itself,
/// so nothing is lost and a fixed line can be re-sent.
public final class DeadLetterFile {
    public let path: String
    public private(set) var count = 0
    private let handle: FileHandle

    public init(path: String) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ToolError("cannot create dead-letter file \(path)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw ToolError("cannot open dead-letter file \(path)") }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    deinit { try? handle.close() }

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
        handle.write(Data(w.bytes + [UInt8(ascii: "\n")]))
    }
}
