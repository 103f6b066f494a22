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
///
/// Moving the means fixes the borders where doors lie on both sides of them, but not the centres themselves: two
/// centres can slide apart along the line between them and keep their common border, and the borders they draw with
/// zones further off, across streets with no doors, move with them. The midpoints of legs between two zones lie on
/// just such borders. So the moving is also started from where the doors' clouds are centred: all the doors, whatever
/// their names, taken as a mixture of one cloud per zone (expectation–maximisation; a cloud's doors beyond its
/// zone's border are counted, as they are there). Kept when it names more doors right than the means moved alone: on
/// forty synthetic cities it put 58% fewer test legs' midpoints in the wrong zone (BENCHMARKS.md, "The zones' centres
/// from the doors' clouds").
enum ZoneCentres {
    /// Share of the training doors the moved centres must put in their own zone to be kept.
    static let mapAccuracy = 0.99
    static let passes = 5
    /// How far a misplaced door pulls a centre towards it in the first pass, as a share of the way.
    static let firstStep = 0.01
    /// Rounds of the mixture's fit, and at most how many doors it reads (every k-th, evenly through the history).
    static let mixtureRounds = 50
    static let mixtureDoors = 20_000
    /// The smallest spread a cloud is given (degrees squared, about 10 m): a zone of one door is not a point.
    static let leastSpread = 1e-8

    /// A point in degrees, longitude scaled at the doors' mean latitude (as `through` measures).
    struct Point {
        var x: Double, y: Double
    }

    /// One centre per zone (same order as `zones`), from the doors of `rows`.
    static func fitted(zones: [String], rows: [HistoryRow]) -> [GeoPoint] {
        let means = meanDoors(zones: zones, rows: rows)
        let index = Dictionary(uniqueKeysWithValues: zones.enumerated().map { ($1, $0) })
        let doors = rows.compactMap { row in index[row.zone].map { (point: row.to, zone: $0) } }
        guard zones.count > 1, !doors.isEmpty else { return means }
        let n = Double(doors.count)
        let scale = cos(doors.map(\.point.lat).reduce(0, +) / n * Double.pi / 180)
        let plane = Doors(points: doors.map { Point(x: $0.point.lat, y: $0.point.lon * scale) }, zones: doors.map(\.zone), count: zones.count)
        let start = means.map { Point(x: $0.lat, y: $0.lon * scale) }
        let before = plane.accuracy(start)
        guard before < 1 else { return means }  // nothing to move: the means exactly, not back through the scaling
        let moved = plane.quantised(from: start)
        var (best, accuracy) = (moved, plane.accuracy(moved))
        if accuracy < 1 {
            let fromClouds = plane.quantised(from: plane.mixture(from: moved))
            let cloudsAccuracy = plane.accuracy(fromClouds)
            // A centre that is not a number is nearest to nothing, so it would misplace no door: it is never kept.
            if cloudsAccuracy > accuracy, fromClouds.allSatisfy({ $0.x.isFinite && $0.y.isFinite }) { (best, accuracy) = (fromClouds, cloudsAccuracy) }
        }
        guard accuracy >= mapAccuracy, accuracy >= before else { return means }
        return best.map { GeoPoint(lat: $0.x, lon: $0.y / scale) }
    }

    /// Each zone's mean door position.
    static func meanDoors(zones: [String], rows: [HistoryRow]) -> [GeoPoint] {
        var sums = [String: (lat: Double, lon: Double, n: Double)]()
        for row in rows { sums[row.zone, default: (0, 0, 0)].lat += row.to.lat; sums[row.zone]!.lon += row.to.lon; sums[row.zone]!.n += 1 }
        return zones.map { zone in sums[zone].map { GeoPoint(lat: $0.lat / $0.n, lon: $0.lon / $0.n) } ?? GeoPoint(lat: 0, lon: 0) }
    }

    /// The training doors in the plane, each with its zone's index.
    struct Doors {
        let points: [Point]
        let zones: [Int]
        let count: Int

        /// The share of doors whose nearest centre is their own zone's.
        func accuracy(_ centres: [Point]) -> Double {
            Double(points.indices.filter { !nearestOther(to: points[$0], than: zones[$0], among: centres).closer }.count) / Double(points.count)
        }

