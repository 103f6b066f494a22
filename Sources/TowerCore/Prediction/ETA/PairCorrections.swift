import Foundation

/// Online corrections of the log travel time for pairs of categories the rest of the model adds up separately: a
/// rider in a zone (riders are slower where they do not know the streets, and that is per rider and per zone) and
/// the zone a leg drives through at an hour of the day (a jam there at that time: each part of a city has its own
/// rush hours). Each pair keeps a sum of residuals and a weight, both forgetting with each new leg of the pair, and
/// corrects by the sum over the weight plus `prior` legs: a pair seen a few times moves little, a pair seen often
/// follows its latest few dozen legs.
///
/// And a shift per zone passed through, at any hour (on the leg's driving alone: `moved`), one per zone the door is in,
/// and one per rider (on the whole leg), each correcting only when it lies beyond its own noise (zero within
/// `shiftThreshold` standard errors, whole beyond twice that). A shift keeps two memories of its legs' residuals: a
/// fast one (the latest dozen or so legs) and a settled one (the legs since the zone or the rider last changed, up to a
/// few hundred), started again from the fast one when the two part by more than `changeThreshold` of the fast one's
/// standard errors. The correction reads the settled memory: on an ordinary day it stays at zero; when a zone suddenly
/// slows (a closure nobody announced, on the way or at the doors: a street closed to parking) or a rider does (a new
/// vehicle, an injury), the change is seen within a few legs and followed from them, and as the legs since it add up
/// the shift is estimated from more of them, so it stops carrying the fast memory's noise. The slower layers would take
/// hundreds of legs.
///
/// And a shift for the city's day (`dayValue`), for a day when every leg is slower and nothing in a row says so (rain,
/// a match in town): each zone's legs of the day say what they can of it, the median over the zones is the day's, and
/// each day starts from nothing. In a city whose days are known to differ (`daySpread`), the day's first legs are
/// believed sooner.
struct PairCorrections: Codable, Sendable, Equatable {
    enum Kind: Int, Codable, CaseIterable, Sendable {
        case riderZone, throughHour, throughShift, riderShift, doorShift, dayShift

        /// Whether the kind is a shift (thresholded, with a settled memory) rather than a pair.
        var isShift: Bool { self != .riderZone && self != .throughHour }
        static let shifts = Set(allCases.filter(\.isShift))
        var forgetting: Double { isShift ? 0.93 : 0.98 }
        /// A shift's settled memory forgets this slowly (a few hundred legs).
        static let settledForgetting = 0.995
        var prior: Double { isShift ? Kind.shiftPrior : 8 }
        /// Every shift's prior weight (legs): its estimate (`estimate`) reads it without knowing its kind.
        static let shiftPrior = 2.0
    }

    /// Forgetting sums of a pair's targets, their weight and (for the shift's noise) their squares, how far each leg
    /// was from the memory's mean when it came (its miss), and how many legs it holds. A pair's legs weigh one each; a
    /// shift's leg weighs as its `scale` says (see `learn`), so the sums are a weighted mean's, and the squares and the
    /// misses are in the leg's own log terms (one leg's noise, whatever its scale).
    struct Memory: Codable, Sendable, Equatable {
        var sum = 0.0
        var weight = 0.0
        var squares = 0.0
        var absoluteMisses = 0.0
        var legs = 0.0

        /// Adds a leg that says the memory's value is `target`, a leg whose log time moves by `scale` × a change of
        /// the value: it weighs `scale`² (its least-squares weight), and its miss counts as `scale` × its distance from
        /// the mean (in the leg's own terms).
        mutating func add(_ target: Double, scale: Double = 1, forgetting: Double) {
            let miss = weight > 0 ? scale * (target - sum / weight) : 0, w = scale * scale
            sum = forgetting * sum + w * target
            weight = forgetting * weight + w
            squares = forgetting * squares + w * target * target
            absoluteMisses = forgetting * absoluteMisses + abs(miss)
            legs = forgetting * legs + 1
        }

        /// The spread of one leg's miss, read from the mean absolute miss (× √(π/2), a normal's ratio of the two) and
        /// not from the squares: a few wild legs (a stall, a door that kept a rider) swell a variance far more than
        /// they move a mean of absolute values, and a change test on a swollen noise does not see a rider who truly
        /// slowed (BENCHMARKS.md, "Learned ETAs", fifty-fifth session).
        var missSpread: Double { 1.2533 * absoluteMisses / max(legs, 1) }
    }

