/// Typed access to the fields of one JSON object, throwing an `EventError` that names the field.
///
/// Text fields are cleaned of control characters and escape sequences; each repair is kept in `warnings`
/// so the caller can report it without losing the line.
public struct FieldReader {
    /// Longest id accepted (order, rider, zone, event ids).
    public static let maxIDLength = 64
    /// Longest free text accepted (names, notes, reasons).
    public static let maxTextLength = 1000

    private let pairs: [(String, JSONValue)]
    /// Where the next look for a key starts (see `index(of:)`).
    private var next = 0
    private let prefix: String
    public private(set) var warnings: [EventError] = []
    /// The longest text `text(_:)` takes: `maxTextLength` for what comes from outside; a line's own length for what
    /// the core wrote, whose texts quote outside text in longer sentences (a message to a customer whose name is
    /// 990 bytes is longer than 1,000), so the journal's reader takes back every line the core journaled.
    public var textLimit = FieldReader.maxTextLength

    public init(_ value: JSONValue, path: String = "") throws(EventError) {
        guard case let .object(pairs) = value else {
            throw EventError(field: path, reason: "expected an object, got \(value.typeName)")
        }
        self.pairs = pairs
        self.prefix = path.isEmpty ? "" : path + "."
    }

    public func path(_ key: String) -> String { prefix + key }

    /// Whether `key` holds a value (not null). It only looks: a field is most often asked for right after, and
    /// the look for it then starts at it.
    public func has(_ key: String) -> Bool {
        guard let index = index(of: key) else { return false }
        if case .null = pairs[index].1 { return false }
        return true
    }

    /// The value under `key`, null as none; the next look starts after it.
    private mutating func raw(_ key: String) -> JSONValue? {
        guard let index = index(of: key) else { return nil }
        next = index + 1
        if case .null = pairs[index].1 { return nil }
        return pairs[index].1
    }

    /// Where `key` is among the pairs. The look starts after the last key read: decoders read the fields in the
    /// order the core writes them, so most looks compare one key.
    private func index(of key: String) -> Int? {
        var index = next
        for _ in 0..<pairs.count {
            if index == pairs.count { index = 0 }
            if pairs[index].0 == key { return index }
            index += 1
        }
        return nil
    }

    private func missing(_ key: String) -> EventError { EventError(field: path(key), reason: "missing") }

    private func wrongType(_ key: String, _ expected: String, _ got: JSONValue) -> EventError {
        EventError(field: path(key), reason: "expected \(expected), got \(got.typeName)")
    }

    public mutating func value(_ key: String) throws(EventError) -> JSONValue {
        guard let value = raw(key) else { throw missing(key) }
        return value
    }

    /// An identifier: 1–64 characters of letters, digits and `-_.:/#@`.
    public mutating func id(_ key: String) throws(EventError) -> String {
        let text = try plainString(key)
        try FieldReader.checkID(text, field: path(key))
        return text
    }

