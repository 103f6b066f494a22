import Glibc

/// Reads what `CompactEncoder` wrote. Every read is checked: bytes that end early, a tag where another was expected,
/// a length past the end or a number that does not fit are a `DecodingError` naming the place, never a crash.
public struct CompactDecoder {
    public init() {}

    public func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8]) throws -> T {
        let reader = CompactReader(bytes)
        let value = try CompactValue(reader: reader, at: 0, codingPath: []).decode(T.self)
        guard try reader.end(ofValueAt: 0) == bytes.count else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "bytes after the value"))
        }
        return value
    }
}

/// The bytes, read with bounds checks.
final class CompactReader {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ why: String, _ path: [any CodingKey]) -> DecodingError {
        .dataCorrupted(.init(codingPath: path, debugDescription: why))
    }

    func tag(at offset: Int) throws -> CompactTag {
        guard offset < bytes.count else { throw fail("the bytes end where a value should begin", []) }
        guard let tag = CompactTag(rawValue: bytes[offset]) else { throw fail("an unknown tag \(bytes[offset]) at byte \(offset)", []) }
        return tag
    }

    /// A LEB128 number at `offset`, and where it ends.
    func varint(at offset: Int) throws -> (value: UInt64, end: Int) {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        var at = offset
        while true {
            guard at < bytes.count, shift < 64 else { throw fail("a number that ends early or is too long at byte \(offset)", []) }
            let byte = bytes[at]
            value |= UInt64(byte & 0x7F) << shift
            at += 1
            if byte < 0x80 { return (value, at) }
            shift += 7
        }
    }

    /// The bytes of a string whose length is at `offset`, and where it ends.
    func stringRange(at offset: Int) throws -> Range<Int> {
        let (length, start) = try varint(at: offset)
        guard length <= UInt64(bytes.count - start) else { throw fail("a string longer than the bytes left at byte \(offset)", []) }
        return start..<(start + Int(length))
    }

    /// The body of a container whose tag is at `offset`.
    func body(ofContainerAt offset: Int) throws -> Range<Int> {
        guard offset + 5 <= bytes.count else { throw fail("a container cut short at byte \(offset)", []) }
        var length = 0
        for shift in 0..<4 { length |= Int(bytes[offset + 1 + shift]) << (8 * shift) }
        guard length <= bytes.count - offset - 5 else { throw fail("a container longer than the bytes left at byte \(offset)", []) }
        return (offset + 5)..<(offset + 5 + length)
    }

    /// Where the value that begins at `offset` ends.
    func end(ofValueAt offset: Int) throws -> Int {
        switch try tag(at: offset) {
        case .null, .no, .yes: return offset + 1
        case .int, .uint: return try varint(at: offset + 1).end
        case .double:
            guard offset + 9 <= bytes.count else { throw fail("a number cut short at byte \(offset)", []) }
            return offset + 9
        case .string: return try stringRange(at: offset + 1).upperBound
        case .keyed, .unkeyed, .record: return try body(ofContainerAt: offset).upperBound
        case .doubles: return try doublesRange(at: offset + 1).upperBound
        }
    }

    /// The bytes of a list of doubles whose count is at `offset`.
    func doublesRange(at offset: Int) throws -> Range<Int> {
        let (count, start) = try varint(at: offset)
        guard count <= UInt64(bytes.count - start) / 8 else { throw fail("a list of numbers longer than the bytes left at byte \(offset)", []) }
        return start..<(start + Int(count) * 8)
    }

    /// Whether the bytes in `range` are `text`'s UTF-8.
    func matches(_ range: Range<Int>, _ text: String) -> Bool {
        var text = text
        return text.withUTF8 { utf8 in
            utf8.count == range.count && bytes.withUnsafeBytes { raw in
                utf8.isEmpty || memcmp(raw.baseAddress! + range.lowerBound, utf8.baseAddress!, utf8.count) == 0
            }
        }
    }

    /// The record whose tag is at `offset`: all its fields, and nothing after them.
    func record<R: CompactRecord>(_ type: R.Type, at offset: Int, _ path: [any CodingKey]) throws -> R {
        guard try tag(at: offset) == .record else { throw fail("expected a \(R.self) at byte \(offset)", path) }
        let body = try body(ofContainerAt: offset)
        var fields = CompactFieldReader(bytes: bytes, body: body)
        let value = try R(reading: &fields)
        guard fields.at == body.upperBound else { throw fail("a \(R.self) with bytes after its fields at byte \(offset)", path) }
        return value
    }

    func string(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }

    func doubles(_ range: Range<Int>) -> [Double] {
        bytes.withUnsafeBytes { raw in
            (0..<range.count / 8).map { index in
                Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: range.lowerBound + index * 8, as: UInt64.self)))
            }
        }
    }
}

