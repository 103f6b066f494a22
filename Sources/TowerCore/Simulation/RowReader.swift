/// Typed access to one CSV record of a scenario file; errors name the file, line, record id and column.
struct RowReader {
    let file: String
    let row: CSVTable.Row
    let table: CSVTable
    let day: Instant

    private var recordName: String {
        guard let index = table.column("id"), index < row.fields.count else { return "" }
        return " (\(TextSanitizer.clean(String(row.fields[index].prefix(40)))))"
    }

    func fail(_ column: String, _ reason: String) -> ToolError {
        ToolError("\(file) line \(row.line)\(recordName), field \(column): \(reason)")
    }

    func raw(_ column: String) -> String {
        guard let index = table.column(column), index < row.fields.count else { return "" }
        return row.fields[index].trimmingSpaces
    }

    /// An optional column read with `read`, or nil when the file has no such column or this record leaves it empty.
    func optional<T>(_ column: String, _ read: (String) throws -> T) throws -> T? {
        raw(column).isEmpty ? nil : try read(column)
    }

    /// Free text (names, notes): cleaned of control characters, and no longer than a feed line's text may be.
    func text(_ column: String) throws -> String {
        let value = raw(column)
        guard value.utf8.count <= FieldReader.maxTextLength else {
            throw fail(column, "\(value.utf8.count) bytes, longer than \(FieldReader.maxTextLength)")
        }
        return TextSanitizer.clean(value)
    }

    func id(_ column: String) throws -> String {
        let value = raw(column)
        do { try FieldReader.checkID(value, field: column) } catch { throw fail(column, error.reason) }
        return value
    }

    func double(_ column: String, in range: ClosedRange<Double>) throws -> Double {
        let value = raw(column)
        guard let number = Double(value), number.isFinite else { throw fail(column, "expected a number, got \"\(TextSanitizer.clean(String(value.prefix(20))))\"") }
        guard range.contains(number) else { throw fail(column, "\(value) is out of range \(formatNumber(range.lowerBound))…\(formatNumber(range.upperBound))") }
        return number
    }

    func int(_ column: String, in range: ClosedRange<Int>) throws -> Int {
        let value = raw(column)
        guard let number = Int(value) else { throw fail(column, "expected a whole number, got \"\(TextSanitizer.clean(String(value.prefix(20))))\"") }
        guard range.contains(number) else { throw fail(column, "\(number) is out of range \(range.lowerBound)…\(range.upperBound)") }
        return number
    }

    /// `HH:MM` on the scenario's day.
    func time(_ column: String) throws -> Instant {
        let value = raw(column)
        guard let second = ISOTime.parseClock(value) else { throw fail(column, "expected a time of day HH:MM, got \"\(TextSanitizer.clean(String(value.prefix(20))))\"") }
        return day + Int64(second)
    }

    func enumeration<T: RawRepresentable & CaseIterable>(_ column: String, as type: T.Type) throws -> T where T.RawValue == String {
        let value = raw(column)
        guard let parsed = T(rawValue: value) else {
            throw fail(column, "unknown value \"\(TextSanitizer.clean(String(value.prefix(20))))\"; expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return parsed
    }

    /// Skills separated by `;` (empty for none).
    func skills(_ column: String) throws -> Set<Skill> {
        var result = Set<Skill>()
        for part in raw(column).split(separator: ";") {
            let name = String(part).trimmingSpaces
            guard let skill = Skill(rawValue: name) else {
                throw fail(column, "unknown skill \"\(TextSanitizer.clean(String(name.prefix(20))))\"; expected \(Skill.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            result.insert(skill)
        }
        return result
    }
}
