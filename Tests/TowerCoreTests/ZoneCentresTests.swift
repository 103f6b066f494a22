import Foundation
import Testing
@testable import TowerCore

@Suite struct ZoneCentresTests {
    /// Four zones' true centres, 1.8–3.6 km apart: their doors' clouds (σ about 1.3 km) reach across the borders.
    static let truth = [GeoPoint(lat: -22.900, lon: -43.200), GeoPoint(lat: -22.916, lon: -43.208), GeoPoint(lat: -22.905, lon: -43.228),
                        GeoPoint(lat: -22.925, lon: -43.232)]

    static func nearest(_ point: GeoPoint, among centres: [GeoPoint]) -> Int {
        centres.indices.min { point.distanceKm(to: centres[$0]) < point.distanceKm(to: centres[$1]) }!
    }

    /// Doors drawn around each true centre in turn; each named for the zone whose true centre is nearest it (the
    /// names draw a map), or for the centre it was drawn around (clouds that overlap, no map).
    static func doors(namedByMap: Bool, count: Int = 3000) -> [HistoryRow] {
        var random = SeededRandom(seed: 5, stream: "zone-centres")
        return (0..<count).map { i in
            let centre = truth[i % truth.count]
            let door = GeoPoint(lat: centre.lat + random.normal() * 0.012, lon: centre.lon + random.normal() * 0.012)
            var row = HistoryRow.leg(from: centre, to: door)
            row.zone = "z\(namedByMap ? nearest(door, among: truth) : i % truth.count)"
            return row
        }
    }

    static func share(of rows: [HistoryRow], placedBy centres: [GeoPoint]) -> Double {
        Double(rows.filter { "z\(nearest($0.to, among: centres))" == $0.zone }.count) / Double(rows.count)
    }

    /// Where the names draw a map, the mean doors sit back from the borders and misplace the doors near them; the
    /// fitted centres place (almost) every door, and points near the true borders the way the true centres do.
    @Test func findsTheMapTheDoorsNamesDraw() {
        let rows = Self.doors(namedByMap: true), zones = ["z0", "z1", "z2", "z3"]
        let means = ZoneCentres.meanDoors(zones: zones, rows: rows)
        let fitted = ZoneCentres.fitted(zones: zones, rows: rows)
        #expect(Self.share(of: rows, placedBy: means) < 0.98, "\(Self.share(of: rows, placedBy: means))")
        #expect(Self.share(of: rows, placedBy: fitted) >= ZoneCentres.mapAccuracy)
        // Points on a grid across the three zones: how many each set of centres puts where the true ones do.
        var agreeMeans = 0, agreeFitted = 0
        for i in 0..<60 { for j in 0..<60 {
            let point = GeoPoint(lat: -22.94 + Double(i) * 0.0008, lon: -43.25 + Double(j) * 0.0012)
            let true_ = Self.nearest(point, among: Self.truth)
            if Self.nearest(point, among: means) == true_ { agreeMeans += 1 }
            if Self.nearest(point, among: fitted) == true_ { agreeFitted += 1 }
        } }
        #expect(agreeFitted > agreeMeans + 50, "fitted \(agreeFitted), means \(agreeMeans) of 3600")
        #expect(agreeFitted >= 3600 * 98 / 100)
    }

    /// Where doors are named for a zone they lie outside of, no centres can draw their names as a map: the mean
    /// doors stay, as they do where the means already place every door.
    @Test func keepsTheMeanDoorsWhereTheNamesDrawNoMap() {
        let zones = ["z0", "z1", "z2", "z3"]
        let overlapping = Self.doors(namedByMap: false)
        #expect(ZoneCentres.fitted(zones: zones, rows: overlapping) == ZoneCentres.meanDoors(zones: zones, rows: overlapping))
        let apart = Self.doors(namedByMap: true).map { row in
            var row = row
            row.to = GeoPoint(lat: row.to.lat + Double(row.zone.dropFirst())! * 0.5, lon: row.to.lon)
            return row
        }
        #expect(Self.share(of: apart, placedBy: ZoneCentres.meanDoors(zones: zones, rows: apart)) == 1)
        #expect(ZoneCentres.fitted(zones: zones, rows: apart) == ZoneCentres.meanDoors(zones: zones, rows: apart))
    }

