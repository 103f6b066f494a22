import Foundation

/// Online corrections of the log travel time for pairs of categories the rest of the model adds up separately: a
/// rider in a zone (riders are slower where they do not know the streets, and that is per rider and per zone) and
/// the zone a leg drives through at an hour of the day (a jam there at that time: each part of a city has its own
/// rush hours). Each pair keeps a sum of residuals and a weight, both forgetting with each new leg of the pair, and
/// corrects by the sum over the weight plus `prior` legs: a pair seen a few times moves little, a pair seen often
/// follows its latest few dozen legs.
///
/// And a shift per zone passed through, at any hour, one per zone the door is in, and one per rider, each correcting
/// only when it lies beyond its own noise (zero within `shiftThreshold` standard errors, whole beyond twice that). A
/// shift keeps two memories of its legs' residuals: a fast one (the latest dozen or so legs) and a settled one (the
/// legs since the zone or the rider last changed, up to a few hundred), started again from the fast one when the two
/// part by more than `changeThreshold` of the fast one's standard errors. The correction reads the settled memory: on
/// an ordinary day it stays at zero; when a zone suddenly slows (a closure nobody announced, on the way or at the
/// doors: a street closed to parking) or a rider does (a new vehicle, an injury), the change is seen within a few legs
/// and followed from them, and as the legs since it add up the shift is estimated from more of them, so it stops
/// carrying the fast memory's noise. The slower layers would take hundreds of legs.
struct PairCorrections: Codable, Sendable, Equatable {
    enum Kind: Int, Codable, CaseIterable, Sendable {
        case riderZone, throughHour, throughShift, riderShift, doorShift

        /// Whether the kind is a shift (thresholded, with a settled memory) rather than a pair.
        var isShift: Bool { self == .throughShift || self == .riderShift || self == .doorShift }
        var forgetting: Double { isShift ? 0.93 : 0.98 }
        /// A shift's settled memory forgets this slowly (a few hundred legs).
        static let settledForgetting = 0.995
        var prior: Double { isShift ? Kind.shiftPrior : 8 }
        /// Every shift's prior weight (legs): its estimate (`estimate`) reads it without knowing its kind.
        static let shiftPrior = 2.0
    }

    /// Forgetting sums of a pair's targets, their count and (for the shift's noise) their squares, and how far each
    /// target was from the memory's mean when it came (its miss).
    struct Memory: Codable, Sendable, Equatable {
        var sum = 0.0
        var weight = 0.0
        var squares = 0.0
        var absoluteMisses = 0.0

        mutating func add(_ target: Double, forgetting: Double) {
            let miss = weight > 0 ? target - sum / weight : 0
            sum = forgetting * sum + target
            weight = forgetting * weight + 1
            squares = forgetting * squares + target * target
            absoluteMisses = forgetting * absoluteMisses + abs(miss)
        }

        /// The spread of one leg's miss, read from the mean absolute miss (× √(π/2), a normal's ratio of the two) and
        /// not from the squares: a few wild legs (a stall, a door that kept a rider) swell a variance far more than
        /// they move a mean of absolute values, and a change test on a swollen noise does not see a rider who truly
        /// slowed (BENCHMARKS.md, "Learned ETAs", fifty-fifth session).
        var missSpread: Double { 1.2533 * absoluteMisses / max(weight, 1) }
    }

    struct Entry: Codable, Sendable, Equatable {
        /// The pair's memory (a shift's fast one), forgetting at its kind's rate.
        var fast = Memory()
        /// The shift's settled memory: the same sums since the zone last changed, forgetting slowly.
        var settled = Memory()
    }

    /// Per kind, the pairs' entries by key (`key(_:_:)`).
    private var entries: [[Int: Entry]] = Kind.allCases.map { _ in [:] }
    static let shiftThreshold = 2.0
    /// The fast and settled memories of a shift part by this many of the fast one's standard errors: the zone or the
    /// rider changed. (Its noise is read from the settled memory's misses, as the fast one's own spread swells with the
    /// change it shows.)
    static let changeThreshold = 3.0
    /// A shift learns each leg's miss beyond what it already corrects clipped to this (log): one stalled leg is not a
    /// closure, and a closure beyond it is still learned in full.
    static let shiftClip = 0.7

    static func key(_ a: Int, _ b: Int) -> Int { a << 20 | b }

    /// The keys of a leg's pairs: rider index × door zone index (nil when either is unknown), passed-through zone ×
    /// hour; and of its shifts, in the order they learn: the zone passed through, the door's zone, the rider. (Pairs of
    /// three-hour bands, 6–9, 15–18, …, mixed a rush hour with the hours beside it: on the synthetic histories, whose
    /// zones each slow from 7 to 9 and 17 to 19, the hourly pairs come 1–3% nearer the noise floor.)
    static func keys(rider: Int?, zone: Int?, through: Int?, hour: Int) -> [(Kind, Int)] {
        var keys: [(Kind, Int)] = []
        if let rider, let zone { keys.append((.riderZone, key(rider, zone))) }
        if let through {
            keys.append((.throughHour, key(through, hour)))
            keys.append((.throughShift, through))
        }
        if let zone { keys.append((.doorShift, zone)) }
        if let rider { keys.append((.riderShift, rider)) }
        return keys
    }

