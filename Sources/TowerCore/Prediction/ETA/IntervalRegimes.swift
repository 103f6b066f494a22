/// Intervals that hold across conditions, not only on average: held-out residuals (conformal) are split by distance
/// band and hour band, and each regime keeps how its P10 / P50 / P90 sit against the overall ones. The overall
/// percentiles keep moving online (`RidgeRegression` recalibrates them from recent legs); each regime's shape
/// rides on them: its P50 shifted by its offset, its spreads scaled by its ratios.
struct IntervalRegimes: Codable, Sendable, Equatable {
    /// Road km at which distance bands change (the held-out legs' quartiles).
    var distanceCuts: [Double]
    /// Local hours at which hour bands change.
    static let hourCuts = [9, 13, 17]
    /// Per regime (distance band × 4 + hour band): P50 offset, P10 spread ratio, P90 spread ratio.
    var shapes: [[Double]]
    /// A regime with fewer held-out legs than this keeps the overall shape.
    static let minimumLegs = 40

    init?(residuals: [Double], km: [Double], hours: [Int], overall: [Double]) {
        guard residuals.count >= 4 * IntervalRegimes.minimumLegs else { return nil }
        let sorted = km.sorted()
        distanceCuts = [1, 2, 3].map { sorted[sorted.count * $0 / 4] }
        let bands = IntervalRegimes.hourCuts.count + 1
        var groups = [[Double]](repeating: [], count: (distanceCuts.count + 1) * bands)
        for i in residuals.indices { groups[IntervalRegimes.index(km: km[i], hour: hours[i], cuts: distanceCuts)].append(residuals[i]) }
        let low = overall[1] - overall[0], high = overall[2] - overall[1]
        shapes = groups.map { group in
            guard group.count >= IntervalRegimes.minimumLegs, low > 0, high > 0 else { return [0, 1, 1] }
            let q = RidgeRegression.percentiles(group)
            return [q[1] - overall[1], (q[1] - q[0]) / low, (q[2] - q[1]) / high]
        }
    }

    static func index(km: Double, hour: Int, cuts: [Double]) -> Int {
        let band = cuts.firstIndex { km < $0 } ?? cuts.count
        let hourBand = hourCuts.firstIndex { hour < $0 } ?? hourCuts.count
        return band * (hourCuts.count + 1) + hourBand
    }

    /// The P10 / P50 / P90 residuals for a leg of `km` leaving at local `hour`, shaped from the overall ones.
    func quantiles(km: Double, hour: Int, overall: [Double]) -> [Double] {
        let shape = shapes[IntervalRegimes.index(km: km, hour: hour, cuts: distanceCuts)]
        let median = overall[1] + shape[0]
        return [median - shape[1] * (overall[1] - overall[0]), median, median + shape[2] * (overall[2] - overall[1])]
    }
}
