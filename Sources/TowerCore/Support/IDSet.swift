/// A set of ids that copies in pieces, as `IDMap` does: the world keeps the orders waiting for a rider in one, and
/// a draft of the world (a remedy's, a plan search's) that gives one of them a rider copies a 64th of the set, not
/// the day's (a plain set of 50,000 ids copied itself whole for every order the desk moved).
///
/// Iteration order is arbitrary, as a set's is; nothing may depend on it. Encoded as a sorted array of its ids.
public struct IDSet: Sequence, Sendable {
    private var members = IDMap<Bool>()

    public init() {}

    public func contains(_ id: String) -> Bool { members.contains(id) }

    public mutating func insert(_ id: String) {
        if !members.contains(id) { members[id] = true }
    }

    public mutating func remove(_ id: String) {
        if members.contains(id) { members.removeValue(forKey: id) }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }

    public func makeIterator() -> IDMap<Bool>.Projection<String>.Iterator { members.keys.makeIterator() }
    public var underestimatedCount: Int { members.count }
}

extension IDSet: ExpressibleByArrayLiteral {
    public init(arrayLiteral ids: String...) {
        self.init()
        for id in ids { insert(id) }
    }
}

extension IDSet: Codable {
    public init(from decoder: Decoder) throws {
        self.init()
        for id in try [String](from: decoder) { insert(id) }
    }

    public func encode(to encoder: Encoder) throws { try sorted().encode(to: encoder) }
}
