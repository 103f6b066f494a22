import Foundation

/// Training the travel part of a model with trees: the travel shape when the held-out days keep it, the linear part,
/// the trees and the pairs on what it leaves, and the residuals the intervals are cut from.
///
/// The latest fifth of the legs (`order[cut...]`, split in time, as the model will be used: on days it has not seen)
/// is held out. Models fitted on the rest (the early ones) stop the trees' growth and give the held-out residuals,
/// which say how much wider than its own legs' residuals a model's are on days it has not seen
/// (`intervalResiduals`); the linear part, the trees and the pairs kept are fitted again on every leg. The shape kept is the one the held-out
/// days judged, fitted on the legs before them (fitted again on every leg, it moved the synthetic and independent
/// histories' errors by ±0.7% either way, and it costs another fit); the parts on top of it learn the latest days.
///
/// Whether the shape stays is decided on the held-out days too: a shape shares a generator's form only if the city
/// has it. On histories made with a time at the door plus a pace it took 3–5% off the travel error; on histories
/// timed another way it added up to 2.5% (BENCHMARKS.md, "Learned ETAs"). So the early models are grown with it and
/// without it, and it is kept only when its held-out legs are missed by less, day by day, by more than a standard
/// error of that difference (the one-standard-error rule: the simpler model unless the data say otherwise). A
/// stricter bar, 95% confidence, refused it on a synthetic history where it took 1.8% off the error, to spare
/// other-hand histories where keeping it cost 0.3–1.3%: what it gains where a city has its form is the larger. The
/// early models of the choice kept are those the rest builds on, so choosing costs the shape and one more set of
/// early models, not a second training.
struct TravelTraining {
    let rows: [HistoryRow]
    /// Each leg's linear features, log time (plus `ETAModel.travelShift`), tree features and pair keys (as `rows`).
    let x: [[Double]], y: [Double], z: [[Double]], keys: [[(PairCorrections.Kind, Int)]]
    /// The legs oldest first, and where the held-out slice starts in that order.
    let order: [Int], cut: Int
    let vocabulary: ETAModel.Vocabulary
    let riderCount: Int

    struct Parts {
        /// The shape fitted (nil unless `shaped`), and whether its time is kept under the rest.
        var shape: RoadShape?
        var shapeKept: Bool
        var linear: RidgeRegression
        var trees: BoostedTrees
        var pairs: PairCorrections
        /// The held-out legs' log residuals under the early models (in held-out order).
        var heldResiduals: [Double]
        /// Every leg's log residual as far out of sample as the held-out days say (in `order`; see
        /// `intervalResiduals`), or nil when their spread cannot be read (then the held-out residuals alone serve).
        var intervalResiduals: [Double]?
    }

    /// What the early models make of the held-out slice under `offsets` (a shape's log time for each leg, or zeros).
    private struct Early {
        var linear: RidgeRegression
        var rounds: Int
        var heldResiduals: [Double]
        /// How far each held-out leg's predicted time is from its time, in seconds.
        var misses: [Double]
        /// The pairs as they stood at the cut, what each zone's shift (`zoneShifts`) moved each leg before it by (in
        /// `order`), and each leg's residual before the pairs (by row index): where the walk through the held-out
        /// legs starts (`changesHolding`).
        var pairs: PairCorrections
        var zoneShiftsBefore: [[Double]]
        var unpaired: [Double]
    }

