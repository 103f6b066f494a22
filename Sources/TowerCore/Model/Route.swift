/// One visit on a rider's route.
public struct Stop: Hashable, Sendable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable { case pickup, delivery }

    public var order: String
    public var kind: Kind
    /// Planned arrival.
    public var eta: Instant

    public init(order: String, kind: Kind, eta: Instant) {
        self.order = order; self.kind = kind; self.eta = eta
    }
}

/// A rider's remaining stops in order, as last planned.
public struct Route: Hashable, Sendable, Codable {
    public var stops: [Stop]
    public var plannedAt: Instant

    public init(stops: [Stop], plannedAt: Instant) {
        self.stops = stops; self.plannedAt = plannedAt
    }
}
