import Foundation
import Testing
@testable import TowerCore

/// Online figures and training learn a leg as a live core does: once its delivery attempt has ended, not the moment
/// it was predicted.
@Suite struct LiveReplayTests {
    /// Four legs: A leaves at 0 and is known at 100, B 50–60, C 70–200, D 100–150. B is known before C leaves, A
    /// exactly when D leaves (known by then), and C and D only after the last departure.
    @Test func aLegIsLearnedOnceItsTimesAreKnownAndNotBefore() {
        let departed: [Int64] = [0, 50, 70, 100], known: [Int64] = [100, 60, 200, 150]
        var steps: [String] = []
        let names = ["A", "B", "C", "D"]
        LiveReplay.run(0..<4, departed: { Instant(seconds: departed[$0]) }, known: { Instant(seconds: known[$0]) },
                       predict: { steps.append("predict " + names[$0]) }, learn: { steps.append("learn " + names[$0]) })
        #expect(steps == ["predict A", "predict B", "learn B", "predict C", "learn A", "predict D", "learn D", "learn C"])
    }

    /// The shipped history's test days 40% slower, every delivery attempt ending only after the last leg has left:
    /// online, no leg can be timed with what another says, so the figures are the frozen model's to the digit. With
    /// the attempts ending as they did, online learning catches the slowdown (the same legs, far better timed), so the
    /// first half is no accident of the model.
    @Test func legsStillOnTheRoadTeachTheOnlineFiguresNothing() throws {
        let (train, test) = try ETAModelTests.split.get()
        let model = try ETAModel(training: train)
        let slower = test.prefix(600).map { $0.slowed(by: 1.4) }
        let last = try #require(slower.map(\.departedAt).max())
        let unknownUntilTheEnd = slower.map { row in
            var row = row
            row.completedAt = last + 3600
            return row
        }
        let frozen = ETAEvaluation(model: model, rows: unknownUntilTheEnd)
        let online = ETAEvaluation(model: model, rows: unknownUntilTheEnd, online: true)
        #expect(online.model.travelMAE == frozen.model.travelMAE)
        #expect(online.model.coverage == frozen.model.coverage)
        let learning = ETAEvaluation(model: model, rows: slower, online: true)
        #expect(learning.model.travelMAE < 0.85 * frozen.model.travelMAE, "\(learning.model.travelMAE) against \(frozen.model.travelMAE)")
    }

    /// Training's walk through the legs in time (the residuals the intervals are cut from): a zone's legs all 0.5
    /// (log) slow, every one leaving before the first is known, are each timed by shifts that know none of them; when
    /// each is known before the next leaves, the later ones are timed by shifts that have learned the earlier ones.
    @Test func trainingTimesEachLegWithTheLegsKnownWhenItLeftAlone() {
        let start = Instant(seconds: 1_800_000_000)
        func legs(knownAfter seconds: Int64) -> [HistoryRow] {
            (0..<60).map { k in
                let departed = start + Int64(k * 60)
                return HistoryRow(line: k + 2, order: "o\(k)", rider: "r", channel: "own", zone: "z", from: GeoPoint(lat: 0, lon: 0),
                                  to: GeoPoint(lat: 0.01, lon: 0), departedAt: departed, arrivedAt: departed + 50, completedAt: departed + seconds,
                                  stopIndex: 1, parcels: 1, outcome: "delivered", utcOffsetSeconds: 0)
            }
        }
        let keys = [[(PairCorrections.Kind, Int)]](repeating: PairCorrections.keys(rider: 0, zone: 0, through: 0, hour: 9, day: 1), count: 60)
        let driving = [Double](repeating: 1, count: 60)
        for (knownAfter, learnsOnTheWay) in [(Int64(7200), false), (Int64(55), true)] {
            let rows = legs(knownAfter: knownAfter)
            let (pairs, before) = ETAModel.pairs(learning: Array(rows.indices)[...], of: rows, keys: keys, driving: driving) { _ in 0.5 }
            #expect(before[0].allSatisfy { $0 == 0 } != learnsOnTheWay, "known after \(knownAfter) s")
            #expect(pairs.correction(keys[0], driving: 1) > 0.25, "every leg learned by the end")
        }
    }
}
