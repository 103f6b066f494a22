/// Intervals that hold across conditions, not only on average: residuals as far out of sample as the held-out days
/// say (conformal; `TravelTraining.intervalResiduals`) are split by distance band and hour band, and each regime
/// keeps how its P10 / P50 / P90 sit against the overall ones. The overall percentiles keep moving online
/// (`RidgeRegression` recalibrates them from recent legs); each regime's shape rides on them: its P50 shifted by its offset, its spreads scaled by its ratios. That P50 only centres the interval
/// (the P10 and P90 are placed from it); a leg's predicted P50 is the model's fit (`ETAModel.predict`).
///
/// Distance bands end at the legs' quartiles and at 1, 2 and 4 km (the bands coverage is reported by), so a city of
/// long legs still has its short ones apart.
///
/// A regime's own legs are few (and clustered by rider and day), so its shape is weighed against a wider one: its
/// distance band's shape over all hours combined with its hour band's over all distances (offsets added, ratios
/// multiplied, as `IntervalCalibration` combines its factors); each of those is weighed against the overall shape in
/// turn. A group's own legs count n / (n + k). For regimes k is 400 legs (measured: a
/// week's regimes differ by chance more than they truly do); for distance bands 25, as short legs are truly wider:
/// weighed against 400 legs, the bands under 1 km covered 77% of their legs on average over thirty-one histories
/// (BENCHMARKS.md, "Learned ETAs"). For hour bands the held-out days
/// choose k themselves (`hourWeighing`): a history whose evenings are truly noisier keeps each hour band's own
/// width, where a fixed heavy weighing left its evening intervals covering 59–71% of legs (BENCHMARKS.md, "A history
/// made by another hand").
struct IntervalRegimes: Codable, Sendable, Equatable {
    /// Road km at which distance bands change, ascending.
    var distanceCuts: [Double]
    /// Local hours at which hour bands change.
    static let hourCuts = [9, 13, 17]
    static let reportedCuts: [Double] = [1, 2, 4]
    /// Per regime (distance band × hour bands + hour band): P50 offset, P10 spread ratio, P90 spread ratio.
    var shapes: [[Double]]
    /// How many legs of the overall shape an hour band's own legs were weighed against, and whether the held-out
    /// days chose it (false: they were too few, and it is `fallbackHourWeighing`).
    var hourWeighing: Double
    var hourWeighingChosen: Bool
    /// A group with fewer legs than this has no shape of its own: it takes the wider one.
    static let minimumLegs = 40
    /// How many legs of the wider shape a regime's own legs are weighed against: legs are clustered by rider and day,
    /// so a regime's percentiles from a few hundred of them (a week's, as the regimes were cut from when this was
    /// measured) move more from week to week than regimes truly differ (BENCHMARKS.md, "Learned ETAs": coverage by
    /// band on the days after, shapes whole and weighed).
    static let widerShapeLegs = 400.0
    /// How many legs of the overall shape a distance band's own legs are weighed against: few, as a distance band
    /// differs truly and the same way on every history (the short legs' spread is wider), where weighed as heavily
    /// as a regime its intervals ran narrow by 3 points.
    static let distanceShapeLegs = 25.0
    /// The weighings of an hour band tried: from its own legs nearly alone to the overall shape nearly alone; the
    /// middle one when the held-out days are too few to choose.
    static let hourWeighings: [Double] = [25, 100, 400, 1_600, 6_400]
    static let fallbackHourWeighing = 400.0
    /// The overall shape: no offset, the overall spreads.
    static let overallShape: [Double] = [0, 1, 1]

