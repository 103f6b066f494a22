/// A value `CompactEncoder` writes as its fields, one after another in a fixed order, with neither keys nor tags.
///
/// A snapshot of a 500-rider city holds ten thousand orders of thirty fields each; read through `Codable`'s keyed
/// containers (a container object per value, a key looked up per field) they took most of a board's attach. The
/// bulky types of the world say their fields in order instead (`write(to:)`, `init(reading:)`); everything else
/// still goes through `Codable`. A record's body has its length in front, like a container's, so a reader can step
/// over it, and every read is checked: bytes that end early or a word outside a vocabulary are a `DecodingError`.
///
/// A record's two functions must name the same fields in the same order: the world's round-trip test compares every
/// order, rider's route and case field by field after a day.
public protocol CompactRecord: CompactField, Codable {}

/// A value that can be a field of a record: numbers, text, instants, optionals, lists, sets, vocabularies (written
/// as their words) and records.
public protocol CompactField {
    func write(to fields: inout CompactFieldWriter)
    init(reading fields: inout CompactFieldReader) throws
}

/// A record's fields, as they are written.
public struct CompactFieldWriter {
    var bytes: [UInt8]

    public mutating func write<T: CompactField>(_ value: T) { value.write(to: &self) }

    /// A count, then each element: a list's or a set's fields.
    mutating func writeEach<Elements: Collection>(_ elements: Elements) where Elements.Element: CompactField {
        varint(UInt64(elements.count))
        for element in elements { element.write(to: &self) }
    }

    /// A count, then each key and value: a map's fields.
    mutating func writePairs<Pairs: Sequence, Key: CompactField, Value: CompactField>(_ pairs: Pairs, count: Int)
    where Pairs.Element == (key: Key, value: Value) {
        varint(UInt64(count))
        for (key, value) in pairs {
            write(key)
            write(value)
        }
    }

    mutating func varint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(rest))
    }
}

/// A record's fields, as they are read: each read checks the bytes left.
public struct CompactFieldReader {
    let bytes: [UInt8]
    private(set) var at: Int
    let end: Int

    init(bytes: [UInt8], body: Range<Int>) {
        self.bytes = bytes
        at = body.lowerBound
        end = body.upperBound
    }

    public mutating func read<T: CompactField>(_ type: T.Type = T.self) throws -> T { try T(reading: &self) }

    func fail(_ why: String) -> DecodingError {
        .dataCorrupted(.init(codingPath: [], debugDescription: "\(why) at byte \(at)"))
    }

    mutating func byte() throws -> UInt8 {
        guard at < end else { throw fail("a record's fields end early") }
        defer { at += 1 }
        return bytes[at]
    }

    mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard shift < 64 else { throw fail("a number too long") }
            let byte = try byte()
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    /// The next `count` bytes.
    mutating func take(_ count: UInt64) throws -> Range<Int> {
        guard count <= UInt64(end - at) else { throw fail("a field longer than its record") }
        defer { at += Int(count) }
        return at..<(at + Int(count))
    }

    /// What `writeEach` wrote: the count (told to `counted` first, to make room), then each element.
    mutating func readEach<Element: CompactField>(counted: (Int) -> Void, each: (Element) -> Void) throws {
        let count = try count()
        counted(count)
        for _ in 0..<count { each(try read()) }
    }

    /// What `writePairs` wrote: the count (told to `counted` first, to make room), then each key and value.
    mutating func readPairs<Key: CompactField, Value: CompactField>(counted: (Int) -> Void, each: (Key, Value) -> Void) throws {
        let count = try count()
        counted(count)
        for _ in 0..<count {
            let key = try read(Key.self)
            each(key, try read(Value.self))
        }
    }

    /// A count of elements, each at least one byte, so a broken count cannot ask for more than the bytes hold.
    mutating func count() throws -> Int {
        let count = try varint()
        guard count <= UInt64(end - at) else { throw fail("a list longer than its record") }
        return Int(count)
    }
}

