/// What a rider the trained parts never saw is taken to be before and as its legs come: the fleet's average, moved
/// toward its own legs' mean as a normal prior of the fleet's spread of riders says.
///
/// A rider the training rows had is timed by its own effects (the linear part's indicator, the trees), and its shift
/// (`PairCorrections`) stays at zero until it lies beyond its noise: a change in a rider the model knows is rare.
/// A new rider (a gig courier on a first day, a live fleet timed by a model of another fleet's history) is another
/// matter: it is not at the average, only expected there, and every one of its legs says something of where it is.
/// Its shift reads its legs' residuals and `legs` legs of the fleet's average, over their weight plus `legs`: the
/// posterior mean under a normal prior of spread τ around the average, with legs of noise σ (`legs` = σ² / τ²). A
/// fleet whose riders differ much moves a new one after a leg or two, one whose riders are alike hardly at all. Read
/// as known riders' shifts, the new riders of synthetic seed 1 (a third of them renamed) were timed 0.047 (log) slow
/// on average over their 10th to 30th legs; with this prior, 0.020 (BENCHMARKS.md, "Riders the model never saw").
struct RiderPrior: Codable, Sendable, Equatable {
    /// Riders at this index and after are new to the trained parts.
    var firstNew: Int
    /// σ² / τ²: how many legs of its own a new rider's shift weighs the fleet's average as.
    var legs: Double
    /// The fleet's average: where a new rider's shift starts. Not zero: what the trained parts time a rider they do
    /// not know by (the shape's, the linear part's and the trees' reference) is not the average rider.
    var mean: Double

    /// The prior from the training legs' residuals with nothing of their rider taken out (`blind`, log, clipped as a
    /// shift learns them) and each leg's rider: the spread of the riders' means beyond what their legs' noise makes
    /// (τ²), against the spread of a leg about its rider's mean (σ²). Riders of fewer than `leastLegs` legs are not
    /// read. Nil when fewer than three riders are read or the riders' means spread no wider than their noise: a new
    /// rider is then taken as the average, and its shift is thresholded as a known one's.
    init?(blind: [Double], riders: [String], firstNew: Int) {
        var byRider: [String: [Double]] = [:]
        for (residual, rider) in zip(blind, riders) {
            byRider[rider, default: []].append(max(-PairCorrections.shiftClip, min(PairCorrections.shiftClip, residual)))
        }
        // In name order: sums in a dictionary's order would differ in their last bits from one process to the next.
        let read = byRider.keys.sorted().compactMap { byRider[$0]!.count >= RiderPrior.leastLegs ? byRider[$0]! : nil }
        guard read.count >= 3 else { return nil }
        let means = read.map { $0.reduce(0, +) / Double($0.count) }
        let within = zip(read, means).reduce(0) { sum, rider in sum + rider.0.reduce(0) { $0 + ($1 - rider.1) * ($1 - rider.1) } }
            / Double(read.reduce(0) { $0 + $1.count } - read.count)
        let grand = means.reduce(0, +) / Double(means.count)
        let between = means.reduce(0) { $0 + ($1 - grand) * ($1 - grand) } / Double(means.count - 1)
        let noise = read.reduce(0) { $0 + within / Double($1.count) } / Double(read.count)
        let spread = between - noise
        guard spread > 0, within > 0, (within / spread).isFinite else { return nil }
        self.firstNew = firstNew
        legs = within / spread
        mean = grand
    }

    static let leastLegs = 20

    init(firstNew: Int, legs: Double, mean: Double) {
        self.firstNew = firstNew
        self.legs = legs
        self.mean = mean
    }

    /// A new rider's shift from its memory's weighted sum and weight.
    func value(sum: Double, weight: Double) -> Double { (sum + legs * mean) / (weight + legs) }
}