    /// Regimes cut from `residuals` (one per leg, with its road `km`, local `hours` and `days`). The hour bands'
    /// weighing is chosen on out-of-sample residuals: `heldOut`, those of the last `heldOut.count` legs under models
    /// that never saw them, when `residuals` are not out of sample themselves (nil: they are).
    init?(residuals: [Double], km: [Double], hours: [Int], days: [Int], heldOut: [Double]? = nil) {
        guard residuals.count >= 4 * IntervalRegimes.minimumLegs, (heldOut?.count ?? 0) <= residuals.count else { return nil }
        let sorted = km.sorted()
        let quartiles = [1, 2, 3].map { sorted[sorted.count * $0 / 4] }
        distanceCuts = Array(Set(quartiles + IntervalRegimes.reportedCuts)).sorted()
        let cuts = distanceCuts
        let legs = residuals.indices.map { i -> Leg in
            let (d, h) = IntervalRegimes.bands(km: km[i], hour: hours[i], cuts: cuts)
            return Leg(residual: residuals[i], distance: d, hour: h)
        }
        let whole = Percentiles(legs: legs, distanceBands: cuts.count + 1)
        let choosing = heldOut.map { held in zip(legs.suffix(held.count), held).map { Leg(residual: $1, distance: $0.distance, hour: $0.hour) } } ?? legs
        let weighing = IntervalRegimes.hourWeighing(legs: choosing, days: Array(days.suffix(choosing.count)), distanceBands: cuts.count + 1)
        (hourWeighing, hourWeighingChosen) = (weighing ?? IntervalRegimes.fallbackHourWeighing, weighing != nil)
        shapes = whole.shapes(hourWeighing: hourWeighing)
    }

    /// Whether this state (read from a file) has a shape for every regime, each three finite numbers, the ratios
    /// not negative.
    var isWellFormed: Bool {
        shapes.count == (distanceCuts.count + 1) * (IntervalRegimes.hourCuts.count + 1)
            && shapes.allSatisfy { $0.count == 3 && $0.allSatisfy(\.isFinite) && $0[1] >= 0 && $0[2] >= 0 }
            && distanceCuts.allSatisfy(\.isFinite) && hourWeighing.isFinite
    }

    static func index(km: Double, hour: Int, cuts: [Double]) -> Int {
        let (band, hourBand) = bands(km: km, hour: hour, cuts: cuts)
        return band * (hourCuts.count + 1) + hourBand
    }

    /// The distance band (between `cuts`) and the hour band (between `hourCuts`) of a leg.
    static func bands(km: Double, hour: Int, cuts: [Double]) -> (distance: Int, hour: Int) {
        (cuts.firstIndex { km < $0 } ?? cuts.count, hourCuts.firstIndex { hour < $0 } ?? hourCuts.count)
    }

    /// The P10 / P50 / P90 residuals for a leg of `km` leaving at local `hour`, shaped from the overall ones.
    func quantiles(km: Double, hour: Int, overall: [Double]) -> [Double] {
        IntervalRegimes.place(shapes[IntervalRegimes.index(km: km, hour: hour, cuts: distanceCuts)], overall: overall)
    }

    private static func place(_ shape: [Double], overall: [Double]) -> [Double] {
        let median = overall[1] + shape[0]
        return [median - shape[1] * (overall[1] - overall[0]), median, median + shape[2] * (overall[2] - overall[1])]
    }

    // MARK: Choosing the weighing

    struct Leg {
        var residual: Double
        var distance: Int
        var hour: Int
    }

    /// The hour bands' weighing chosen by leaving each held-out day out in turn: shapes made from the other days
    /// place that day's P10 and P90 (scored by the pinball loss of both). Of the weighings within one standard error
    /// of the best (the spread of their difference from it day by day), the heaviest is taken, so an hour band keeps
    /// its own shape only where the days agree that it differs, not where one week's legs happen to. Nil when fewer
    /// than three days have legs.
    static func hourWeighing(legs: [Leg], days: [Int], distanceBands: Int) -> Double? {
        let dayList = Array(Set(days)).sorted()
        guard dayList.count >= 3 else { return nil }
        // loss[weighing][day]
        var loss = [[Double]](repeating: [], count: hourWeighings.count)
        for day in dayList {
            let percentiles = Percentiles(legs: legs.indices.filter { days[$0] != day }.map { legs[$0] }, distanceBands: distanceBands)
            let left = legs.indices.filter { days[$0] == day }.map { legs[$0] }
            for (w, weighing) in hourWeighings.enumerated() {
                let shapes = percentiles.shapes(hourWeighing: weighing)
                loss[w].append(left.reduce(0) { sum, leg in
                    let q = place(shapes[leg.distance * (hourCuts.count + 1) + leg.hour], overall: percentiles.overall)
                    return sum + pinball(leg.residual, q[0], share: ConformalSides.missShare)
                        + pinball(leg.residual, q[2], share: 1 - ConformalSides.missShare)
                })
            }
        }
        let totals = loss.map { $0.reduce(0, +) }
        // A loss that is not a number (it cannot be, with finite residuals) leaves the choice to the fallback.
        guard totals.allSatisfy(\.isFinite), let best = totals.indices.min(by: { totals[$0] < totals[$1] }) else { return nil }
        let n = Double(dayList.count)
        let chosen = hourWeighings.indices.last { w in
            let differences = zip(loss[w], loss[best]).map { $0 - $1 }
            let mean = differences.reduce(0, +) / n
            let variance = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
            return mean <= (variance / n).squareRoot()
        } ?? best  // the best is always within one error of itself
        return hourWeighings[chosen]
    }