extension Int64: CompactField {
    public func write(to fields: inout CompactFieldWriter) { fields.varint(UInt64(bitPattern: (self << 1) ^ (self >> 63))) }
    public init(reading fields: inout CompactFieldReader) throws {
        let zigzag = try fields.varint()
        self = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
    }
}

extension Int: CompactField {
    public func write(to fields: inout CompactFieldWriter) { Int64(self).write(to: &fields) }
    public init(reading fields: inout CompactFieldReader) throws {
        let value = try Int64(reading: &fields)
        guard let fitted = Int(exactly: value) else { throw fields.fail("\(value) does not fit an Int") }
        self = fitted
    }
}

extension Double: CompactField {
    public func write(to fields: inout CompactFieldWriter) {
        withUnsafeBytes(of: bitPattern.littleEndian) { fields.bytes.append(contentsOf: $0) }
    }
    public init(reading fields: inout CompactFieldReader) throws {
        let range = try fields.take(8)
        var bits: UInt64 = 0
        for (shift, index) in range.enumerated() { bits |= UInt64(fields.bytes[index]) << UInt64(8 * shift) }
        self = Double(bitPattern: bits)
    }
}

extension Bool: CompactField {
    public func write(to fields: inout CompactFieldWriter) { fields.bytes.append(self ? 1 : 0) }
    public init(reading fields: inout CompactFieldReader) throws {
        switch try fields.byte() {
        case 0: self = false
        case 1: self = true
        case let other: throw fields.fail("\(other) is neither true nor false")
        }
    }
}

extension String: CompactField {
    public func write(to fields: inout CompactFieldWriter) {
        var text = self
        text.withUTF8 { utf8 in
            fields.varint(UInt64(utf8.count))
            fields.bytes.append(contentsOf: utf8)
        }
    }
    public init(reading fields: inout CompactFieldReader) throws {
        let range = try fields.take(fields.varint())
        self = fields.bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }
}

extension Instant: CompactField {
    public func write(to fields: inout CompactFieldWriter) { seconds.write(to: &fields) }
    public init(reading fields: inout CompactFieldReader) throws { self.init(seconds: try fields.read()) }
}

extension Optional: CompactField where Wrapped: CompactField {
    public func write(to fields: inout CompactFieldWriter) {
        switch self {
        case .none: fields.bytes.append(0)
        case let .some(value):
            fields.bytes.append(1)
            value.write(to: &fields)
        }
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self = try fields.read(Bool.self) ? .some(try fields.read()) : .none
    }
}

extension Array: CompactField where Element: CompactField {
    public func write(to fields: inout CompactFieldWriter) { fields.writeEach(self) }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init()
        try fields.readEach { reserveCapacity($0) } each: { append($0) }
    }
}

/// A list of records is a record: a route's stops, a rider's trail.
extension Array: CompactRecord where Element: CompactRecord {}

extension Set: CompactField where Element: CompactField {
    public func write(to fields: inout CompactFieldWriter) { fields.writeEach(self) }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init()
        try fields.readEach { reserveCapacity($0) } each: { insert($0) }
    }
}

/// A dictionary: its count, then each key and value (in the dictionary's own order).
extension Dictionary: CompactField where Key: CompactField, Value: CompactField {
    public func write(to fields: inout CompactFieldWriter) { fields.writePairs(self, count: count) }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init()
        try fields.readPairs { reserveCapacity($0) } each: { (key: Key, value: Value) in self[key] = value }
    }
}

/// A vocabulary is written as its word, as in the journal.
extension CompactField where Self: RawRepresentable, RawValue == String {
    public func write(to fields: inout CompactFieldWriter) { rawValue.write(to: &fields) }
    public init(reading fields: inout CompactFieldReader) throws {
        let word = try String(reading: &fields)
        guard let value = Self(rawValue: word) else {
            throw fields.fail("'\(TextSanitizer.clean(String(word.prefix(40))))' is not a \(Self.self)")
        }
        self = value
    }
}
