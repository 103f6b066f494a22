import Foundation

/// Keeps the travel intervals honest online, band by band (adaptive conformal inference): every leg learned is
/// first scored against the interval the model gave it, and each side of the interval widens a little when the leg
/// fell outside it and narrows a little when it fell inside, so that over the legs of each distance band and of each
/// hour band about a tenth fall below the P10 and a tenth above the P90, however the world or the online layers
/// drift from the held-out days the regimes were shaped on (`IntervalRegimes`).
///
/// The scale of a side is the product of its distance band's factor and its hour band's, each moved by every leg
/// of its band, so both the distance bands and the hour bands are held without splitting the legs into cells too
/// small to learn from. Only the past is used: a leg moves the intervals of the legs after it.
struct IntervalCalibration: Codable, Sendable, Equatable {
    /// Road km at which distance bands change (the regimes' bands), ascending.
    var distanceCuts: [Double]
    /// Per distance band and per hour band (`IntervalRegimes.hourCuts`): the factors on the P10 side and the P90 side.
    var distance: [Side]
    var hour: [Side]
    /// The legs each distance band and each hour band has learned from (see `step(after:)`).
    var distanceLegs: [Int]
    var hourLegs: [Int]

    struct Side: Codable, Sendable, Equatable {
        var low = 1.0
        var high = 1.0
    }

    /// How far one leg moves a factor once its band has learned from many legs (in log terms): a miss widens its
    /// side by about 0.9%, a hit narrows it by about a tenth of that, so the side settles where one leg in ten misses
    /// it. Small enough that a band's factor moves by its few hundred legs, not by the last one.
    static let step = 0.01
    /// How far a band's first leg moves it: five times as far, the step falling with the square root of the band's
    /// legs to `step` after about 2,400 of them (`settleLegs` × 24). A band of few legs took longer than its days to
    /// find its width with `step` alone: on twelve synthetic histories, whose legs under a kilometre are about 3% of
    /// them, those bands' online intervals held 76.5% of their legs (BENCHMARKS.md, "Learned ETAs").
    static let firstStep = 0.05
    static let settleLegs = 100.0

    /// The step a band moves by at its next leg, after `legs` of them.
    static func step(after legs: Int) -> Double {
        max(step, firstStep / (1 + Double(legs) / settleLegs).squareRoot())
    }
    /// The share of legs each side should miss: P10 and P90.
    static let missShare = 0.1
    /// Bounds on a factor: a run of misses (a closure) widens the interval, but never beyond this.
    static let range = 0.25...4.0

    init(distanceCuts: [Double]) {
        self.distanceCuts = distanceCuts
        distance = Array(repeating: Side(), count: distanceCuts.count + 1)
        hour = Array(repeating: Side(), count: IntervalRegimes.hourCuts.count + 1)
        distanceLegs = Array(repeating: 0, count: distance.count)
        hourLegs = Array(repeating: 0, count: hour.count)
    }

    private enum CodingKeys: String, CodingKey { case distanceCuts, distance, hour, distanceLegs, hourLegs }

    /// A state written before the bands counted their legs starts counting from none.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        distanceCuts = try c.decode([Double].self, forKey: .distanceCuts)
        distance = try c.decode([Side].self, forKey: .distance)
        hour = try c.decode([Side].self, forKey: .hour)
        distanceLegs = try c.decodeIfPresent([Int].self, forKey: .distanceLegs) ?? Array(repeating: 0, count: distance.count)
        hourLegs = try c.decodeIfPresent([Int].self, forKey: .hourLegs) ?? Array(repeating: 0, count: hour.count)
    }

    /// The P10 / P50 / P90 offsets (log terms, around the prediction) for a leg of `km` leaving at local `hour`:
    /// `quantiles` with each side scaled by its bands' factors.
    func scaled(_ quantiles: [Double], km: Double, hour localHour: Int) -> [Double] {
        let (d, h) = IntervalRegimes.bands(km: km, hour: localHour, cuts: distanceCuts)
        let low = distance[d].low * hour[h].low, high = distance[d].high * hour[h].high
        return [quantiles[1] - low * (quantiles[1] - quantiles[0]), quantiles[1], quantiles[1] + high * (quantiles[2] - quantiles[1])]
    }

    /// Scores a leg before it is learned: `miss` is its log actual less the prediction, `quantiles` the unscaled
    /// offsets the model gave it.
    mutating func learn(miss: Double, quantiles: [Double], km: Double, hour localHour: Int) {
        let interval = scaled(quantiles, km: km, hour: localHour)
        let (d, h) = IntervalRegimes.bands(km: km, hour: localHour, cuts: distanceCuts)
        func move(_ factor: inout Double, missed: Bool, after legs: Int) {
            factor = min(Self.range.upperBound, max(Self.range.lowerBound, factor * exp(Self.step(after: legs) * ((missed ? 1 : 0) - Self.missShare))))
        }
        move(&distance[d].low, missed: miss < interval[0], after: distanceLegs[d])
        move(&hour[h].low, missed: miss < interval[0], after: hourLegs[h])
        move(&distance[d].high, missed: miss > interval[2], after: distanceLegs[d])
        move(&hour[h].high, missed: miss > interval[2], after: hourLegs[h])
        distanceLegs[d] = min(distanceLegs[d] + 1, Self.countedLegs)
        hourLegs[h] = min(hourLegs[h] + 1, Self.countedLegs)
    }

    /// Legs counted per band, at most: the step has long settled by then (and a count never overflows).
    static let countedLegs = 1_000_000

    /// Whether this state (read from a file) fits its bands, each factor finite and within `range`.
    var isWellFormed: Bool {
        distance.count == distanceCuts.count + 1 && hour.count == IntervalRegimes.hourCuts.count + 1 && distanceCuts.allSatisfy(\.isFinite)
            && distanceLegs.count == distance.count && hourLegs.count == hour.count
            && (distanceLegs + hourLegs).allSatisfy { (0...Self.countedLegs).contains($0) }
            && (distance + hour).allSatisfy { Self.range.contains($0.low) && Self.range.contains($0.high) }
    }
}
