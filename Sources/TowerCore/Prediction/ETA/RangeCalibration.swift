/// Keeps the lanes' P10–P90 ranges honest by how far ahead they look (adaptive conformal inference, as
/// `IntervalCalibration` keeps each leg's): every range a lane gave a delivery (`GivenRanges`) is scored when the
/// rider reaches that door, and each side of the ranges of its horizon band widens a little when the arrival fell
/// beyond it and narrows a little when inside, so that about a tenth of arrivals come before the P10 and a tenth
/// after the P90 at every horizon.
///
/// The learned model sums its legs' spreads as if each leg's luck were its own, but a slow afternoon, a slow rider
/// or an order put in ahead moves every leg of a route at once: without this, ranges given two hours ahead held 56%
/// of service starts, and those under half an hour 82% (`tower bench risk`, BENCHMARKS.md). Each side's factor
/// scales the route's own spread, so a stop far down a long route still spreads more than one near.
public struct RangeCalibration: Codable, Sendable, Hashable {
    /// Seconds between the ETA and when the range is given at which horizon bands change, ascending.
    static let horizonCuts: [Int64] = [10, 20, 30, 45, 60, 90, 120, 180].map { $0 * 60 }
    /// Per horizon band: the factors on the P10 side and on the P90 side of the spread the model gives.
    private(set) var bands = Array(repeating: ConformalSides(), count: horizonCuts.count + 1)
    /// The arrivals each band has learned from.
    private(set) var counts = Array(repeating: 0, count: horizonCuts.count + 1)

    public init() {}

    private enum CodingKeys: String, CodingKey { case bands, counts }

    /// A state read from a checkpoint: one pair of factors and one count per band, each within bounds.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        bands = try c.decode([ConformalSides].self, forKey: .bands)
        counts = try c.decode([Int].self, forKey: .counts)
        guard bands.count == Self.horizonCuts.count + 1, counts.count == bands.count, bands.allSatisfy(\.isWellFormed),
              counts.allSatisfy({ (0...ConformalSides.counted).contains($0) }) else {
            throw DecodingError.dataCorruptedError(forKey: .bands, in: c, debugDescription: "one pair of factors within bounds and one count per horizon band expected")
        }
    }

    /// The band of a range given `horizon` seconds before its ETA.
    static func band(horizon: Int64) -> Int {
        horizonCuts.firstIndex { horizon < $0 } ?? horizonCuts.count
    }

    /// The factors on each side of the spread of a range given `horizon` seconds before its ETA.
    func sides(horizon: Int64) -> ConformalSides { bands[Self.band(horizon: horizon)] }

    /// Scores a range given before the rider reached the door at `arrived`. A side that lay before the moment it was
    /// given (the rider cannot arrive in the past) is not scored: no width could have made the arrival fall beyond
    /// it, and counting it would narrow the band's other ranges to make up.
    mutating func learn(_ given: GivenRanges.Given, arrived: Instant) {
        let band = Int(given.band), sides = bands[band]
        let spread = Double(given.spread)
        let low = Double(given.arrival.seconds) - sides.low * spread, high = Double(given.arrival.seconds) + sides.high * spread
        let arrival = Double(arrived.seconds), step = ConformalSides.step(after: counts[band])
        var moved = sides
        moved.learn(belowLow: arrival < low, aboveHigh: arrival > high, step: step)
        if low > Double(given.at.seconds) { bands[band].low = moved.low }
        bands[band].high = moved.high
        counts[band] = min(counts[band] + 1, ConformalSides.counted)
    }

    /// Itself, when it has learned from an arrival.
    var nonEmpty: RangeCalibration? { counts.contains { $0 > 0 } ? self : nil }

    /// The form a journal's `session.started` carries it in (`ranges`): per horizon band its P10 factor, P90 factor
    /// and count, joined by commas, the bands by semicolons.
    public var text: String {
        zip(bands, counts).map { "\($0.low),\($0.high),\($1)" }.joined(separator: ";")
    }

    /// Reads `text`; nil unless it names every band, each with its factors within bounds and its count.
    public init?(text: String) {
        let parts = text.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == Self.horizonCuts.count + 1 else { return nil }
        var bands: [ConformalSides] = [], counts: [Int] = []
        for part in parts {
            let numbers = part.split(separator: ",", omittingEmptySubsequences: false)
            guard numbers.count == 3, let low = Double(numbers[0]), let high = Double(numbers[1]), let count = Int(numbers[2]),
                  (0...ConformalSides.counted).contains(count) else { return nil }
            let sides = ConformalSides(low: low, high: high)
            guard sides.isWellFormed else { return nil }
            bands.append(sides)
            counts.append(count)
        }
        self.bands = bands
        self.counts = counts
    }
}