        /// The centres moved from `start` by learning vector quantisation (`passes`, from `firstStep`).
        func quantised(from start: [Point]) -> [Point] {
            var centres = start
            for pass in 0..<ZoneCentres.passes {
                let step = ZoneCentres.firstStep * Double(ZoneCentres.passes - pass) / Double(ZoneCentres.passes)
                for (i, p) in points.enumerated() {
                    let own = zones[i], other = nearestOther(to: p, than: own, among: centres)
                    guard other.closer else { continue }
                    centres[own].x += step * (p.x - centres[own].x); centres[own].y += step * (p.y - centres[own].y)
                    centres[other.zone].x -= step * (p.x - centres[other.zone].x); centres[other.zone].y -= step * (p.y - centres[other.zone].y)
                }
            }
            return centres
        }

        /// The centres of a mixture of one normal cloud per zone (its own spread along each axis and its own share of
        /// the doors) fitted to the doors' positions alone, from clouds at `start` as wide as each zone's doors
        /// around it. A cloud no door is drawn to stays where it was.
        func mixture(from start: [Point]) -> [Point] {
            // Read about the doors' mean, so the spreads are not the small differences of large squares.
            let n = Double(points.count)
            let origin = Point(x: points.reduce(0) { $0 + $1.x } / n, y: points.reduce(0) { $0 + $1.y } / n)
            let stride = max(1, (points.count + ZoneCentres.mixtureDoors - 1) / ZoneCentres.mixtureDoors)
            let sample = Swift.stride(from: 0, to: points.count, by: stride).map { Point(x: points[$0].x - origin.x, y: points[$0].y - origin.y) }
            var centres = start.map { Point(x: $0.x - origin.x, y: $0.y - origin.y) }
            var spreadX = [Double](repeating: 0, count: count), spreadY = spreadX, share = spreadX
            for (i, p) in points.enumerated() {
                let c = centres[zones[i]], p = Point(x: p.x - origin.x, y: p.y - origin.y)
                spreadX[zones[i]] += (p.x - c.x) * (p.x - c.x); spreadY[zones[i]] += (p.y - c.y) * (p.y - c.y); share[zones[i]] += 1
            }
            for k in 0..<count {
                spreadX[k] = max(ZoneCentres.leastSpread, spreadX[k] / max(share[k], 1))
                spreadY[k] = max(ZoneCentres.leastSpread, spreadY[k] / max(share[k], 1))
                share[k] = max(share[k], 1) / n
            }
            var logs = [Double](repeating: 0, count: count)
            for _ in 0..<ZoneCentres.mixtureRounds {
                var weight = [Double](repeating: 0, count: count), sumX = weight, sumY = weight, squaresX = weight, squaresY = weight
                let constants = (0..<count).map { log(share[$0]) - 0.5 * log(spreadX[$0] * spreadY[$0]) }
                for p in sample {
                    var top = -Double.infinity
                    for k in 0..<count {
                        let dx = p.x - centres[k].x, dy = p.y - centres[k].y
                        logs[k] = constants[k] - 0.5 * (dx * dx / spreadX[k] + dy * dy / spreadY[k])
                        top = max(top, logs[k])
                    }
                    var total = 0.0
                    for k in 0..<count { logs[k] = exp(logs[k] - top); total += logs[k] }
                    for k in 0..<count where logs[k] > 0 {
                        let r = logs[k] / total
                        weight[k] += r; sumX[k] += r * p.x; sumY[k] += r * p.y; squaresX[k] += r * p.x * p.x; squaresY[k] += r * p.y * p.y
                    }
                }
                for k in 0..<count where weight[k] > 1e-9 {
                    centres[k] = Point(x: sumX[k] / weight[k], y: sumY[k] / weight[k])
                    spreadX[k] = max(ZoneCentres.leastSpread, squaresX[k] / weight[k] - centres[k].x * centres[k].x)
                    spreadY[k] = max(ZoneCentres.leastSpread, squaresY[k] / weight[k] - centres[k].y * centres[k].y)
                    share[k] = weight[k] / Double(sample.count)
                }
            }
            return centres.map { Point(x: $0.x + origin.x, y: $0.y + origin.y) }
        }

        private func nearestOther(to p: Point, than zone: Int, among centres: [Point]) -> (zone: Int, closer: Bool) {
            let own = squared(p, centres[zone])
            var best = -1, nearest = Double.infinity
            for k in centres.indices where k != zone {
                let d = squared(p, centres[k])
                if d < nearest { nearest = d; best = k }
            }
            return (best, nearest < own)
        }

        private func squared(_ a: Point, _ b: Point) -> Double {
            (a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)
        }
    }
}
