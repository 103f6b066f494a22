import Foundation

/// Small plane geometry at city scale (an equirectangular projection around the points involved).
enum Geometry {
    /// Kilometres from `point` to the segment `a`–`b`.
    static func distanceKm(from point: GeoPoint, toSegment a: GeoPoint, _ b: GeoPoint) -> Double {
        let kmPerDegree = 111.195
        let scale = cos(point.lat * .pi / 180)
        func xy(_ p: GeoPoint) -> (Double, Double) { ((p.lon - point.lon) * kmPerDegree * scale, (p.lat - point.lat) * kmPerDegree) }
        let (ax, ay) = xy(a), (bx, by) = xy(b)
        let dx = bx - ax, dy = by - ay
        let length = dx * dx + dy * dy
        let t = length == 0 ? 0 : max(0, min(1, -(ax * dx + ay * dy) / length))
        let (cx, cy) = (ax + t * dx, ay + t * dy)
        return (cx * cx + cy * cy).squareRoot()
    }

    /// Whether `point` lies within `box` grown by `marginKm` on every side.
    static func contains(_ box: GeoBox, _ point: GeoPoint, marginKm: Double) -> Bool {
        let dLat = marginKm / 111.195
        let dLon = dLat / max(0.01, cos(point.lat * .pi / 180))
        return point.lat >= box.south - dLat && point.lat <= box.north + dLat && point.lon >= box.west - dLon && point.lon <= box.east + dLon
    }
}