    static func value(_ kind: Kind, _ entry: Entry) -> Double {
        guard kind.isShift else { return entry.fast.sum / (entry.fast.weight + kind.prior) }
        // Firm thresholding: nothing within `shiftThreshold` standard errors, the whole mean beyond twice that, a ramp
        // between; a settled shift many standard errors out is not shrunk toward zero.
        let (mean, standardError) = estimate(entry.settled)
        let low = PairCorrections.shiftThreshold * standardError, high = 2 * low, size = abs(mean)
        let value = size <= low ? 0 : size >= high ? size : high * (size - low) / (high - low)
        return mean > 0 ? value : -value
    }

    /// A shift memory's mean and its standard error.
    static func estimate(_ memory: Memory) -> (mean: Double, standardError: Double) {
        let prior = Kind.shiftPrior
        let mean = memory.sum / (memory.weight + prior)
        let variance = max(0, memory.squares / max(memory.weight, 1) - mean * mean)
        return (mean, (variance / (memory.weight + prior)).squareRoot())
    }

    func correction(_ keys: [(Kind, Int)]) -> Double {
        keys.reduce(0) { total, pair in
            guard let entry = entries[pair.0.rawValue][pair.1] else { return total }
            return total + PairCorrections.value(pair.0, entry)
        }
    }

    /// Learns one leg's residual (log actual less everything the model predicts, this layer included): the shifts
    /// take it whole (`shift: true`, first, before the slower layers learn from what they leave), each on what the
    /// ones before it moved left (so one leg's miss is not taken twice in one step); the pairs share it.
    mutating func learn(_ keys: [(Kind, Int)], residual: Double, shift: Bool) {
        guard !shift else {
            var left = residual
            for (kind, key) in keys where kind.isShift {
                var entry = entries[kind.rawValue][key] ?? Entry()
                let own = PairCorrections.value(kind, entry)
                let target = own + max(-PairCorrections.shiftClip, min(PairCorrections.shiftClip, left))
                entry.fast.add(target, forgetting: kind.forgetting)
                entry.settled.add(target, forgetting: Kind.settledForgetting)
                let fast = PairCorrections.estimate(entry.fast), slow = PairCorrections.estimate(entry.settled)
                let noise = entry.settled.missSpread / (entry.fast.weight + kind.prior).squareRoot()
                if abs(fast.mean - slow.mean) > PairCorrections.changeThreshold * noise { entry.settled = entry.fast }
                entries[kind.rawValue][key] = entry
                left -= PairCorrections.value(kind, entry) - own
            }
            return
        }
        let pairs = keys.filter { !$0.0.isShift }
        for (kind, key) in pairs {
            var entry = entries[kind.rawValue][key] ?? Entry()
            entry.fast.add(PairCorrections.value(kind, entry) + residual / Double(pairs.count), forgetting: kind.forgetting)
            entries[kind.rawValue][key] = entry
        }
    }

    private enum CodingKeys: String, CodingKey { case kinds }

    /// Encoded as per kind a list of `[key, sum, weight, squares, misses, settled sum, settled weight, settled squares,
    /// settled misses]` in key order, so equal corrections encode to equal text (the model's fingerprint hashes it).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entries.map { kind in
            kind.keys.sorted().map { key in
                let e = kind[key]!
                return [Double(key), e.fast.sum, e.fast.weight, e.fast.squares, e.fast.absoluteMisses,
                        e.settled.sum, e.settled.weight, e.settled.squares, e.settled.absoluteMisses]
            }
        }, forKey: .kinds)
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kinds = try c.decode([[[Double]]].self, forKey: .kinds)
        // A key is a whole number in range (a broken file must not trap converting it); weights, squares and misses
        // are sums of non-negative numbers (a negative weight would take a square root of less than nothing, and every
        // prediction through the shift would be not a number).
        let wellFormed = { (entry: [Double]) in
            entry.count == 9 && entry.allSatisfy(\.isFinite) && entry[0] >= 0 && entry[0] < 0x1p52 && entry[0].rounded() == entry[0]
                && [2, 3, 4, 6, 7, 8].allSatisfy { entry[$0] >= 0 }
        }
        guard kinds.count == Kind.allCases.count, kinds.allSatisfy({ $0.allSatisfy(wellFormed) }) else {
            throw DecodingError.dataCorruptedError(forKey: .kinds, in: c, debugDescription:
                "expected \(Kind.allCases.count) lists of [key, sum, weight, squares, misses, settled sum, settled weight, settled squares, settled misses], "
                    + "the key a whole number, the weights, squares and misses not negative")
        }
        entries = kinds.map { list in
            Dictionary(list.map { (Int($0[0]), Entry(fast: Memory(sum: $0[1], weight: $0[2], squares: $0[3], absoluteMisses: $0[4]),
                                                     settled: Memory(sum: $0[5], weight: $0[6], squares: $0[7], absoluteMisses: $0[8]))) },
                       uniquingKeysWith: { $1 })
        }
    }
}
