import Foundation

/// The chance that a delivery misses its window, from the spread of its predicted arrival.
///
/// Each segment of a route ahead (travel to the stop plus the service before it) is uncertain by about `legSpread`
/// of its length, one standard deviation: the log-spread of travel the learned ETA model finds on the shipped
/// 60-day history (0.20; service spreads more, 0.31, and shares the segment). Segments add up independently, so a
/// stop later in the route is less certain; `floor` covers the door (parking, stairs). The arrival is taken as
/// normal around the ETA with that deviation.
public struct RiskModel: Sendable {
    public var legSpread = 0.22
    public var floor: Double = 90
    /// Orders at or above this chance of being late are on the at-risk list.
    public var threshold = 0.2
    /// Standard deviations from the median to the 90th percentile of a normal distribution.
    public static let z90 = 1.2816

    public init() {}

    /// Standard deviations of the arrivals at consecutive stops with these ETAs, from `now`.
    public func deviations(etas: [Instant], from now: Instant) -> [Double] {
        var variance = 0.0
        var previous = now
        return etas.map { eta in
            let segment = Double(max(0, eta - previous))
            previous = max(previous, eta)
            variance += (legSpread * segment) * (legSpread * segment)
            return (variance + floor * floor).squareRoot()
        }
    }

    /// P(arrival > window end) for an arrival around `eta` with deviation `sigma`.
    public func lateProbability(eta: Instant, windowEnd: Instant, sigma: Double) -> Double {
        let z = Double(windowEnd - eta) / max(1, sigma)
        return 0.5 * erfc(z / 2.0.squareRoot())
    }
}