    func parts(shaped: Bool) throws -> Parts {
        let none = [Double](repeating: 0, count: rows.count)
        // The shape is fitted whether or not its time is kept: either way it says how much of each leg is driving.
        let shape = shaped ? RoadShape(rows: rows, targets: y, indices: order[..<cut], vocabulary: vocabulary, riderCount: riderCount) : nil
        let timings = shape.map { shape in rows.map { shape.timing($0, vocabulary) } }
        let driving = timings?.map(\.pace) ?? [Double](repeating: 1, count: rows.count)
        var early = try self.early(under: none, driving: driving), offsets = none, kept = false
        let heldDays = order[cut...].map { ETAModel.day(rows[$0]) }
        if let timings {
            let shapeTimes = timings.map(\.value)
            let withShape = try self.early(under: shapeTimes, driving: driving)
            if TravelTraining.helps(withShape.misses, over: early.misses, days: heldDays) {
                (early, offsets, kept) = (withShape, shapeTimes, true)
            }
        }
        // The trees again on every leg, for as many rounds as the early ones kept, so the latest days (nearest the
        // days the model will predict) shape them too. They and the linear part learn each leg less what the early
        // models' zone shifts (the zone it drives through, the zone its door is in) moved it by when it came, where
        // that zone's change still holds at the end (`latestChanges`): a closure is those shifts' to carry. Learning
        // the closed legs as they were, the trees took part of a closure in the training days' last three in sample,
        // on those legs alone, and left the shifts at the end short of it: the frozen model timed every closed leg
        // after too fast. (Taking out every change the shifts saw, the riders' shifts too, cost 3% of the travel
        // error on a synthetic history; BENCHMARKS.md, "A closure in the training days' tail".)
        var settings = BoostedTrees.Settings()
        settings.rounds = early.rounds
        let holding = changesHolding(after: early, driving: driving)
        let stable = rows.indices.map { y[$0] - offsets[$0] - holding[$0] }
        let trees = BoostedTrees.fit(rows: order.map { z[$0] }, targets: order.map { stable[$0] - early.linear.predict(x[$0]) },
                                     validation: ([], []), categorical: ETAModel.treeCategories, settings: settings)
        var explained = none
        for (k, i) in order.enumerated() { explained[i] = trees.fitted[k] }
        let linear = try ETAModel.robustFit(rows: order.map { x[$0] }, targets: order.map { stable[$0] - explained[$0] }, separateLast: riderCount)
        let left = rows.indices.map { y[$0] - offsets[$0] - linear.predict(x[$0]) - explained[$0] }
        var (pairs, shiftsBefore) = ETAModel.pairs(learning: order[...], of: rows, keys: keys, driving: driving, reading: [TravelTraining.shiftsKept]) {
            left[$0]
        }
        // Each leg as a rider new to the model would be timed (no pace of its own in the shape, no indicator, an
        // unknown rider to the trees), less a zone's change still holding (a closure is not a rider): how far the
        // fleet's riders spread about that.
        var blindVocabulary = vocabulary
        blindVocabulary.riders = [:]
        let unknown = [Double](repeating: 0, count: riderCount)
        let blind = rows.indices.map { i in
            let shaped = kept ? shape?.timing(rows[i], blindVocabulary).value ?? 0 : 0
            return y[i] - holding[i] - shaped - linear.predict(ETAModel.travelFeatures(rows[i], blindVocabulary) + unknown)
                - trees.trees.predict(ETAModel.treeFeatures(rows[i], blindVocabulary))
        }
        pairs.riderPrior = RiderPrior(blind: blind, riders: rows.map(\.rider), firstNew: riderCount)
        // Each leg's residual in sample: the pairs as learned, the shifts a model keeps as they stood when it came
        // (`pairs`, `shiftsKept`).
        let inSample = order.indices.map { k in
            let i = order[k]
            return left[i] - pairs.correction(keys[i].filter { !$0.0.isShift }, driving: driving[i]) - shiftsBefore[0][k]
        }
        return Parts(shape: shape, shapeKept: kept, linear: linear, trees: trees.trees, pairs: pairs, heldResiduals: early.heldResiduals,
                     intervalResiduals: TravelTraining.intervalResiduals(inSample: inSample, heldOut: early.heldResiduals, days: heldDays))
    }

    /// The shifts whose values a model keeps for the days after its training: all but the day's. A day's shift is that
    /// day's alone (its weather), and a model used on another day starts it from nothing, so the residuals the
    /// intervals are cut from keep what the day's shift took out of them: how far a day of its own moves every leg is
    /// uncertainty a model on a day it has not seen faces. With it taken out, the frozen model's intervals covered
    /// 57–74% of the test legs on nine histories with wet days, 72–84% with it kept (BENCHMARKS.md, "A frozen model's
    /// intervals hold the days it cannot know").
    static let shiftsKept = PairCorrections.Kind.shifts.subtracting([.dayShift])

    /// The shifts whose change still holding at the end of the training days the trees and the linear part leave to
    /// them: a zone's, driven through or at the door. A closure slows the legs through a zone, or those ending in it,
    /// as a city's roads go; with the zone driven through's alone, a closure of the doors' zone in the last two
    /// training days left the frozen model 1.11–1.17 × its floor on the days after (1.04–1.07 × with both).
    static let zoneShifts: [PairCorrections.Kind] = [.throughShift, .doorShift]

