import Foundation

/// Where each zone's centre is taken, for the zone a leg drives through: the one whose centre is nearest the leg's
/// midpoint (`ETAModel.Vocabulary.through`).
///
/// A zone's mean door is the plain guess. It is a poor one where the zones' names draw a map, each door named for the
/// zone it lies in: the doors near a border are cut off on the far side, so each mean sits back from its borders, the
/// borders the means imply are off by hundreds of metres, and a leg whose midpoint lies in that strip is timed at
/// the wrong zone's speed (on a synthetic city of eight zones, one leg in fifteen, missed by five times as much as
/// the rest). So the means are moved until the nearest centre names the zone of almost every door (learning vector
/// quantisation: a door put in the wrong zone pulls its own zone's centre towards it and pushes the other away, a
/// little less each pass). Where the names draw no such map (doors named for a zone they lie outside of, clouds
/// that overlap), no centres can do that, and the means stay.
enum ZoneCentres {
    /// Share of the training doors the moved centres must put in their own zone to be kept.
    static let mapAccuracy = 0.99
    static let passes = 5
    /// How far a misplaced door pulls a centre towards it in the first pass, as a share of the way.
    static let firstStep = 0.01

    /// One centre per zone (same order as `zones`), from the doors of `rows`.
    static func fitted(zones: [String], rows: [HistoryRow]) -> [GeoPoint] {
        let means = meanDoors(zones: zones, rows: rows)
        let index = Dictionary(uniqueKeysWithValues: zones.enumerated().map { ($1, $0) })
        let doors = rows.compactMap { row in index[row.zone].map { (point: row.to, zone: $0) } }
        guard zones.count > 1, !doors.isEmpty else { return means }
        // Squared distances in degrees with longitude scaled at the doors' mean latitude, as `through` measures.
        let scale = cos(doors.map(\.point.lat).reduce(0, +) / Double(doors.count) * Double.pi / 180)
        let points = doors.map { (x: $0.point.lat, y: $0.point.lon * scale) }
        var centres = means.map { (x: $0.lat, y: $0.lon * scale) }
        func nearestOther(to p: (x: Double, y: Double), than zone: Int) -> (zone: Int, closer: Bool) {
            let own = squared(p, centres[zone])
            var best = -1, nearest = Double.infinity
            for k in centres.indices where k != zone {
                let d = squared(p, centres[k])
                if d < nearest { nearest = d; best = k }
            }
            return (best, nearest < own)
        }
        func accuracy() -> Double {
            Double(doors.indices.filter { !nearestOther(to: points[$0], than: doors[$0].zone).closer }.count) / Double(doors.count)
        }
        let before = accuracy()
        guard before < 1 else { return means }  // nothing to move: the means exactly, not back through the scaling
        for pass in 0..<passes {
            let step = firstStep * Double(passes - pass) / Double(passes)
            for (i, p) in points.enumerated() {
                let own = doors[i].zone, other = nearestOther(to: p, than: own)
                guard other.closer else { continue }
                centres[own].x += step * (p.x - centres[own].x); centres[own].y += step * (p.y - centres[own].y)
                centres[other.zone].x -= step * (p.x - centres[other.zone].x); centres[other.zone].y -= step * (p.y - centres[other.zone].y)
            }
        }
        let after = accuracy()
        guard after >= mapAccuracy, after >= before else { return means }
        return centres.map { GeoPoint(lat: $0.x, lon: $0.y / scale) }
    }

    /// Each zone's mean door position.
    static func meanDoors(zones: [String], rows: [HistoryRow]) -> [GeoPoint] {
        var sums = [String: (lat: Double, lon: Double, n: Double)]()
        for row in rows { sums[row.zone, default: (0, 0, 0)].lat += row.to.lat; sums[row.zone]!.lon += row.to.lon; sums[row.zone]!.n += 1 }
        return zones.map { zone in sums[zone].map { GeoPoint(lat: $0.lat / $0.n, lon: $0.lon / $0.n) } ?? GeoPoint(lat: 0, lon: 0) }
    }

    private static func squared(_ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
        (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)
    }
}
