/// A small RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF or LF, `#` comment lines.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        /// 1-based line number in the file where the record starts.
        public var line: Int
        public var fields: [String]
    }

    public var header: [String]
    public var rows: [Row]

    /// Parses `text`; the first non-comment record is the header.
    /// - Parameter comments: whether a record starting with `#` is a comment (Tower's own files); off for other
    ///   systems' exports, where `#1001` is an order's name.
    public static func parse(_ text: String, file: String, comments: Bool = true) throws -> CSVTable {
        var records: [Row] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var atFieldStart = true
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            fields.append(field)
            let isComment = comments && fields.count >= 1 && fields[0].hasPrefix("#")
            let isBlank = fields.count == 1 && fields[0].trimmingSpaces.isEmpty
            if !isComment && !isBlank { records.append(Row(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            atFieldStart = true
        }
        while let scalar = pending ?? scalars.next() {
            pending = nil
            if inQuotes {
                if scalar == "\"" {
                    if let next = scalars.next() {
                        if next == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = next }
                    } else { inQuotes = false }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where atFieldStart:
                inQuotes = true
                atFieldStart = false
            case ",":
                fields.append(field); field = ""; atFieldStart = true
            case "\r":
                continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        if inQuotes { throw ToolError("\(file) line \(recordLine): unterminated quoted field") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let header = records.first else { throw ToolError("\(file): no header line") }
        let names = header.fields.map { $0.trimmingSpaces }
        for row in records.dropFirst() where row.fields.count != names.count {
            throw ToolError("\(file) line \(row.line): \(row.fields.count) fields, the header has \(names.count)")
        }
        return CSVTable(header: names, rows: Array(records.dropFirst()))
    }

    /// Checks that every named column is present.
    public func require(_ columns: [String], file: String) throws {
        let missing = columns.filter { !header.contains($0) }
        if !missing.isEmpty { throw ToolError("\(file): missing column(s) \(missing.joined(separator: ", "))") }
    }

    public func column(_ name: String) -> Int? { header.firstIndex(of: name) }
}

extension String {
    var trimmingSpaces: String {
        var scalars = Substring(self)
        while scalars.first == " " || scalars.first == "\t" { scalars.removeFirst() }
        while scalars.last == " " || scalars.last == "\t" { scalars.removeLast() }
        return String(scalars)
    }
}