    struct Entry: Codable, Sendable, Equatable {
        /// The pair's memory (a shift's fast one), forgetting at its kind's rate.
        var fast = Memory()
        /// The shift's settled memory: the same sums since the zone last changed, forgetting slowly.
        var settled = Memory()
    }

    /// Per kind, the pairs' entries by key (`key(_:_:)`).
    private var entries: [[Int: Entry]] = Kind.allCases.map { _ in [:] }
    /// The day's shift of the latest day learned (`dayValue`), read at every leg and taken over the zones again only
    /// when a leg of that day is learned. Derived from `entries`: not encoded, not compared.
    private var today = (day: Int.min, value: 0.0)
    /// How far the city's days stand from one another: over the days learned (forgetting, a few weeks), each day's
    /// median at its end squared less its standard error squared (`readDay`), summed, and the days counted. Their
    /// ratio is the spread's square beyond what the days' own noise makes: near zero in a city without weather.
    private var daySpread = (sum: 0.0, days: 0.0)
    /// One leg's noise as the day's shift reads it: over the days learned (forgetting as `daySpread`), each day's
    /// absolute misses and its legs (`Memory`), summed. It sets how far a day's early reading (`pooledDay`) trusts its
    /// first legs, which are too few to say their own noise.
    private var legNoise = (misses: 0.0, legs: 0.0)
    /// How a rider new to the trained parts is read (`RiderPrior`); nil: as a known one.
    var riderPrior: RiderPrior?

    static func == (a: PairCorrections, b: PairCorrections) -> Bool {
        a.entries == b.entries && a.daySpread.sum == b.daySpread.sum && a.daySpread.days == b.daySpread.days
            && a.legNoise.misses == b.legNoise.misses && a.legNoise.legs == b.legNoise.legs && a.riderPrior == b.riderPrior
    }
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
    /// hour; and of its shifts, in the order they learn: the zone passed through, the door's zone, the rider, and the
    /// city on the leg's local `day` (days since 1970), read by the door's zone (`dayValue`). (Pairs of
    /// three-hour bands, 6–9, 15–18, …, mixed a rush hour with the hours beside it: on the synthetic histories, whose
    /// zones each slow from 7 to 9 and 17 to 19, the hourly pairs come 1–3% nearer the noise floor.)
    static func keys(rider: Int?, zone: Int?, through: Int?, hour: Int, day: Int) -> [(Kind, Int)] {
        var keys: [(Kind, Int)] = []
        if let rider, let zone { keys.append((.riderZone, key(rider, zone))) }
        if let through {
            keys.append((.throughHour, key(through, hour)))
            keys.append((.throughShift, through))
        }
        if let zone { keys.append((.doorShift, zone)) }
        if let rider { keys.append((.riderShift, rider)) }
        keys.append((.dayShift, key(day, zone ?? PairCorrections.noZone)))
        return keys
    }

    /// A day shift's slot for the legs whose door is in no known zone.
    static let noZone = (1 << 20) - 1

    static func value(_ kind: Kind, _ entry: Entry) -> Double {
        guard kind.isShift else { return entry.fast.sum / (entry.fast.weight + kind.prior) }
        let (mean, standardError) = estimate(entry.settled)
        return thresholded(mean, standardError)
    }

    /// Firm thresholding: nothing within `shiftThreshold` standard errors, the whole mean beyond twice that, a ramp
    /// between; a settled shift many standard errors out is not shrunk toward zero.
    static func thresholded(_ mean: Double, _ standardError: Double) -> Double {
        let low = PairCorrections.shiftThreshold * standardError, high = 2 * low, size = abs(mean)
        let value = size <= low ? 0 : size >= high ? size : high * (size - low) / (high - low)
        return mean > 0 ? value : -value
    }

    /// The value of the pair or shift `key` of `kind` (nil when it has learned nothing). A day's shift is the whole
    /// city's (`dayValue`), whichever zone's slot `key` names.
    private func value(_ kind: Kind, _ key: Int) -> Double? {
        guard kind != .dayShift else { return key >> 20 == today.day ? today.value : dayValue(key >> 20) }
        let entry = entries[kind.rawValue][key], firm = entry.map { PairCorrections.value(kind, $0) }
        // A rider new to the trained parts: the fleet's average moved toward its legs' mean as the fleet's spread
        // says, or the thresholded reading when that is the larger (a rider far off the fleet's spread).
        guard kind == .riderShift, let prior = riderPrior, key >= prior.firstNew else { return firm }
        let shrunk = prior.value(sum: entry?.settled.sum ?? 0, weight: entry?.settled.weight ?? 0)
        return abs(shrunk) > abs(firm ?? 0) ? shrunk : firm ?? 0
    }

