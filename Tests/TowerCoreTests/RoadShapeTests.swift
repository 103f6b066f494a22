import Foundation
import Testing
@testable import TowerCore

@Suite struct RoadShapeTests {
    /// Legs inside two zones (each leg's midpoint in its door's zone): a minute at zone A's doors and two and a half
    /// at zone B's, A driven at 180 s a km and B at 120, A half as slow again from 08:00 to 09:00. `stalled` of the
    /// legs (every n-th) take five times as long: a breakdown, which says nothing of the roads.
    static func legs(stalledEvery: Int? = nil) -> (rows: [HistoryRow], truth: [Double]) {
        var random = SeededRandom(seed: 9, stream: "road-shape")
        let centres = [GeoPoint(lat: -22.90, lon: -43.20), GeoPoint(lat: -22.99, lon: -43.30)]
        let start = ISOTime.parse("2026-09-07T06:00:00-03:00")!.instant
        var rows: [HistoryRow] = [], truth: [Double] = []
        for i in 0..<3000 {
            let z = i % 2, centre = centres[z]
            let around = { GeoPoint(lat: centre.lat + (random.unit() - 0.5) * 0.04, lon: centre.lon + (random.unit() - 0.5) * 0.04) }
            let from = around(), to = around()
            let departed = start + Int64(86_400 * (i / 300) + Int(random.unit() * 12 * 3600))
            let hour = ISOTime.secondOfDay(departed, offsetSeconds: -3 * 3600) / 3600
            let pace = (z == 0 ? 180.0 : 120) * (z == 0 && hour == 8 ? 1.5 : 1)
            let expected = (z == 0 ? 60.0 : 150) + ETAModel.roadKm(HistoryRow.leg(from: from, to: to)) * pace
            let seconds = expected * (stalledEvery.map { i % $0 == 0 } == true ? 5 : 1)
            var row = HistoryRow.leg(from: from, to: to)
            row.zone = z == 0 ? "A" : "B"
            row.utcOffsetSeconds = -3 * 3600
            row.rider = "R\(i % 5)"
            row.departedAt = departed
            row.arrivedAt = departed + Int64(seconds.rounded())
            rows.append(row)
            truth.append(expected)
        }
        return (rows, truth)
    }

    static func shape(_ rows: [HistoryRow]) -> (RoadShape, ETAModel.Vocabulary) {
        let zones = ["A", "B"], riders = (0..<5).map { "R\($0)" }
        let vocabulary = ETAModel.Vocabulary(zones: zones, centres: ZoneCentres.meanDoors(zones: zones, rows: rows), riders: riders)
        let targets = rows.map { log(Double($0.arrivedAt! - $0.departedAt) + ETAModel.travelShift) }
        return (RoadShape(rows: rows, targets: targets, indices: rows.indices, vocabulary: vocabulary, riderCount: riders.count), vocabulary)
    }

    /// The mean |log| distance of the shape's times from the true ones, over the legs that were not stalled.
    static func error(stalledEvery: Int?) -> Double {
        let (rows, truth) = legs(stalledEvery: stalledEvery)
        let (shape, vocabulary) = shape(rows)
        let ordinary = rows.indices.filter { i in stalledEvery.map { i % $0 != 0 } ?? true }
        return ordinary.reduce(0) { total, i in
            total + abs(shape.predict(rows[i], vocabulary) - log(truth[i] + ETAModel.travelShift))
        } / Double(ordinary.count)
    }

    /// A time at the door plus the distance at a pace that depends on the zone and the hour: found from the legs
    /// alone, the door times apart from the driving (a log-linear model would blend them).
    @Test func findsTheTimeAtTheDoorApartFromThePace() {
        #expect(Self.error(stalledEvery: nil) < 0.01)
        let (rows, _) = Self.legs()
        let (shape, _) = Self.shape(rows)
        let doors = [0, 1].map { exp(shape.door($0)) }
        #expect(abs(doors[0] - 60) < 6 && abs(doors[1] - 150) < 15, "\(doors)")
    }

    /// One leg in twenty held up five times over moves the shape of the others by little: under a squared loss they
    /// would pull every leg's time up by a twentieth of log 5 (8%).
    @Test func legsABreakdownHeldUpDoNotPullTheRest() {
        #expect(Self.error(stalledEvery: 20) < 0.03)
    }

    @Test func findsKeysInAscendingLists() {
        #expect(RoadShape.find([2, 5, 9], 5) == 1 && RoadShape.find([2, 5, 9], 9) == 2 && RoadShape.find([2, 5, 9], 2) == 0)
        #expect(RoadShape.find([2, 5, 9], 4) == nil && RoadShape.find([], 1) == nil && RoadShape.find([2, 5, 9], 10) == nil)
    }
}