/// One value, where it begins. Three words, so that passing it as `any Decoder` (which `Codable` does for every value)
/// allocates nothing: its errors name the byte it begins at rather than a path of keys (a missing key is named).
struct CompactValue: Decoder {
    let reader: CompactReader
    let at: Int
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard try reader.tag(at: at) == .keyed else { throw reader.fail("expected an object at byte \(at)", codingPath) }
        return KeyedDecodingContainer(CompactKeyedDecoding<Key>(reader: reader, body: try reader.body(ofContainerAt: at), codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard try reader.tag(at: at) == .unkeyed else { throw reader.fail("expected a list at byte \(at)", codingPath) }
        return CompactUnkeyedDecoding(reader: reader, body: try reader.body(ofContainerAt: at), codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }
}

extension CompactValue: SingleValueDecodingContainer {
    func decodeNil() -> Bool { (try? reader.tag(at: at)) == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch try reader.tag(at: at) {
        case .yes: return true
        case .no: return false
        default: throw reader.fail("expected true or false at byte \(at)", codingPath)
        }
    }

    func decode(_ type: String.Type) throws -> String {
        guard try reader.tag(at: at) == .string else { throw reader.fail("expected a string at byte \(at)", codingPath) }
        return reader.string(try reader.stringRange(at: at + 1))
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard try reader.tag(at: at) == .double, at + 9 <= reader.bytes.count else { throw reader.fail("expected a number at byte \(at)", codingPath) }
        var bits: UInt64 = 0
        for index in 0..<8 { bits |= UInt64(reader.bytes[at + 1 + index]) << UInt64(8 * index) }
        return Double(bitPattern: bits)
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func signed() throws -> Int64 {
        guard try reader.tag(at: at) == .int else { throw reader.fail("expected a whole number at byte \(at)", codingPath) }
        let zigzag = try reader.varint(at: at + 1).value
        return Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
    }

    private func unsigned() throws -> UInt64 {
        guard try reader.tag(at: at) == .uint else { throw reader.fail("expected a whole number not below 0 at byte \(at)", codingPath) }
        return try reader.varint(at: at + 1).value
    }

    private func fit<T: FixedWidthInteger>(_ value: some BinaryInteger) throws -> T {
        guard let fitted = T(exactly: value) else { throw reader.fail("\(value) at byte \(at) does not fit a \(T.self)", codingPath) }
        return fitted
    }

    func decode(_ type: Int.Type) throws -> Int { try fit(signed()) }
    func decode(_ type: Int8.Type) throws -> Int8 { try fit(signed()) }
    func decode(_ type: Int16.Type) throws -> Int16 { try fit(signed()) }
    func decode(_ type: Int32.Type) throws -> Int32 { try fit(signed()) }
    func decode(_ type: Int64.Type) throws -> Int64 { try signed() }
    func decode(_ type: UInt.Type) throws -> UInt { try fit(unsigned()) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try fit(unsigned()) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try fit(unsigned()) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try fit(unsigned()) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try unsigned() }
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == [Double].self, try reader.tag(at: at) == .doubles, let doubles = reader.doubles(try reader.doublesRange(at: at + 1)) as? T {
            return doubles
        }
        if let record = T.self as? any CompactRecord.Type {
            guard let value = try reader.record(record, at: at, codingPath) as? T else { throw reader.fail("not a \(T.self) at byte \(at)", codingPath) }
            return value
        }
        return try T(from: self)
    }
}

/// A keyed container's entries, read in order: `Codable` asks for a type's keys in the order it wrote them (absent
/// optionals are written as nil), so each one is usually the next entry; a key asked out of order (or absent) is
/// looked for from the start.
final class CompactKeyedDecoding<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let reader: CompactReader
    let body: Range<Int>
    var codingPath: [any CodingKey]
    /// Where the next entry begins.
    private var cursor: Int

    init(reader: CompactReader, body: Range<Int>, codingPath: [any CodingKey]) {
        self.reader = reader
        self.body = body
        self.codingPath = codingPath
        cursor = body.lowerBound
    }

    /// The entry at `offset`: its key's bytes, where its value begins and where the entry ends.
    private func entry(at offset: Int) throws -> (key: Range<Int>, value: Int, end: Int) {
        let key = try reader.stringRange(at: offset)
        let end = try reader.end(ofValueAt: key.upperBound)
        guard end <= body.upperBound else { throw reader.fail("an entry past its object's end", codingPath) }
        return (key, key.upperBound, end)
    }

    /// Where the value for `key` begins, or nil when the container has none: the next entry first (the usual case),
    /// then every entry from the start.
    private func find(_ key: Key) throws -> Int? {
        let name = key.stringValue
        var offset = cursor < body.upperBound ? cursor : body.lowerBound
        var fromStart = offset == body.lowerBound
        while offset < body.upperBound {
            let candidate = try entry(at: offset)
            if reader.matches(candidate.key, name) {
                cursor = candidate.end
                return candidate.value
            }
            offset = fromStart ? candidate.end : body.lowerBound
            fromStart = true
        }
        return nil
    }

    private func value(_ key: Key) throws -> CompactValue {
        guard let at = try find(key) else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "no entry '\(key.stringValue)'"))
        }
        return CompactValue(reader: reader, at: at, codingPath: codingPath)
    }

    var allKeys: [Key] {
        var keys: [Key] = []
        var offset = body.lowerBound
        while offset < body.upperBound, let next = try? entry(at: offset) {
            if let key = Key(stringValue: reader.string(next.key)) { keys.append(key) }
            offset = next.end
        }
        return keys
    }

    func contains(_ key: Key) -> Bool {
        let saved = cursor
        defer { cursor = saved }
        return (try? find(key)) != nil
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key).decodeNil() }
    func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try value(key).decode(type) }
    func decode(_ type: String.Type, forKey key: Key) throws -> String { try value(key).decode(type) }
    func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try value(key).decode(type) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float { try value(key).decode(type) }
    func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try value(key).decode(type) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try value(key).decode(type) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try value(key).decode(type) }
    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try value(key).decode(type) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try value(key).decode(type) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try value(key).decode(type) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try value(key).decode(type) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try value(key).decode(type) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try value(key).decode(type) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try value(key).decode(type) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try value(key).decode(type) }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let at = try find(key) else { return nil }
        let slot = CompactValue(reader: reader, at: at, codingPath: codingPath)
        return slot.decodeNil() ? nil : try slot.decode(type)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try value(key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try value(key).unkeyedContainer() }

    func superDecoder() throws -> any Decoder {
        guard let key = Key(stringValue: "super") else { throw reader.fail("no entry 'super'", codingPath) }
        return try value(key)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder { try value(key) }
}

