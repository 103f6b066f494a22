/// A named area of the city. Speeds and traffic incidents apply per zone.
public struct Zone: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var area: GeoBox
    /// Free-flow average speed of a motorbike in this zone, km/h.
    public var baseSpeedKmh: Double

    public init(id: String, name: String, area: GeoBox, baseSpeedKmh: Double) {
        self.id = id; self.name = name; self.area = area; self.baseSpeedKmh = baseSpeedKmh
    }
}

/// A depot where parcels are picked up.
public struct Hub: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var location: GeoPoint
    public var zone: String

    public init(id: String, name: String, location: GeoPoint, zone: String) {
        self.id = id; self.name = name; self.location = location; self.zone = zone
    }
}

/// A slow-down in a zone until a given time.
public struct TrafficIncident: Hashable, Sendable, Codable {
    public var id: String
    public var zone: String
    /// Multiplier on speed, in (0, 1]: 0.3 means traffic moves at 30% of its usual speed.
    public var slowdown: Double
    public var since: Instant
    public var until: Instant
    public var note: String
}
