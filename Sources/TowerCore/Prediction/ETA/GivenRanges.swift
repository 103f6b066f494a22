/// The ranges the lanes gave deliveries that the riders have not reached yet, kept to score each against the
/// arrival when it comes (`RangeCalibration`). Per order, one range of each horizon band, each range given in the
/// band kept with an equal chance (reservoir sampling): a delivery down a long route is given one every five
/// minutes, and keeping the latest of a band scored only its nearest, the easiest (under ten minutes ahead those held
/// 91% of arrivals, so the band narrowed until the bench's ranges under half an hour held 78.6%).
struct GivenRanges: Codable, Sendable {
    struct Given: Sendable {
        /// When it was given.
        var at: Instant
        /// Its horizon band (`RangeCalibration.band(horizon:)`).
        var band: Int8
        /// The arrival's P50 (before any wait for the window) and the model's own spread to the P10 and the P90, in
        /// whole seconds (before the calibration's factors).
        var arrival: Instant
        var spread: Int64
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

    /// Kept in a checkpoint as the orders (in order) and one text of numbers: for each order its count of ranges, then
    /// for each range its band, when it was given, its arrival's P50 that many seconds later, its spread and how many
    /// ranges its band had been offered. One text, not arrays of numbers: with 500 riders the arrays took the encoder
    /// long enough, every fifteen simulated minutes, to hold the core's commits.
    private enum CodingKeys: String, CodingKey { case orders, numbers }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        let orders = byOrder.keys.sorted()
        var numbers: [String] = []
        for order in orders {
            let kept = byOrder[order]!
            numbers.append(String(kept.count))
            for k in kept {
                numbers += [String(k.range.band), String(k.range.at.seconds), String(k.range.arrival - k.range.at), String(k.range.spread), String(k.offered)]
            }
        }
        try c.encode(orders, forKey: .orders)
        try c.encode(numbers.joined(separator: ","), forKey: .numbers)
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let orders = try c.decode([String].self, forKey: .orders)
        let text = try c.decode(String.self, forKey: .numbers)
        let numbers = Self.numbers(in: text)
        func corrupt(_ why: String) -> DecodingError { .dataCorruptedError(forKey: .numbers, in: c, debugDescription: why) }
        var index = 0
        func next() throws -> Int64 {
            guard index < numbers.count, let number = numbers[index] else { throw corrupt("a number missing or not a whole number at \(index)") }
            index += 1
            return number
        }
        for order in orders {
            let count = try next()
            guard (1...Int64(RangeCalibration.horizonCuts.count + 1)).contains(count), byOrder[order] == nil else {
                throw corrupt("an order named twice, or with no ranges or more than one per band")
            }
            byOrder[order] = try (0..<count).map { _ in
                let (band, at, after, spread, offered) = (try next(), try next(), try next(), try next(), try next())
                guard (0...Int64(RangeCalibration.horizonCuts.count)).contains(band), InputTimes.contains(Instant(seconds: at)), abs(after) <= 7 * 86_400,
                      (0...7 * 86_400).contains(spread), offered >= 1 else {
                    throw corrupt("a range given is not a band, a time, an arrival after it, a spread and a count")
                }
                return Kept(range: Given(at: Instant(seconds: at), band: Int8(band), arrival: Instant(seconds: at + after), spread: spread),
                            offered: UInt64(offered))
            }
        }
        guard index == numbers.count else { throw corrupt("numbers left over after the last order's ranges") }
    }

    /// The whole numbers of a text of them between commas, nil where one is not (read byte by byte: a city's
    /// checkpoint holds hundreds of thousands, and splitting the text into strings first took most of a resume's
    /// reading of it).
    private static func numbers(in text: String) -> [Int64?] {
        guard !text.isEmpty else { return [] }
        var numbers: [Int64?] = []
        var value: Int64 = 0, digits = 0, negative = false, bad = false
        func end() {
            numbers.append(bad || digits == 0 ? nil : negative ? -value : value)
            (value, digits, negative, bad) = (0, 0, false, false)
        }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: ","):
                end()
            case UInt8(ascii: "-") where digits == 0 && !negative:
                negative = true
            case UInt8(ascii: "0")...UInt8(ascii: "9") where digits < 18:
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
            default:
                bad = true
            }
        }
        end()
        return numbers
    }

    /// Forgets the orders `isDone` says no rider will reach (cancelled, delivered, failed for good).
    mutating func forget(where isDone: (String) -> Bool) {
        byOrder = byOrder.filter { !isDone($0.key) }
    }
}
