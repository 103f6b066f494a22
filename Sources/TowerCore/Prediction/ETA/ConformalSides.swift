import Foundation

/// The two sides of an interval as factors on the model's own width, each moved online by adaptive conformal
/// inference: an outcome beyond a side widens it a little, one inside narrows it by a tenth of that, so each side
/// settles where about one outcome in ten falls beyond it, whatever the model believed.
struct ConformalSides: Codable, Sendable, Hashable {
    /// The factor on the P10 side's width and on the P90 side's.
    var low = 1.0
    var high = 1.0

    /// The share of outcomes each side should have beyond it: P10 and P90.
    static let missShare = 0.1
    /// Bounds on a factor: a run of misses (a closure, a slow day) widens a side, but never beyond this.
    static let range = 0.25...4.0

    /// How far one outcome moves a factor once its band has learned from many (in log terms): a miss widens its
    /// side by about 0.9%, a hit narrows it by about a tenth of that, so the side settles where one outcome in ten
    /// misses it. Small enough that a band's factor moves by its few hundred outcomes, not by the last one.
    static let step = 0.01
    /// How far a band's first outcome moves it: five times as far, the step falling with the square root of the
    /// band's outcomes to `step` after about 2,400 of them (`settle` × 24). A band of few outcomes took longer than
    /// its days to find its width with `step` alone: on twelve synthetic histories, whose legs under a kilometre are
    /// about 3% of them, those bands' online intervals held 76.5% of their legs (BENCHMARKS.md, "Learned ETAs").
    static let firstStep = 0.05
    static let settle = 100.0
    /// Outcomes counted per band, at most: the step has long settled by then (and a count never overflows).
    static let counted = 1_000_000

    /// The step a band moves by at its next outcome, after `outcomes` of them.
    static func step(after outcomes: Int) -> Double {
        max(step, firstStep / (1 + Double(outcomes) / settle).squareRoot())
    }

    private static func bounded(_ factor: Double) -> Double { min(range.upperBound, max(range.lowerBound, factor)) }

    /// Moves each side by one outcome, `step` in log terms when it fell beyond that side.
    mutating func learn(belowLow: Bool, aboveHigh: Bool, step: Double) {
        low = Self.bounded(low * exp(step * ((belowLow ? 1 : 0) - Self.missShare)))
        high = Self.bounded(high * exp(step * ((aboveHigh ? 1 : 0) - Self.missShare)))
    }

    /// Both factors within `range` (a state read from a file).
    var isWellFormed: Bool { Self.range.contains(low) && Self.range.contains(high) }
}