    /// The city's shift on `day`: the median over the zones of what each zone's legs of the day say of it (each
    /// zone's settled memory; a zone of fewer than three legs of the day says nothing yet, zero), thresholded on the
    /// median's standard error (√(π/2) times the mean's, over the zones read). A day when everything is slower (rain, a
    /// match in town) shows in every zone; a zone closed or jammed shows in one, and the median leaves it to that zone's
    /// shifts. (A mean over the city's legs took a closure of a zone with a third of them into every other zone's legs
    /// too, before the zone's own shift had seen it; and a median over the zones read alone was, in the day's first
    /// legs, the busiest zone's own: its closure, the day's.)
    ///
    /// Where the city's days are known to differ (`daySpread`), the day is also read early from all its legs so far
    /// (`pooledDay`) and shrunk toward zero as a normal prior of that spread says (× spread² / (spread² + its standard
    /// error²)), and the larger of the two is taken. The thresholded reading stays beside it: in a city that has never
    /// had a wet day the spread is zero, and a first one is still learned once it stands out; and a closure's first legs
    /// in a single zone stay that zone's in a dry city.
    private func dayValue(_ day: Int) -> Double {
        let firm = readDay(day, zoneLegs: PairCorrections.dayZoneLegs).map { PairCorrections.thresholded($0.median, $0.standardError) } ?? 0
        guard daySpread.days >= PairCorrections.spreadDays, daySpread.sum > 0, let early = pooledDay(day) else { return firm }
        let spread2 = daySpread.sum / daySpread.days
        let shrunk = early.mean * spread2 / (spread2 + early.standardError * early.standardError)
        return abs(shrunk) > abs(firm) ? shrunk : firm
    }

    /// What all the legs of `day` so far say of it: their mean, each zone's own mean first held within two of its
    /// standard errors of the median over the zones (each zone one, whatever its legs), so one zone closed or jammed
    /// moves the day by no more than its noise could, however busy it is; and the mean's standard error, from one
    /// leg's noise over the days learned (`legNoise`). Nil before the days have said their legs' noise, or before a leg
    /// of the day.
    ///
    /// The early reading was first a median over the zones, each zone's mean shrunk by the shifts' prior (two legs):
    /// it read a wet day's first legs at a fraction of what they said (a zone's first leg at a third of it), and the
    /// median of a handful of zones' few legs is noisier than their mean. Read from all the legs, online travel error
    /// over the floor came down on every history with wet days, by 0.003–0.029 (grid seeds 2 and 3 to 1.04 and 1.05 ×),
    /// and moved by at most 0.004 on the histories without weather (BENCHMARKS.md, "A wet day read from all its legs").
    private func pooledDay(_ day: Int) -> (mean: Double, standardError: Double)? {
        guard legNoise.legs > 0 else { return nil }
        let noise = 1.2533 * legNoise.misses / legNoise.legs
        // In key order, as `readDay`: a replay must time every leg as the day did.
        let zones = entries[Kind.dayShift.rawValue].filter { $0.key >> 20 == day && $0.value.settled.weight > 0 }.sorted { $0.key < $1.key }
            .map { (mean: $0.value.settled.sum / $0.value.settled.weight, weight: $0.value.settled.weight) }
        let weight = zones.reduce(0) { $0 + $1.weight }
        guard weight > 0 else { return nil }
        let centre = zones.map(\.mean).sorted().quantile(0.5)
        let mean = zones.reduce(0) { total, zone in
            let reach = 2 * noise / zone.weight.squareRoot()
            return total + zone.weight * min(centre + reach, max(centre - reach, zone.mean))
        } / weight
        return (mean, noise / weight.squareRoot())
    }

