import Foundation

/// A WGS 84 coordinate in degrees.
public struct GeoPoint: Hashable, Sendable, Codable {
    public var lat: Double
    public var lon: Double

    public init(lat: Double, lon: Double) {
        self.lat = lat
        self.lon = lon
    }

    /// Whether the coordinate is finite and on the globe.
    public var isValid: Bool { lat.isFinite && lon.isFinite && abs(lat) <= 90 && abs(lon) <= 180 }

    /// Great-circle distance in kilometres (haversine, mean Earth radius).
    public func distanceKm(to other: GeoPoint) -> Double {
        let radians = Double.pi / 180
        let dLat = (other.lat - lat) * radians
        let dLon = (other.lon - lon) * radians
        let a = sin(dLat / 2) * sin(dLat / 2) + cos(lat * radians) * cos(other.lat * radians) * sin(dLon / 2) * sin(dLon / 2)
        return 2 * 6371.0088 * asin(min(1, a.squareRoot()))
    }

    /// The point a fraction `t` of the way to `other` (linear in degrees; fine at city scale).
    public func interpolated(to other: GeoPoint, fraction t: Double) -> GeoPoint {
        GeoPoint(lat: lat + (other.lat - lat) * t, lon: lon + (other.lon - lon) * t)
    }
}

/// A latitude/longitude rectangle.
public struct GeoBox: Hashable, Sendable, Codable {
    public var south: Double, west: Double, north: Double, east: Double

    public init(south: Double, west: Double, north: Double, east: Double) {
        self.south = south; self.west = west; self.north = north; self.east = east
    }

    public func contains(_ point: GeoPoint) -> Bool {
        point.lat >= south && point.lat <= north && point.lon >= west && point.lon <= east
    }

    public var center: GeoPoint { GeoPoint(lat: (south + north) / 2, lon: (west + east) / 2) }

    public var isValid: Bool {
        GeoPoint(lat: south, lon: west).isValid && GeoPoint(lat: north, lon: east).isValid && south < north && west < east
    }
}
