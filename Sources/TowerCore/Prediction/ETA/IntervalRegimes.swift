/// Intervals that hold across conditions, not only on average: held-out residuals (conformal) are split by distance
/// band and hour band, and each regime keeps how its P10 / P50 / P90 sit against the overall ones. The overall
/// percentiles keep moving online (`RidgeRegression` recalibrates them from recent legs); each regime's shape
/// rides on them: its P50 shifted by its offset, its spreads scaled by its ratios. That P50 only centres the interval
/// (the P10 and P90 are placed from it); a leg's predicted P50 is the model's fit (`ETAModel.predict`).
///
/// Distance bands end at the held-out legs' quartiles and at 1, 2 and 4 km (the bands coverage is reported by), so
/// a city of long legs still has its short ones apart. A regime with too few held-out legs takes its distance band's
/// shape over all hours, and a band with too few the overall shape.
struct IntervalRegimes: Codable, Sendable, Equatable {
    /// Road km at which distance bands change, ascending.
    var distanceCuts: [Double]
    /// Local hours at which hour bands change.
    static let hourCuts = [9, 13, 17]
    static let reportedCuts: [Double] = [1, 2, 4]
    /// Per regime (distance band × hour bands + hour band), then per distance band over all hours: P50 offset, P10
    /// spread ratio, P90 spread ratio; nil where there were too few legs.
    var shapes: [[Double]?]
    var bandShapes: [[Double]?]
    /// A regime with fewer held-out legs than this takes a wider one's shape.
    static let minimumLegs = 40
    /// A regime's shape is its own held-out legs' weighed against this many legs of the wider shape (its distance
    /// band's, a band's the overall): n / (n + 400) of its own. The held-out legs are a week of days, clustered by
    /// rider and day, so a regime's percentiles from a few hundred of them move more from week to week than regimes
    /// truly differ (BENCHMARKS.md, "Learned ETAs": coverage by band on the days after, shapes whole and weighed).
    static let widerShapeLegs = 400
    /// The overall shape: no offset, the overall spreads.
    static let overallShape: [Double] = [0, 1, 1]

    init?(residuals: [Double], km: [Double], hours: [Int], overall: [Double]) {
        guard residuals.count >= 4 * IntervalRegimes.minimumLegs else { return nil }
        let sorted = km.sorted()
        let quartiles = [1, 2, 3].map { sorted[sorted.count * $0 / 4] }
        distanceCuts = Array(Set(quartiles + IntervalRegimes.reportedCuts)).sorted()
        let bands = IntervalRegimes.hourCuts.count + 1
        var groups = [[Double]](repeating: [], count: (distanceCuts.count + 1) * bands)
        var bandGroups = [[Double]](repeating: [], count: distanceCuts.count + 1)
        for i in residuals.indices {
            let index = IntervalRegimes.index(km: km[i], hour: hours[i], cuts: distanceCuts)
            groups[index].append(residuals[i])
            bandGroups[index / bands].append(residuals[i])
        }
        let low = overall[1] - overall[0], high = overall[2] - overall[1]
        func shape(_ group: [Double], wider: [Double]) -> [Double]? {
            guard group.count >= IntervalRegimes.minimumLegs, low > 0, high > 0 else { return nil }
            let q = RidgeRegression.percentiles(group)
            let own = [q[1] - overall[1], (q[1] - q[0]) / low, (q[2] - q[1]) / high]
            let weight = Double(group.count) / Double(group.count + IntervalRegimes.widerShapeLegs)
            return zip(own, wider).map { weight * $0 + (1 - weight) * $1 }
        }
        let bandShapes = bandGroups.map { shape($0, wider: IntervalRegimes.overallShape) }
        self.bandShapes = bandShapes
        shapes = groups.indices.map { shape(groups[$0], wider: bandShapes[$0 / bands] ?? IntervalRegimes.overallShape) }
    }

    /// Whether this state (read from a file) has a shape, or none, for every regime and band, each three finite numbers.
    var isWellFormed: Bool {
        shapes.count == (distanceCuts.count + 1) * (IntervalRegimes.hourCuts.count + 1) && bandShapes.count == distanceCuts.count + 1
            && (shapes + bandShapes).allSatisfy { $0.map { $0.count == 3 && $0.allSatisfy(\.isFinite) } ?? true }
            && distanceCuts.allSatisfy(\.isFinite)
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
        let index = IntervalRegimes.index(km: km, hour: hour, cuts: distanceCuts)
        let shape = shapes[index] ?? bandShapes[index / (IntervalRegimes.hourCuts.count + 1)] ?? IntervalRegimes.overallShape
        let median = overall[1] + shape[0]
        return [median - shape[1] * (overall[1] - overall[0]), median, median + shape[2] * (overall[2] - overall[1])]
    }
}
