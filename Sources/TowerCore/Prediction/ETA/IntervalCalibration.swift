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
    var distance: [ConformalSides]
    var hour: [ConformalSides]
    /// The legs each distance band and each hour band has learned from (see `ConformalSides.step(after:)`).
    var distanceLegs: [Int]
    var hourLegs: [Int]

    init(distanceCuts: [Double]) {
        self.distanceCuts = distanceCuts
        distance = Array(repeating: ConformalSides(), count: distanceCuts.count + 1)
        hour = Array(repeating: ConformalSides(), count: IntervalRegimes.hourCuts.count + 1)
        distanceLegs = Array(repeating: 0, count: distance.count)
        hourLegs = Array(repeating: 0, count: hour.count)
    }

    private enum CodingKeys: String, CodingKey { case distanceCuts, distance, hour, distanceLegs, hourLegs }

    /// A state written before the bands counted their legs starts counting from none.
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        distanceCuts = try c.decode([Double].self, forKey: .distanceCuts)
        distance = try c.decode([ConformalSides].self, forKey: .distance)
        hour = try c.decode([ConformalSides].self, forKey: .hour)
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
        distance[d].learn(belowLow: miss < interval[0], aboveHigh: miss > interval[2], step: ConformalSides.step(after: distanceLegs[d]))
        hour[h].learn(belowLow: miss < interval[0], aboveHigh: miss > interval[2], step: ConformalSides.step(after: hourLegs[h]))
        distanceLegs[d] = min(distanceLegs[d] + 1, ConformalSides.counted)
        hourLegs[h] = min(hourLegs[h] + 1, ConformalSides.counted)
    }

    /// Whether this state (read from a file) fits its bands, each factor within `ConformalSides.range`.
    var isWellFormed: Bool {
        distance.count == distanceCuts.count + 1 && hour.count == IntervalRegimes.hourCuts.count + 1 && distanceCuts.allSatisfy(\.isFinite)
            && distanceLegs.count == distance.count && hourLegs.count == hour.count
            && (distanceLegs + hourLegs).allSatisfy { (0...ConformalSides.counted).contains($0) }
            && (distance + hour).allSatisfy(\.isWellFormed)
    }
}