/// A list's values, one after another.
struct CompactUnkeyedDecoding: UnkeyedDecodingContainer {
    let reader: CompactReader
    let body: Range<Int>
    var codingPath: [any CodingKey]
    private var cursor: Int
    private(set) var currentIndex = 0

    init(reader: CompactReader, body: Range<Int>, codingPath: [any CodingKey]) {
        self.reader = reader
        self.body = body
        self.codingPath = codingPath
        cursor = body.lowerBound
    }

    var count: Int? { nil }
    var isAtEnd: Bool { cursor >= body.upperBound }

    /// The next value, moving past it.
    private mutating func next() throws -> CompactValue {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(Any.self, .init(codingPath: codingPath, debugDescription: "the list has no more values"))
        }
        let end = try reader.end(ofValueAt: cursor)
        guard end <= body.upperBound else { throw reader.fail("a value past its list's end", codingPath) }
        defer {
            cursor = end
            currentIndex += 1
        }
        return CompactValue(reader: reader, at: cursor, codingPath: codingPath)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, (try? reader.tag(at: cursor)) == .null else { return false }
        _ = try next()
        return true
    }

    mutating func decode(_ type: Bool.Type) throws -> Bool { try next().decode(type) }
    mutating func decode(_ type: String.Type) throws -> String { try next().decode(type) }
    mutating func decode(_ type: Double.Type) throws -> Double { try next().decode(type) }
    mutating func decode(_ type: Float.Type) throws -> Float { try next().decode(type) }
    mutating func decode(_ type: Int.Type) throws -> Int { try next().decode(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try next().decode(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try next().decode(type) }
    mutating func decode(_ type: Int32.Type) throws -> Int32 { try next().decode(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try next().decode(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try next().decode(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try next().decode(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try next().decode(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try next().decode(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try next().decode(type) }
    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        try next().container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
    mutating func superDecoder() throws -> any Decoder { try next() }
}
