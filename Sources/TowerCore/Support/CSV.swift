/// A small RFC 4180 CSV reader: quoted fields, doubled quotes, CRLF or LF, `#` comment lines, a leading byte-order
/// mark (spreadsheets write one) skipped.
public struct CSVTable: Sendable {
    public struct Row: Sendable {
        /// 1-based line number in the file where the record starts.
        public var line: Int
        public var fields: [String]
    }

    /// A record left out (`badRowsApart`): where, why, and its text as it came.
    public struct Rejected: Sendable {
        public var line: Int
        public var reason: String
        public var text: String
    }

    public var header: [String]
    public var rows: [Row]
    public var rejected: [Rejected] = []

    /// Parses `text`; the first non-comment record is the header.
    /// - Parameters:
    ///   - comments: whether a record starting with `#` is a comment (Tower's own files); off for other systems'
    ///     exports, where `#1001` is an order's name.
    ///   - badRowsApart: a record with another number of fields than the header, or a quote never closed (the
    ///     rest of the text), goes to `rejected` and the others are read (another system's export, whose good rows
    ///     must not be lost for one bad one); otherwise it fails the whole file (Tower's own files are whole or wrong).
    public static func parse(_ text: String, file: String, comments: Bool = true, badRowsApart: Bool = false) throws -> CSVTable {
        var records: [Row] = []
        var starts: [String.UnicodeScalarView.Index] = []
        var ends: [String.UnicodeScalarView.Index] = []
        var field = ""
        var fields: [String] = []
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var atFieldStart = true
        let view = text.unicodeScalars
        var i = view.startIndex
        if i < view.endIndex, view[i] == "\u{FEFF}" { i = view.index(after: i) }
        var recordStart = i
        func endRecord(at end: String.UnicodeScalarView.Index) {
            fields.append(field)
            let isComment = comments && fields.count >= 1 && fields[0].hasPrefix("#")
            let isBlank = fields.count == 1 && fields[0].trimmingSpaces.isEmpty
            if !isComment && !isBlank {
                records.append(Row(line: recordLine, fields: fields))
                starts.append(recordStart)
                ends.append(end)
            }
            fields = []
            field = ""
            atFieldStart = true
        }
        while i < view.endIndex {
            let scalar = view[i], here = i
            i = view.index(after: i)
            if inQuotes {
                if scalar == "\"" {
                    if i < view.endIndex, view[i] == "\"" {
                        field.unicodeScalars.append("\"")
                        i = view.index(after: i)
                    } else {
                        inQuotes = false
                    }
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
                endRecord(at: here > recordStart && view[view.index(before: here)] == "\r" ? view.index(before: here) : here)
                line += 1
                recordLine = line
                recordStart = i
            default:
                field.unicodeScalars.append(scalar)
                atFieldStart = false
            }
        }
        var rejected: [Rejected] = []
        if inQuotes {
            let reason = "unterminated quoted field"
            guard badRowsApart, !records.isEmpty else { throw ToolError("\(file) line \(recordLine): \(reason)") }
            rejected.append(Rejected(line: recordLine, reason: reason + " (the rest of the text from here)", text: String(view[recordStart...])))
        } else if !field.isEmpty || !fields.isEmpty {
            endRecord(at: view.endIndex)
        }
        guard let header = records.first else { throw ToolError("\(file): no header line") }
        let names = header.fields.map { $0.trimmingSpaces }
        var rows: [Row] = []
        for (index, row) in records.enumerated().dropFirst() {
            guard row.fields.count != names.count else { rows.append(row); continue }
            let reason = "\(row.fields.count) fields, the header has \(names.count)"
            guard badRowsApart else { throw ToolError("\(file) line \(row.line): \(reason)") }
            rejected.append(Rejected(line: row.line, reason: reason, text: String(view[starts[index]..<ends[index]])))
        }
        return CSVTable(header: names, rows: rows, rejected: rejected.sorted { $0.line < $1.line })
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