    /// The median over the zones of what each zone's legs of `day` say of it (each zone's settled memory; a zone of
    /// fewer than `zoneLegs` legs of the day says nothing yet, zero), with its standard error (√(π/2) times the mean's,
    /// over the zones read); nil when no zone is read.
    private func readDay(_ day: Int, zoneLegs: Double) -> (median: Double, standardError: Double)? {
        // In key order: a sum in a dictionary's order would differ in its last bits between two copies of the same
        // corrections, and a replay must time every leg as the day did.
        let zones = entries[Kind.dayShift.rawValue].filter { $0.key >> 20 == day }.sorted { $0.key < $1.key }.map(\.value)
        let read = zones.filter { $0.settled.legs >= zoneLegs }.map { PairCorrections.estimate($0.settled) }
        guard !read.isEmpty else { return nil }
        let median = (read.map(\.mean) + repeatElement(0, count: zones.count - read.count)).sorted().quantile(0.5)
        let standardError = 1.2533 * read.reduce(0) { $0 + $1.standardError * $1.standardError }.squareRoot() / Double(read.count)
        return (median, standardError)
    }

    /// A zone's legs of the day a day shift reads (as its settled memory counts them, forgetting: three legs count a
    /// little under three).
    static let dayZoneLegs = 2.9
    /// The days' spread forgets at this rate per day (a few weeks), and is read once it holds this many (four days).
    static let spreadForgetting = 0.95
    static let spreadDays = 3.0

    /// What the shift `key` of `kind` is taken to be when the other shift of a leg inside its zone learns beside it
    /// (`learn`): its settled mean once it corrects at all (its value is not zero), else zero, as it corrects. The
    /// mean and not the value: a shift between two and four standard errors out corrects only part of its mean (the
    /// ramp of `thresholded`). Zero below that: the two shifts would split a change between them with neither
    /// correcting its part.
    private func taken(_ kind: Kind, _ key: Int) -> Double {
        guard let entry = entries[kind.rawValue][key], PairCorrections.value(kind, entry) != 0 else { return 0 }
        return PairCorrections.estimate(entry.settled).mean
    }

    /// A shift memory's mean and its standard error.
    static func estimate(_ memory: Memory) -> (mean: Double, standardError: Double) {
        let prior = Kind.shiftPrior
        let mean = memory.sum / (memory.weight + prior)
        // One leg's variance (in its own terms); with every leg weighing one, the squares' mean less the mean squared.
        let variance = max(0, (memory.squares - mean * mean * memory.weight) / max(memory.legs, 1))
        return (mean, (variance / (memory.weight + prior)).squareRoot())
    }

    /// The leg's correction: every pair's and shift's value (of `kinds` alone when given), the zone driven through's
    /// shift on the driving alone (`moved`), `driving` being the share of the leg's time spent driving.
    func correction(_ keys: [(Kind, Int)], of kinds: Set<Kind>? = nil, driving: Double = 1) -> Double {
        keys.reduce(0) { total, pair in
            guard kinds?.contains(pair.0) ?? true, let value = value(pair.0, pair.1) else { return total }
            return total + PairCorrections.moved(pair.0, by: value, driving: driving)
        }
    }

    /// How far a shift of `kind` and value `shift` moves a leg's log time. A door zone's and a rider's move the whole
    /// leg by it. The zone driven through's moves only the driving, as a road closed or jammed there slows the wheels
    /// and not the doorstep: the driving's time × e^shift, the rest as it was, so a leg that is mostly parking and
    /// stairs barely moves and a long drive moves by nearly the whole shift. `driving` is the share of the leg's time
    /// the travel shape puts on the road (1 without a shape), kept from nothing so a shift always moves a leg. On
    /// histories whose closure halves the speed through a zone, one factor on the whole leg was too slow on short legs
    /// and too fast on long ones and settled up to 0.16 above the model's level elsewhere (BENCHMARKS.md, "Learned
    /// ETAs").
    static func moved(_ kind: Kind, by shift: Double, driving: Double) -> Double {
        let d = share(driving)
        // All driving: the whole shift (the same number; the form below would round a shift far below zero to e^shift = 0).
        guard kind == .throughShift, shift != 0, d < 1 else { return shift }
        return log(1 + d * (exp(shift) - 1))
    }

