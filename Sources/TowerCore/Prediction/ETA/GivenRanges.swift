/// The ranges the lanes gave deliveries that the riders have not reached yet, kept to score each against the
/// arrival when it comes (`RangeCalibration`). Per order, one range of each horizon band, each range given in the
/// band kept with an equal chance (reservoir sampling): a delivery down a long route is given one every five
/// minutes, and keeping the latest of a band would score only its nearest, the easiest (under ten minutes ahead,
/// the ranges kept that way held 91% of arrivals while a board's held 79%).
struct GivenRanges: Sendable {
    struct Given: Sendable {
        /// When it was given.
        var at: Instant
        /// Its horizon band (`RangeCalibration.band(horizon:)`).
        var band: Int8
        /// The arrival's P50 (before any wait for the window) and the model's own spread to the P10 and the P90, in
        /// seconds (before the calibration's factors).
        var arrival: Instant
        var spread: Double
    }

    private struct Kept: Sendable {
        var range: Given
        /// The ranges of its band given so far, this one among them.
        var offered: UInt64
    }

    private var byOrder: [String: [Kept]] = [:]

    /// The orders with ranges waiting (each holds at most one range per band).
    var count: Int { byOrder.count }

    /// Offers `given` for `order`: it takes the place of the range kept for its band with a chance of one in the
    /// band's ranges so far, drawn from the order and the moment so that a replay keeps the same.
    mutating func give(_ given: Given, to order: String) {
        var kept = byOrder[order] ?? []
        if let same = kept.firstIndex(where: { $0.range.band == given.band }) {
            kept[same].offered += 1
            var draw = SeededRandom(seed: UInt64(bitPattern: given.at.seconds), stream: order)
            if draw.next() % kept[same].offered == 0 { kept[same].range = given }
        } else {
            kept.append(Kept(range: given, offered: 1))
        }
        byOrder[order] = kept
    }

    /// The ranges waiting for `order`, no longer kept.
    mutating func take(_ order: String) -> [Given] { byOrder.removeValue(forKey: order)?.map(\.range) ?? [] }

    /// Forgets the orders `isDone` says no rider will reach (cancelled, delivered, failed for good).
    mutating func forget(where isDone: (String) -> Bool) {
        byOrder = byOrder.filter { !isDone($0.key) }
    }
}