    /// Eight zones placed at random within 10 km, as `SyntheticHistory` places them, so some clouds mostly overlap
    /// and others lie kilometres apart. Moved from the means alone, centres keep the borders where doors lie but
    /// not their own places: two near centres can slide apart and keep their common border, and the borders they
    /// draw with zones further off, where legs between them have their midpoints and few doors lie, move with
    /// them. Started from the doors' clouds, the centres come nearer the truth, and fewer midpoints are misplaced.
    @Test func findsTheCentresOfCloudsTheirBordersCut() {
        var random = SeededRandom(seed: 3, stream: "zone-clouds")
        let truth = (0..<8).map { _ in
            let angle = random.unit() * 2 * Double.pi, r = 10 * random.unit().squareRoot()
            return GeoPoint(lat: -22.93 + r * sin(angle) / 111, lon: -43.25 + r * cos(angle) / 102)
        }
        let rows = (0..<12_000).map { i in
            let centre = truth[i % truth.count]
            let door = GeoPoint(lat: centre.lat + random.normal() * 0.012, lon: centre.lon + random.normal() * 0.012)
            var row = HistoryRow.leg(from: centre, to: door)
            row.zone = "z\(Self.nearest(door, among: truth))"
            return row
        }
        let zones = truth.indices.map { "z\($0)" }
        let fitted = ZoneCentres.fitted(zones: zones, rows: rows)
        let scale = cos(rows.map(\.to.lat).reduce(0, +) / Double(rows.count) * Double.pi / 180)
        let doors = ZoneCentres.Doors(points: rows.map { ZoneCentres.Point(x: $0.to.lat, y: $0.to.lon * scale) },
                                      zones: rows.map { Int($0.zone.dropFirst())! }, count: zones.count)
        let movedAlone = doors.quantised(from: ZoneCentres.meanDoors(zones: zones, rows: rows).map { ZoneCentres.Point(x: $0.lat, y: $0.lon * scale) })
        // Both place the doors' names (almost) all right: only the centres tell them apart.
        #expect(doors.accuracy(movedAlone) >= ZoneCentres.mapAccuracy)
        #expect(doors.accuracy(fitted.map { ZoneCentres.Point(x: $0.lat, y: $0.lon * scale) }) > doors.accuracy(movedAlone))
        let alone = movedAlone.map { GeoPoint(lat: $0.x, lon: $0.y / scale) }
        let offBy = { (centres: [GeoPoint]) in zip(centres, truth).map { $0.distanceKm(to: $1) }.reduce(0, +) / Double(truth.count) }
        #expect(offBy(fitted) < 0.06, "fitted centres \(offBy(fitted)) km off on average")
        #expect(offBy(alone) > 0.08, "moved from the means alone \(offBy(alone)) km off on average")
        // Midpoints of legs between doors drawn at random: how many each set of centres puts where the true ones do not.
        var misplacedFitted = 0, misplacedAlone = 0
        for _ in 0..<20_000 {
            let a = rows[Int(random.unit() * Double(rows.count))].to, b = rows[Int(random.unit() * Double(rows.count))].to
            let middle = a.interpolated(to: b, fraction: 0.5), true_ = Self.nearest(middle, among: truth)
            if Self.nearest(middle, among: fitted) != true_ { misplacedFitted += 1 }
            if Self.nearest(middle, among: alone) != true_ { misplacedAlone += 1 }
        }
        #expect(misplacedFitted * 3 < misplacedAlone * 2, "fitted \(misplacedFitted), moved from the means alone \(misplacedAlone) of 20,000")
    }

    /// Doors piled on one point, names that contradict each other, a zone whose doors all stand in one place, a zone
    /// far off, clouds that shrink to points: the centres come back on the globe, every one, and the mixture's finite.
    @Test func oddDoorsGiveCentresOnTheGlobe() {
        let here = GeoPoint(lat: -22.9, lon: -43.2), there = GeoPoint(lat: -22.95, lon: -43.25), far = GeoPoint(lat: 51.5, lon: -0.1)
        func row(_ point: GeoPoint, _ zone: String) -> HistoryRow {
            var row = HistoryRow.leg(from: here, to: point)
            row.zone = zone
            return row
        }
        let cases: [[HistoryRow]] = [
            (0..<50).map { row(here, "z\($0 % 2)") },  // one point, two names
            (0..<60).map { row($0 % 3 == 0 ? here : there, "z\($0 % 2)") },  // two points, names that cross
            (0..<40).map { _ in row(here, "z0") } + (0..<40).map { i in row(GeoPoint(lat: -22.9 + Double(i % 7) * 0.001, lon: -43.2), "z1") },
            (0..<30).map { row($0 % 2 == 0 ? here : there, "z0") } + [row(far, "z1"), row(here, "z1")],
            // Each zone's doors on one point, a few of one zone's on the other's: a cloud shrinks to a point.
            (0..<40).map { _ in row(here, "z0") } + (0..<40).map { row($0 < 5 ? here : there, "z1") },
            // Three points, one per zone, and the third's doors named for all three: every cloud shrinks to its point.
            (0..<40).map { _ in row(here, "z0") } + (0..<40).map { _ in row(there, "z1") }
                + (0..<15).map { row(GeoPoint(lat: -22.8, lon: -43.1), "z\($0 % 3)") },
        ]
        for rows in cases {
            let zones = Array(Set(rows.map(\.zone))).sorted()
            let centres = ZoneCentres.fitted(zones: zones, rows: rows)
            #expect(centres.count == zones.count)
            #expect(centres.allSatisfy { $0.isValid }, "\(centres)")
            // The mixture itself, whether or not its centres are kept.
            let doors = ZoneCentres.Doors(points: rows.map { ZoneCentres.Point(x: $0.to.lat, y: $0.to.lon) },
                                          zones: rows.map { zones.firstIndex(of: $0.zone)! }, count: zones.count)
            let clouds = doors.mixture(from: ZoneCentres.meanDoors(zones: zones, rows: rows).map { ZoneCentres.Point(x: $0.lat, y: $0.lon) })
            #expect(clouds.allSatisfy { $0.x.isFinite && $0.y.isFinite }, "\(clouds)")
        }
    }
}
