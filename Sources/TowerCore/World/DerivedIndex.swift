/// An index a world derives from what it holds, kept with it as events apply: never encoded (a null in its place),
/// so a decoded world has one not built yet, and its first `apply` builds it from the world (see `World.apply`).
protocol DerivedIndex: Codable {
    init()
    var isBuilt: Bool { get }
}

extension DerivedIndex {
    init(from decoder: Decoder) throws { self.init() }

    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }
}