    /// How much a leg's log time moves with its shift, near `shift` (the derivative of `moved`): what one leg says of
    /// the shift is its miss over this, and it weighs this squared. Never below `leastScale`: far below zero (a zone
    /// whose drives took a tiny part of their time) the derivative falls toward nothing, and a miss over nothing is
    /// not a number.
    static func scale(_ kind: Kind, at shift: Double, driving: Double) -> Double {
        guard kind == .throughShift else { return 1 }
        let d = share(driving), grown = exp(shift)
        return max(leastScale, d * grown / (1 + d * (grown - 1)))
    }
    static let leastScale = 0.01

    private static func share(_ driving: Double) -> Double { min(1, max(leastDriving, driving)) }
    static let leastDriving = 0.1

    /// Learns one leg's residual (log actual less everything the model predicts, this layer included): the shifts
    /// take it whole (`shift: true`, first, before the slower layers learn from what they leave), each on what the
    /// ones before it moved left (so one leg's miss is not taken twice in one step); the pairs share it. On a leg inside
    /// a zone (driven through it, ending in it), the zone's two shifts each learn it less the other's settled mean once
    /// that corrects at all (`taken`): less the other's value, which lags its mean while it ramps up, the one learning
    /// second took the rest of the ramp and held it for hundreds of legs (a road closure in the last two training days
    /// of synthetic seed 4 left the closed zone's door shift at 0.11, timing the legs coming into it from elsewhere 15%
    /// slow; BENCHMARKS.md, "Learned ETAs", sixty-second session).
    /// A shift that moves the leg by `scale` × its own change (`scale(_:at:driving:)`) takes the leg's miss as saying
    /// the shift is its value + miss / `scale`, weighed `scale`² (`Memory.add`).
    mutating func learn(_ keys: [(Kind, Int)], residual: Double, shift: Bool, driving: Double = 1) {
        guard !shift else {
            var left = residual
            // A leg inside a zone (driven through it, ending in it) is said of both of the zone's shifts: each learns it
            // less what the other is taken to be (`taken`), not less what the other corrects.
            let through = keys.first { $0.0 == .throughShift }?.1, inside = through != nil && through == keys.first { $0.0 == .doorShift }?.1
            for (kind, key) in keys where kind.isShift {
                // A day's shift is the day's alone (its weather, a match in town): the days before it are let go, once,
                // when its first leg comes (the latest day learned holds no earlier one).
                if kind == .dayShift, key >> 20 != today.day {
                    // The day before ends: what it stood at goes into the days' spread.
                    if today.day != Int.min, key >> 20 > today.day, let ended = readDay(today.day, zoneLegs: 1) {
                        daySpread = (PairCorrections.spreadForgetting * daySpread.sum + ended.median * ended.median - ended.standardError * ended.standardError,
                                     PairCorrections.spreadForgetting * daySpread.days + 1)
                        // In key order, as `readDay` sums: a dictionary's order differs between two processes.
                        let memories = entries[kind.rawValue].filter { $0.key >> 20 == today.day }.sorted { $0.key < $1.key }.map(\.value.settled)
                        legNoise = (PairCorrections.spreadForgetting * legNoise.misses + memories.reduce(0) { $0 + $1.absoluteMisses },
                                    PairCorrections.spreadForgetting * legNoise.legs + memories.reduce(0) { $0 + $1.legs })
                    }
                    entries[kind.rawValue] = entries[kind.rawValue].filter { $0.key >> 20 >= key >> 20 }
                }
                var entry = entries[kind.rawValue][key] ?? Entry()
                let own = value(kind, key) ?? 0, scale = PairCorrections.scale(kind, at: own, driving: driving)
                var miss = left
                if inside, kind == .throughShift { miss += (value(.doorShift, key) ?? 0) - taken(.doorShift, key) }
                if inside, kind == .doorShift {
                    miss -= PairCorrections.moved(.throughShift, by: taken(.throughShift, key), driving: driving)
                        - PairCorrections.moved(.throughShift, by: value(.throughShift, key) ?? 0, driving: driving)
                }
                let target = own + max(-PairCorrections.shiftClip, min(PairCorrections.shiftClip, miss)) / scale
                entry.fast.add(target, scale: scale, forgetting: kind.forgetting)
                entry.settled.add(target, scale: scale, forgetting: Kind.settledForgetting)
                let fast = PairCorrections.estimate(entry.fast), slow = PairCorrections.estimate(entry.settled)
                let noise = entry.settled.missSpread / (entry.fast.weight + kind.prior).squareRoot()
                if abs(fast.mean - slow.mean) > PairCorrections.changeThreshold * noise { entry.settled = entry.fast }
                entries[kind.rawValue][key] = entry
                if kind == .dayShift { today = (key >> 20, dayValue(key >> 20)) }
                left -= PairCorrections.moved(kind, by: value(kind, key) ?? 0, driving: driving) - PairCorrections.moved(kind, by: own, driving: driving)
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

    private enum CodingKeys: String, CodingKey {
        case kinds
        case daySpread = "day_spread"
        case riderPrior = "rider_prior"
    }

    /// Encoded as per kind a list of `[key, sum, weight, squares, misses, legs, settled sum, settled weight, settled
    /// squares, settled misses, settled legs]` in key order, so equal corrections encode to equal text (the model's
    /// fingerprint hashes it).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode([daySpread.sum, daySpread.days, legNoise.misses, legNoise.legs], forKey: .daySpread)
        try c.encodeIfPresent(riderPrior.map { [Double($0.firstNew), $0.legs, $0.mean] }, forKey: .riderPrior)
        try c.encode(entries.map { kind in
            kind.keys.sorted().map { key in
                let e = kind[key]!
                return [Double(key), e.fast.sum, e.fast.weight, e.fast.squares, e.fast.absoluteMisses, e.fast.legs,
                        e.settled.sum, e.settled.weight, e.settled.squares, e.settled.absoluteMisses, e.settled.legs]
            }
        }, forKey: .kinds)
    }

    init() {}

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let kinds = try c.decode([[[Double]]].self, forKey: .kinds)
        let spread = try c.decode([Double].self, forKey: .daySpread)
        guard spread.count == 4, spread.allSatisfy(\.isFinite), spread.dropFirst().allSatisfy({ $0 >= 0 }) else {
            throw DecodingError.dataCorruptedError(forKey: .daySpread, in: c, debugDescription:
                "expected [sum, days, misses, legs], four finite numbers, all but the sum not negative")
        }
        daySpread = (spread[0], spread[1])
        legNoise = (spread[2], spread[3])
        // A model of an older build has no prior: its new riders read as known ones.
        if let prior = try c.decodeIfPresent([Double].self, forKey: .riderPrior) {
            guard prior.count == 3, prior[0] >= 0, prior[0] < 0x1p52, prior[0].rounded() == prior[0], prior[1].isFinite, prior[1] > 0, prior[2].isFinite else {
                throw DecodingError.dataCorruptedError(forKey: .riderPrior, in: c, debugDescription:
                    "expected [first new rider, legs, mean]: a whole number from zero below 2^52, a finite number above zero, a finite number")
            }
            riderPrior = RiderPrior(firstNew: Int(prior[0]), legs: prior[1], mean: prior[2])
        }
        // A key is a whole number in range (a broken file must not trap converting it; a day's key is below zero for
        // a day before 1970); weights, squares and misses are sums of non-negative numbers (a negative weight would
        // take a square root of less than nothing, and every prediction through the shift would be not a number).
        let wellFormed = { (entry: [Double]) in
            entry.count == 11 && entry.allSatisfy(\.isFinite) && abs(entry[0]) < 0x1p52 && entry[0].rounded() == entry[0]
                && [2, 3, 4, 5, 7, 8, 9, 10].allSatisfy { entry[$0] >= 0 }
        }
        guard kinds.count == Kind.allCases.count, kinds.allSatisfy({ $0.allSatisfy(wellFormed) }) else {
            throw DecodingError.dataCorruptedError(forKey: .kinds, in: c, debugDescription:
                "expected \(Kind.allCases.count) lists of [key, sum, weight, squares, misses, legs, settled sum, settled weight, settled squares, "
                    + "settled misses, settled legs], the key a whole number below 2^52 either side of zero, the weights, squares, misses and legs not negative")
        }
        entries = kinds.map { list in
            Dictionary(list.map { (Int($0[0]), Entry(fast: Memory(sum: $0[1], weight: $0[2], squares: $0[3], absoluteMisses: $0[4], legs: $0[5]),
                                                     settled: Memory(sum: $0[6], weight: $0[7], squares: $0[8], absoluteMisses: $0[9], legs: $0[10]))) },
                       uniquingKeysWith: { $1 })
        }
        if let day = entries[Kind.dayShift.rawValue].keys.map({ $0 >> 20 }).max() { today = (day, dayValue(day)) }
    }
}