    /// What the early models' zone shifts moved each leg by when it came, walked on from the cut through the held-out
    /// legs (learning them as they come), on the legs of each zone's change still holding at the end
    /// (`latestChanges`, each kind on its own; zero elsewhere, by row index). Walked for the early models kept alone.
    private func changesHolding(after early: Early, driving: [Double]) -> [Double] {
        let held = ETAModel.pairs(learning: order[cut...], of: rows, keys: keys, driving: driving, from: early.pairs, reading: TravelTraining.zoneShifts.map { [$0] }) {
            early.unpaired[$0]
        }
        var holding = [Double](repeating: 0, count: rows.count)
        for (j, kind) in TravelTraining.zoneShifts.enumerated() {
            let latest = TravelTraining.latestChanges(early.zoneShiftsBefore[j] + held.shiftsBefore[j], of: kind, order: order, keys: keys)
            for i in holding.indices { holding[i] += latest[i] }
        }
        return holding
    }

    /// The residuals the intervals are cut from: every training leg's, under the parts kept, each side of the median
    /// widened as the held-out days say the parts' own legs flatter them.
    ///
    /// The held-out residuals alone are a week of days: the noise of that week, clustered by day and rider, moved
    /// their spread (and each band's) more than it truly differs from the weeks after, and trained intervals missed
    /// their 80% by more than chance in 13 of 76 distance bands over nineteen histories (BENCHMARKS.md, "Intervals
    /// from every training day"). Every training day reads that spread with five times the days, but a model's
    /// residuals on the legs it learned from are too kind. How much too kind is read on the held-out legs, where
    /// both are known for the same legs and so the same noise: the early models' residuals on them (out of sample)
    /// against the kept parts' (in sample). Each side of every in-sample residual is scaled by that ratio of
    /// P10–P50 and P50–P90 spreads, and the median moved by the two medians' difference.
    ///
    /// The ratios and the move are read day by day (`days`, one per held-out leg) and their medians over the days
    /// taken: a change in the world on the held-out days (a closure the early models never saw and the kept parts
    /// learned) makes the early models miss for a reason that is not the kept parts' optimism, and pooled, three
    /// closed days of ten made every interval wider. With fewer than three days of `IntervalRegimes.minimumLegs`
    /// legs, the held-out legs are read pooled. Nil when a spread is not positive (nothing to scale by). `inSample`
    /// is in `order`, its last `heldOut.count` legs the held-out ones.
    static func intervalResiduals(inSample: [Double], heldOut: [Double], days: [Int]) -> [Double]? {
        guard heldOut.count <= inSample.count, days.count == heldOut.count else { return nil }
        let kept = Array(inSample.suffix(heldOut.count))
        // The P10–P50 and P50–P90 ratios (out of sample over in sample) and the medians' difference on some legs.
        func measure(_ legs: [Int]) -> [Double]? {
            let early = RidgeRegression.percentiles(legs.map { heldOut[$0] }), own = RidgeRegression.percentiles(legs.map { kept[$0] })
            guard own[1] - own[0] > 0, own[2] - own[1] > 0 else { return nil }
            let ratios = [(early[1] - early[0]) / (own[1] - own[0]), (early[2] - early[1]) / (own[2] - own[1]), early[1] - own[1]]
            return ratios.allSatisfy(\.isFinite) && ratios[0] > 0 && ratios[1] > 0 ? ratios : nil
        }
        var byDay: [Int: [Int]] = [:]
        for (k, day) in days.enumerated() { byDay[day, default: []].append(k) }
        let daily = byDay.keys.sorted().compactMap { day in byDay[day]!.count >= IntervalRegimes.minimumLegs ? measure(byDay[day]!) : nil }
        let read = daily.count >= 3 ? (0..<3).map { m in daily.map { $0[m] }.sorted().quantile(0.5) } : measure(Array(heldOut.indices))
        guard let read else { return nil }
        let all = RidgeRegression.percentiles(inSample), median = all[1] + read[2]
        return inSample.map { median + ($0 - all[1]) * ($0 < all[1] ? read[0] : read[1]) }
    }