    public static func checkID(_ text: String, field: String) throws(EventError) {
        guard !text.isEmpty else { throw EventError(field: field, reason: "empty") }
        guard text.utf8.count <= FieldReader.maxIDLength else {
            throw EventError(field: field, reason: "longer than \(FieldReader.maxIDLength) bytes")
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"), UInt8(ascii: "/"),
                 UInt8(ascii: "#"), UInt8(ascii: "@"):
                continue
            default:
                throw EventError(field: field, reason: "ids may hold only letters, digits and - _ . : / # @")
            }
        }
    }

    public mutating func optionalID(_ key: String) throws(EventError) -> String? {
        has(key) ? try id(key) : nil
    }

    private mutating func plainString(_ key: String) throws(EventError) -> String {
        let value = try value(key)
        guard case let .string(text) = value else { throw wrongType(key, "a string", value) }
        return text
    }

    /// Free text from outside: cleaned of control characters and escape sequences (with a warning), length-checked.
    public mutating func text(_ key: String, default fallback: String? = nil) throws(EventError) -> String {
        if !has(key), let fallback { return fallback }
        let original = try plainString(key)
        guard original.utf8.count <= textLimit else {
            throw EventError(field: path(key), reason: "longer than \(textLimit) bytes")
        }
        let cleaned = TextSanitizer.clean(original)
        if cleaned != original {
            warnings.append(EventError(field: path(key), reason: "control characters or escape sequences removed"))
        }
        return cleaned
    }

    public mutating func optionalText(_ key: String) throws(EventError) -> String? {
        has(key) ? try text(key) : nil
    }

    public mutating func double(_ key: String) throws(EventError) -> Double {
        let value = try value(key)
        guard case let .number(number) = value else { throw wrongType(key, "a number", value) }
        return number
    }

    /// A number within `range`; NaN and infinities cannot appear in JSON, but out-of-range values can.
    public mutating func double(_ key: String, in range: ClosedRange<Double>) throws(EventError) -> Double {
        let number = try double(key)
        guard range.contains(number) else {
            throw EventError(field: path(key), reason: "\(formatNumber(number)) is out of range \(formatNumber(range.lowerBound))…\(formatNumber(range.upperBound))")
        }
        return number
    }

    public mutating func optionalDouble(_ key: String, in range: ClosedRange<Double>) throws(EventError) -> Double? {
        has(key) ? try double(key, in: range) : nil
    }

    public mutating func int(_ key: String, in range: ClosedRange<Int>) throws(EventError) -> Int {
        let number = try double(key)
        guard number == number.rounded(), abs(number) < 1e15 else {
            throw EventError(field: path(key), reason: "expected a whole number, got \(formatNumber(number))")
        }
        let whole = Int(number)
        guard range.contains(whole) else {
            throw EventError(field: path(key), reason: "\(whole) is out of range \(range.lowerBound)…\(range.upperBound)")
        }
        return whole
    }

    public mutating func optionalInt(_ key: String, in range: ClosedRange<Int>) throws(EventError) -> Int? {
        has(key) ? try int(key, in: range) : nil
    }

    public mutating func instant(_ key: String) throws(EventError) -> Instant {
        let text = try plainString(key)
        guard let parsed = ISOTime.parse(text) else {
            throw EventError(field: path(key), reason: "expected an ISO 8601 time with offset like 2026-11-17T10:00:00-03:00")
        }
        return parsed.instant
    }

    public mutating func enumeration<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type) throws(EventError) -> T where T.RawValue == String {
        let text = try plainString(key)
        guard let value = T(rawValue: text) else {
            throw EventError(field: path(key), reason: "unknown value \"\(TextSanitizer.clean(String(text.prefix(40))))\"; expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    public mutating func optionalEnumeration<T: RawRepresentable & CaseIterable>(_ key: String, as type: T.Type) throws(EventError) -> T? where T.RawValue == String {
        has(key) ? try enumeration(key, as: type) : nil
    }

    /// An action on a subject in its journal text (`reassign:O-17:R05`, `none`).
    public mutating func remedy(_ key: String) throws(EventError) -> Remedy {
        let text = try plainString(key)
        guard let remedy = Remedy(text: text) else {
            throw EventError(field: path(key), reason: "\"\(TextSanitizer.clean(String(text.prefix(40))))\" is not an action (like reassign:O-17:R05, notify:O-17 or none)")
        }
        return remedy
    }

    /// A point from `<prefix>lat` and `<prefix>lon`.
    public mutating func point(lat latKey: String, lon lonKey: String) throws(EventError) -> GeoPoint {
        GeoPoint(lat: try double(latKey, in: -90...90), lon: try double(lonKey, in: -180...180))
    }

    public mutating func skills(_ key: String) throws(EventError) -> Set<Skill> {
        guard let value = raw(key) else { return [] }
        guard case let .array(items) = value else { throw wrongType(key, "an array of skills", value) }
        var result = Set<Skill>()
        for (index, item) in items.enumerated() {
            guard case let .string(text) = item, let skill = Skill(rawValue: text) else {
                throw EventError(field: path(key) + "[\(index)]", reason: "expected one of \(Skill.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            result.insert(skill)
        }
        return result
    }

    public mutating func array(_ key: String) throws(EventError) -> [JSONValue] {
        let value = try value(key)
        guard case let .array(items) = value else { throw wrongType(key, "an array", value) }
        return items
    }

    /// A list of distinct ids, each checked like `id`; nil when the field is absent.
    public mutating func optionalIDs(_ key: String) throws(EventError) -> [String]? {
        guard has(key) else { return nil }
        var ids: [String] = [], seen: Set<String> = []
        for (index, item) in try array(key).enumerated() {
            let field = path(key) + "[\(index)]"
            guard case let .string(text) = item else { throw EventError(field: field, reason: "expected a string, got \(item.typeName)") }
            try FieldReader.checkID(text, field: field)
            guard seen.insert(text).inserted else { throw EventError(field: field, reason: "\"\(text)\" is listed twice") }
            ids.append(text)
        }
        return ids
    }

    /// A window from two instant fields, checked to be in order.
    public mutating func window(start startKey: String, end endKey: String) throws(EventError) -> TimeWindow {
        let start = try instant(startKey)
        let end = try instant(endKey)
        guard start < end else { throw EventError(field: path(endKey), reason: "ends before it starts") }
        return TimeWindow(start: start, end: end)
    }
}

func formatNumber(_ number: Double) -> String {
    number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : String(number)
}