    /// The quantile loss of placing the `share` percentile at `q` for a leg of residual `r`.
    static func pinball(_ r: Double, _ q: Double, share: Double) -> Double {
        r >= q ? share * (r - q) : (1 - share) * (q - r)
    }

    /// The percentiles each shape is made from: the overall ones, each distance band's shape, and the
    /// percentiles of each hour band's and each regime's legs.
    struct Percentiles {
        var overall: [Double]
        /// Each distance band's shape, weighed against the overall one.
        var distanceShapes: [[Double]]
        /// Per hour band, its legs with their distance band's shape taken out, so an hour band's shape is what its
        /// hours add to the distances its legs have (an evening of long legs is not counted wide twice).
        var hour: [Group]
        /// Per regime, its own legs.
        var regime: [Group]

        struct Group {
            var percentiles: [Double]
            var legs: Int

            init(_ values: [Double]) {
                percentiles = RidgeRegression.percentiles(values)
                legs = values.count
            }
        }

        init(legs: [Leg], distanceBands: Int) {
            let hourBands = IntervalRegimes.hourCuts.count + 1
            var distance = [[Double]](repeating: [], count: distanceBands), hour = [[Double]](repeating: [], count: hourBands)
            var regime = [[Double]](repeating: [], count: distanceBands * hourBands)
            for leg in legs {
                distance[leg.distance].append(leg.residual)
                regime[leg.distance * hourBands + leg.hour].append(leg.residual)
            }
            let overall = RidgeRegression.percentiles(legs.map(\.residual))
            let distanceShapes = distance.map {
                Percentiles.shape(Group($0), wider: IntervalRegimes.overallShape, weighing: IntervalRegimes.distanceShapeLegs, overall: overall)
            }
            let median = overall[1]
            for leg in legs {
                let band = distanceShapes[leg.distance], centre = median + band[0], r = leg.residual
                hour[leg.hour].append(median + (r - centre) / (r < centre ? band[1] : band[2]))
            }
            self.overall = overall
            self.distanceShapes = distanceShapes
            self.hour = hour.map(Group.init)
            self.regime = regime.map(Group.init)
        }

        /// A group's shape against the `overall` percentiles: its own legs' weighed against `weighing` legs of
        /// `wider` (the wider shape alone when the group has too few legs).
        static func shape(_ group: Group, wider: [Double], weighing k: Double, overall: [Double]) -> [Double] {
            let low = overall[1] - overall[0], high = overall[2] - overall[1]
            guard group.legs >= IntervalRegimes.minimumLegs, low > 0, high > 0 else { return wider }
            let q = group.percentiles
            let own = [q[1] - overall[1], (q[1] - q[0]) / low, (q[2] - q[1]) / high]
            let weight = Double(group.legs) / (Double(group.legs) + k)
            return zip(own, wider).map { weight * $0 + (1 - weight) * $1 }
        }

        /// Every regime's shape, hour bands weighed against `hourWeighing` legs of the overall shape.
        func shapes(hourWeighing: Double) -> [[Double]] {
            let hourShapes = hour.map { Percentiles.shape($0, wider: IntervalRegimes.overallShape, weighing: hourWeighing, overall: overall) }
            let hourBands = hourShapes.count
            return regime.indices.map { index in
                let d = distanceShapes[index / hourBands], h = hourShapes[index % hourBands]
                let wider = [d[0] + h[0], d[1] * h[1], d[2] * h[2]]
                return Percentiles.shape(regime[index], wider: wider, weighing: IntervalRegimes.widerShapeLegs, overall: overall)
            }
        }
    }
}