    /// The early linear part, trees (stopped on the held-out slice) and pairs on the log times less `offsets` (each
    /// leg's share of driving as `driving` says), and their residuals on the held-out legs.
    private func early(under offsets: [Double], driving: [Double]) throws -> Early {
        let before = order[..<cut], held = order[cut...]
        let linear = try ETAModel.robustFit(rows: before.map { x[$0] }, targets: before.map { y[$0] - offsets[$0] }, separateLast: riderCount)
        let left = rows.indices.map { y[$0] - offsets[$0] - linear.predict(x[$0]) }
        let fit = BoostedTrees.fit(rows: before.map { z[$0] }, targets: before.map { left[$0] },
                                   validation: (held.map { z[$0] }, held.map { left[$0] }), categorical: ETAModel.treeCategories)
        var explained = [Double](repeating: 0, count: rows.count)
        for (k, i) in order.enumerated() { explained[i] = k < cut ? fit.fitted[k] : fit.heldOut[k - cut] }
        let unpaired = rows.indices.map { left[$0] - explained[$0] }
        let (pairs, shiftsBefore) = ETAModel.pairs(learning: before, of: rows, keys: keys, driving: driving, reading: TravelTraining.zoneShifts.map { [$0] }) {
            unpaired[$0]
        }
        // The held-out legs judged by the pairs as they stood at the cut: the model is judged frozen.
        let residuals = held.map { unpaired[$0] - pairs.correction(keys[$0], driving: driving[$0]) }
        let misses = zip(held, residuals).map { i, r in abs(exp(y[i] - r) - exp(y[i])) }
        return Early(linear: linear, rounds: fit.trees.rounds, heldResiduals: residuals, misses: misses, pairs: pairs,
                     zoneShiftsBefore: shiftsBefore, unpaired: unpaired)
    }

    /// Each leg's shift of `kind` (`shifts`, in `order`) where it belongs to the change still holding in the leg's zone
    /// of that kind when the training days end, and zero elsewhere (by row index): walked back from the last leg, a
    /// zone's legs count until its shift was last at zero. A change that came and went (a jam at the same hour every
    /// day, a day's odd traffic) is the city's pattern or its noise, the trees' to learn or to leave: taking out every
    /// change the shifts saw moved the shipped history's model, and with it every simulated day (BENCHMARKS.md, "A
    /// closure in the training days' tail").
    static func latestChanges(_ shifts: [Double], of kind: PairCorrections.Kind, order: [Int], keys: [[(PairCorrections.Kind, Int)]]) -> [Double] {
        var latest = [Double](repeating: 0, count: keys.count), settled = Set<Int>()
        for (k, i) in zip(order.indices, order).reversed() {
            guard let zone = keys[i].first(where: { $0.0 == kind })?.1, !settled.contains(zone) else { continue }
            if shifts[k] == 0 { settled.insert(zone) } else { latest[i] = shifts[k] }
        }
        return latest
    }

    /// Whether the legs missed by `with` (seconds) are missed by less than by `without`, by more than one standard
    /// error of the difference. The legs of a day share its weather and its traffic, so the day is the unit of
    /// evidence: the standard error is taken over the days (clustered by day), each weighed by its legs, so the part
    /// of a day the held-out slice starts in counts for its few legs and not for a whole day. Fewer than two days
    /// cannot say.
    static func helps(_ with: [Double], over without: [Double], days: [Int]) -> Bool {
        var byDay: [Int: (sum: Double, legs: Double)] = [:]
        for (k, day) in days.enumerated() {
            byDay[day, default: (0, 0)].sum += with[k] - without[k]
            byDay[day]!.legs += 1
        }
        // Days in their order: a dictionary's order changes from one process to the next, and the sums with it in
        // their last bits, which a replay that trains the model again must not see.
        let sums = byDay.keys.sorted().map { byDay[$0]! }, n = Double(sums.count)
        guard sums.count >= 2 else { return false }
        let legs = sums.reduce(0) { $0 + $1.legs }, mean = sums.reduce(0) { $0 + $1.sum } / legs
        // Each day's share of the sum less what its legs would add at the mean, squared: the variance of the sum.
        let variance = sums.reduce(0) { $0 + ($1.sum - $1.legs * mean) * ($1.sum - $1.legs * mean) } * n / (n - 1) / (legs * legs)
        return mean + variance.squareRoot() < 0
    }
}
