import Foundation

/// Online corrections of the log travel time for pairs of categories the rest of the model adds up separately: a
/// rider in a zone (riders are slower where they do not know the streets, and that is per rider and per zone) and
/// the zone a leg drives through at an hour band (a jam there at that time). Each pair keeps a sum of residuals and
/// a weight, both forgetting with each new leg of the pair, and corrects by the sum over the weight plus `prior`
/// legs: a pair seen a few times moves little, a pair seen often follows its latest few dozen legs.
///
/// And a shift per zone passed through, at any hour: a fast mean of the latest legs' residuals there that corrects
/// only by what lies beyond its own noise (soft-thresholded at `shiftThreshold` standard errors). On an ordinary day
/// it stays at zero; when a zone suddenly slows (a closure nobody announced) it follows within a few dozen legs,
/// where the slower layers would take hundreds.
struct PairCorrections: Codable, Sendable, Equatable {
    enum Kind: Int, Codable, CaseIterable, Sendable {
        case riderZone, throughHour, throughShift

        var forgetting: Double { self == .throughShift ? 0.93 : 0.98 }
        var prior: Double { self == .throughShift ? 2 : 8 }
    }

    struct Entry: Codable, Sendable, Equatable {
        var sum = 0.0
        var weight = 0.0
        /// Forgetting sum of squared targets (the shift's noise).
        var squares = 0.0
    }

    /// Per kind, the pairs' entries by key (`key(_:_:)`).
    private var entries: [[Int: Entry]] = Kind.allCases.map { _ in [:] }
    static let hourBandHours = 3
    static let shiftThreshold = 2.0
    /// A shift learns each leg's residual clipped to this (log): one stalled leg is not a closure.
    static let shiftClip = 0.7

    static func key(_ a: Int, _ b: Int) -> Int { a << 20 | b }

    /// The keys of a leg's pairs: rider index × door zone index (nil when either is unknown), passed-through zone
    /// × hour band.
    static func keys(rider: Int?, zone: Int?, through: Int?, hour: Int) -> [(Kind, Int)] {
        var keys: [(Kind, Int)] = []
        if let rider, let zone { keys.append((.riderZone, key(rider, zone))) }
        if let through {
            keys.append((.throughHour, key(through, hour / hourBandHours)))
            keys.append((.throughShift, through))
        }
        return keys
    }

    static func value(_ kind: Kind, _ entry: Entry) -> Double {
        let mean = entry.sum / (entry.weight + kind.prior)
        guard kind == .throughShift else { return mean }
        let variance = max(0, entry.squares / max(entry.weight, 1) - mean * mean)
        let standardError = (variance / (entry.weight + kind.prior)).squareRoot()
        let beyond = abs(mean) - PairCorrections.shiftThreshold * standardError
        return beyond > 0 ? (mean > 0 ? beyond : -beyond) : 0
    }

    func correction(_ keys: [(Kind, Int)]) -> Double {
        keys.reduce(0) { total, pair in
            guard let entry = entries[pair.0.rawValue][pair.1] else { return total }
            return total + PairCorrections.value(pair.0, entry)
        }
    }

    /// Learns one leg's residual (log actual less everything the model predicts, this layer included): the shift
    /// takes it whole (`shift: true`, first, before the slower layers learn from what it leaves), the pairs share it.
    mutating func learn(_ keys: [(Kind, Int)], residual: Double, shift: Bool) {
        let pairs = keys.filter { $0.0 != .throughShift }
        for (kind, key) in keys where (kind == .throughShift) == shift {
            var entry = entries[kind.rawValue][key] ?? Entry()
            let own = PairCorrections.value(kind, entry)
            var target = own + (kind == .throughShift ? residual : residual / Double(pairs.count))
            if kind == .throughShift { target = max(-PairCorrections.shiftClip, min(PairCorrections.shiftClip, target)) }
            entry.sum = kind.forgetting * entry.sum + target
            entry.weight = kind.forgetting * entry.weight + 1
            entry.squares = kind.forgetting * entry.squares + target * target
            entries[kind.rawValue][key] = entry
        }
    }

    private enum CodingKeys: String, CodingKey { case kinds }

    /// Encoded as per kind a list of `[key, sum, weight, squares]` in key order, so equal corrections encode to equal text (the
    /// model's fingerprint hashes it).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entries.map { kind in kind.keys.sorted().map { [Double($0), kind[$0]!.sum, kind[$0]!.weight, kind[$0]!.squares] } }, forKey: .kinds)
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kinds = try c.decode([[[Double]]].self, forKey: .kinds)
        guard kinds.count == Kind.allCases.count, kinds.allSatisfy({ $0.allSatisfy { $0.count == 4 && $0.allSatisfy(\.isFinite) } }) else {
            throw DecodingError.dataCorruptedError(forKey: .kinds, in: c, debugDescription: "expected \(Kind.allCases.count) lists of [key, sum, weight, squares]")
        }
        entries = kinds.map { list in Dictionary(list.map { (Int($0[0]), Entry(sum: $0[1], weight: $0[2], squares: $0[3])) }, uniquingKeysWith: { $1 }) }
    }
}
