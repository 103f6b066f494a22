/// A map from ids to values that copies in pieces: the world's tables (orders, riders, routes, cases, the ids
/// seen) in 64 dictionaries chosen by a hash of the id.
///
/// The world is a value, copied whenever someone looks at it from elsewhere (a draft of a remedy, a plan search,
/// a board's snapshot). A copy is free until one side changes it; a plain dictionary then copies every entry, so
/// in a city of 40,000 orders each draft that assigned one order paid for all of them. Here a change copies the
/// one shard it touches (1/64 of the entries) and the 64 references to the others.
///
/// Iteration order is by shard, then each shard's own: arbitrary, as a dictionary's is; nothing may depend on it.
public struct IDMap<Value>: Sequence {
    private var shards: [[String: Value]]
    /// The ids changed since `beginChangeLog()`, in the order changed (an id may repeat), while the log is open
    /// (see `World.apply`: the log of one event, so a projection can follow what it touched without a walk of the
    /// whole table). Never encoded; a copy made while the log is closed does not grow it.
    public private(set) var changed: [String] = []
    private var logging = false

    public init() { shards = Array(repeating: [:], count: IDMap.shardCount) }

    /// Empties the change log and starts noting changes.
    mutating func beginChangeLog() {
        changed.removeAll(keepingCapacity: true)
        logging = true
    }

    /// Stops noting changes; the log keeps what it holds until the next `beginChangeLog()`.
    mutating func endChangeLog() { logging = false }

    static var shardCount: Int { 64 }

    /// FNV-1a over the id's bytes, mixed so that the top six bits pick the shard: the same shard for an id in
    /// every process (Swift's own hash is seeded per process).
    @inline(__always)
    private static func shard(of key: String) -> Int {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return Int(truncatingIfNeeded: (hash &* 0x9e37_79b9_7f4a_7c15) >> 58)
    }

    public subscript(key: String) -> Value? {
        get { shards[IDMap.shard(of: key)][key] }
        _modify {
            if logging { changed.append(key) }
            yield &shards[IDMap.shard(of: key)][key]
        }
    }

    /// `body` given the value at `key` where it is stored, without a copy of it (nil when there is none): a rider
    /// or an order is a large value, and the candidate search reads a few fields of a thousand riders per order.
    @inline(__always)
    public func withValue<Result>(_ key: String, _ body: (Value) throws -> Result) rethrows -> Result? {
        let shard = IDMap.shard(of: key)
        guard let index = shards[shard].index(forKey: key) else { return nil }
        return try body(shards[shard].values[index])
    }

    /// Whether `key` has a value, without a copy of it.
    @inline(__always)
    public func contains(_ key: String) -> Bool { shards[IDMap.shard(of: key)].index(forKey: key) != nil }

    public subscript(key: String, default fallback: @autoclosure () -> Value) -> Value {
        get { shards[IDMap.shard(of: key)][key] ?? fallback() }
        _modify {
            if logging { changed.append(key) }
            yield &shards[IDMap.shard(of: key)][key, default: fallback()]
        }
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> Value? {
        if logging { changed.append(key) }
        return shards[IDMap.shard(of: key)].removeValue(forKey: key)
    }

    public var count: Int { shards.reduce(0) { $0 + $1.count } }
    public var isEmpty: Bool { shards.allSatisfy(\.isEmpty) }
    public var keys: Projection<String> { Projection(map: self) { $0.key } }
    public var values: Projection<Value> { Projection(map: self) { $0.value } }

    /// The keys or the values, walked without building an array (not lazy: `filter` and `map` make arrays).
    public struct Projection<Part>: Sequence {
        let map: IDMap<Value>
        let part: ((key: String, value: Value)) -> Part

        public struct Iterator: IteratorProtocol {
            var inner: IDMap<Value>.Iterator
            let part: ((key: String, value: Value)) -> Part
            public mutating func next() -> Part? { inner.next().map(part) }
        }

        public func makeIterator() -> Iterator { Iterator(inner: map.makeIterator(), part: part) }
        public var underestimatedCount: Int { map.count }
    }

    public struct Iterator: IteratorProtocol {
        private let shards: [[String: Value]]
        private var shard = 0
        private var inner: Dictionary<String, Value>.Iterator?

        fileprivate init(_ shards: [[String: Value]]) { self.shards = shards }

        public mutating func next() -> (key: String, value: Value)? {
            while shard < shards.count {
                if inner == nil { inner = shards[shard].makeIterator() }
                if let element = inner?.next() { return element }
                inner = nil
                shard += 1
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(shards) }
    public var underestimatedCount: Int { count }
}

extension IDMap: Sendable where Value: Sendable {}

extension IDMap: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init()
        for (key, value) in elements { self[key] = value }
    }
}

/// A map in `Codable` state (a board's snapshot of the world) is a plain object of id → value, written and read
/// entry by entry (no dictionary in between).
extension IDMap: Encodable where Value: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: IDKey.self)
        for (key, value) in self { try container.encode(value, forKey: IDKey(stringValue: key)) }
    }
}

extension IDMap: Decodable where Value: Decodable {
    public init(from decoder: any Decoder) throws {
        self.init()
        let container = try decoder.container(keyedBy: IDKey.self)
        for key in container.allKeys { self[key.stringValue] = try container.decode(Value.self, forKey: key) }
    }
}

/// An id as a key of an object.
private struct IDKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

/// A map of records is a record (see `CompactRecord`): its count, then each id and value, so a snapshot's ten
/// thousand orders are read without a keyed container or a key string made twice each.
extension IDMap: CompactField where Value: CompactField {
    public func write(to fields: inout CompactFieldWriter) { fields.writePairs(self, count: count) }

    public init(reading fields: inout CompactFieldReader) throws {
        self.init()
        try fields.readPairs { count in
            for index in shards.indices { shards[index].reserveCapacity(count / IDMap.shardCount + 1) }
        } each: { (key: String, value: Value) in self[key] = value }
    }
}

extension IDMap: CompactRecord where Value: CompactRecord {}
