import Foundation
import Testing
@testable import TowerCore

/// The learned ETAs on a history whose noise-free travel times are known (`SyntheticHistory`): how near the noise
/// floor they come on ordinary days, and how they follow a closure nobody announced.
@Suite struct SyntheticHistoryTests {
    static func settings(seed: UInt64, days: Int, closureDay: Int?) -> SyntheticHistory.Settings {
        var settings = SyntheticHistory.Settings()
        settings.seed = seed
        settings.days = days
        settings.closureDay = closureDay
        return settings
    }

    /// The shifts' keys of a leg at 10:00 (rider, door zone, zone driven through).
    static func shiftKeys(rider: Int? = nil, door: Int? = nil, through: Int) -> [(PairCorrections.Kind, Int)] {
        PairCorrections.keys(rider: rider, zone: door, through: through, hour: 10, day: 0).filter { $0.0.isShift }
    }

    /// The shifts' keys of a leg inside zone `door` (driven through it, ending in it) by `rider` on `day`.
    static func dayKeys(door: Int, rider: Int = 0, day: Int) -> [(PairCorrections.Kind, Int)] {
        PairCorrections.keys(rider: rider, zone: door, through: door, hour: 10, day: day).filter { $0.0.isShift }
    }

    @Test func theHistoryIsTheSameForASeedAndItsNoiseFreeTimesSurviveTheCSV() throws {
        let settings = Self.settings(seed: 5, days: 8, closureDay: 6)
        let history = SyntheticHistory(settings: settings)
        #expect(history.csv == SyntheticHistory(settings: settings).csv)
        #expect(history.csv != SyntheticHistory(settings: Self.settings(seed: 6, days: 8, closureDay: 6)).csv)
        let path = TestCity.temporaryFile("synthetic.csv")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try history.csv.write(toFile: path, atomically: true, encoding: .utf8)
        let read = try HistoryReader.read(path: path, requireTimes: true)
        #expect(read.errors.isEmpty && read.rows.count == history.rows.count)
        for (a, b) in zip(read.rows, history.rows) { #expect(abs(a.noiseFreeTravel! - b.noiseFreeTravel!) <= 0.05) }
        // The closure halves its zone's speed: the legs through it take longer after it than before, noise aside.
        let through = history.rows.filter { history.closedLegs.contains($0.line) }
        let ratio = { (after: Bool) -> Double in
            let legs = through.filter { ($0.departedAt >= history.closureStart!) == after }
            return legs.reduce(0) { $0 + $1.noiseFreeTravel! / ETAModel.roadKm($1) } / Double(legs.count)
        }
        #expect(ratio(true) > 1.5 * ratio(false))
    }

    /// On held-out days the learned model comes within reach of the noise floor (the bench gives about 1.03–1.09
    /// trained; gradient boosting from LightGBM 1.13–1.30 on the same splits), far below the distance baseline, and
    /// the travel shape pays for itself. (The pair corrections no longer do on frozen held-out days: the shape learns
    /// each rider in each zone and each zone at each hour from every training leg; the pairs are the online layer.)
    @Test func onOrdinaryDaysTheModelComesNearTheNoiseFloor() throws {
        let rows = SyntheticHistory(settings: Self.settings(seed: 2, days: 40, closureDay: nil)).rows
        let cut = rows[0].departedAt + 32 * 86_400
        let train = rows.filter { $0.departedAt < cut }, test = rows.filter { $0.departedAt >= cut }
        let model = try ETAModel(training: train)
        let result = ETAEvaluation(model: model, rows: test, online: true)
        let floor = try #require(result.noiseFloor)
        #expect(result.noiseFloorMissing == nil)
        #expect(result.model.travelMAE <= 1.3 * floor)
        // A history some of whose rows lack the noise-free travel has no floor, and says how many lack it.
        var partial = test
        for i in stride(from: 0, to: partial.count, by: 10) { partial[i].noiseFreeTravel = nil }
        let unmeasured = ETAEvaluation(model: model, rows: partial)
        #expect(unmeasured.noiseFloor == nil)
        #expect(unmeasured.noiseFloorMissing == "noise floor not measured: \((partial.count + 9) / 10) of \(partial.count) rows have no travel_noise_free_s")
        #expect(ETAEvaluation(model: model, rows: partial.map { var row = $0; row.noiseFreeTravel = nil; return row }).noiseFloorMissing == nil,
                "a history without the column says nothing of it")
        #expect(result.model.travelMAE <= 0.65 * result.baseline.travelMAE)
        #expect(result.model.dwellMAE < result.baseline.dwellMAE)
        #expect((0.75...0.85).contains(result.model.coverage ?? 0))
        let withoutShape = try ETAModel(training: train, shaped: false)
        #expect(ETAEvaluation(model: withoutShape, rows: test).model.travelMAE > ETAEvaluation(model: model, rows: test).model.travelMAE)
        // A leg thousands of kilometres long and a stop of ten thousand parcels, far past anything learned: at most
        // a day, not an infinite time (which `eta predict` could not print and a plan could not add up).
        var far = try #require(test.first)
        far.to = GeoPoint(lat: far.to.lat, lon: -90)
        far.parcels = 10_000
        let p = model.predict(far)
        #expect(p.travel.allSatisfy { $0.isFinite && $0 <= 86_400 } && p.dwell.isFinite && p.dwell <= 86_400, "\(p)")
    }

    @Test func afterAClosureNobodyAnnouncedOnlineLearningFollowsIt() throws {
        let history = SyntheticHistory(settings: Self.settings(seed: 1, days: 60, closureDay: 46))
        let closure = try #require(history.closureStart)
        let model = try ETAModel(training: history.rows.filter { $0.departedAt < closure })
        let result = ETARecovery().measure(model: model, rows: history.rows.filter { $0.departedAt >= closure },
                                           touched: { history.closedLegs.contains($0.line) }, from: closure)
        #expect(result.touchedAfter > 300)
        #expect(result.firstAfter.frozen > 2.5, "the closure is felt")
        #expect(result.firstAfter.online < result.firstAfter.frozen, "online learning starts following within the first legs")
        #expect(result.atEnd.online < 1.5 && result.atEnd.frozen > 2.5)
        // Issue 19's measure: the last 50 touched legs back within 1.15 × their noise floor within 300 of them (the
        // bench's seed 1: 126; a shift that carried a fast mean's noise took 572).
        #expect((result.legsToRecover ?? .max) <= 300, "back within 1.15 × the floor after \(result.legsToRecover.map(String.init) ?? "never")")
        // And it stays back: over every touched leg after the first 300, within a tenth of where the model is on the
        // legs the closure did not touch (the bench's seed 1: 1.06 against 1.04), the frozen model far off.
        let settled = try #require(result.settled), untouched = try #require(result.untouched)
        #expect(settled.legs > 200 && settled.frozen > 2.5)
        #expect(untouched > 1 && untouched < 1.1 && settled.online < untouched + 0.1, "settled at \(settled.online) × the floor; the untouched legs \(untouched) ×")
    }

    @Test func pairCorrectionsRoundTripAndEncodeTheSameWhateverTheirOrder() throws {
        var a = PairCorrections(), b = PairCorrections()
        let legs: [([(PairCorrections.Kind, Int)], Double)] = [
            (PairCorrections.keys(rider: 1, zone: 2, through: 3, hour: 8, day: 0), 0.2),
            (PairCorrections.keys(rider: 4, zone: 0, through: 1, hour: 17, day: 0), -0.1),
        ]
        for (keys, residual) in legs { a.learn(keys, residual: residual, shift: false) }
        for (keys, residual) in legs.reversed() { b.learn(keys, residual: residual, shift: false) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        #expect(try encoder.encode(a) == encoder.encode(b))
        #expect(try JSONDecoder().decode(PairCorrections.self, from: encoder.encode(a)) == a)
        #expect(a.correction(legs[0].0) > 0 && a.correction(legs[1].0) < 0)
        // The shift moves only beyond its own noise: one odd leg leaves it at zero, a run of slow legs does not.
        var shift = PairCorrections()
        let keys = PairCorrections.keys(rider: nil, zone: nil, through: 0, hour: 9, day: 0).filter { $0.0 == .throughShift }
        shift.learn(keys, residual: 0.5, shift: true)
        for _ in 0..<10 { shift.learn(keys, residual: 0, shift: true) }
        #expect(shift.correction(keys) == 0)
        for _ in 0..<20 { shift.learn(keys, residual: 0.6 - shift.correction(keys), shift: true) }
        #expect((0.2...0.6).contains(shift.correction(keys)))
    }

    /// A zone that slows and stays slow: the shift is seen within a few legs, and as the legs since the change add up
    /// it is estimated from them all (its spread far below the dozen-leg fast memory's, about 0.25 / √14 ≈ 0.07); when
    /// the zone opens again the shift follows back down within a few dozen legs.
    @Test func aSettledShiftIsEstimatedFromEveryLegSinceTheChange() {
        var shift = PairCorrections(), random = SeededRandom(seed: 3)
        let keys = PairCorrections.keys(rider: nil, zone: nil, through: 2, hour: 10, day: 0).filter { $0.0 == .throughShift }
        var corrections: [Double] = []
        func leg(_ effect: Double) {
            shift.learn(keys, residual: effect + 0.25 * random.normal() - shift.correction(keys), shift: true)
            corrections.append(shift.correction(keys))
        }
        for _ in 0..<200 { leg(0) }
        #expect(corrections.suffix(100).allSatisfy { abs($0) < 0.1 }, "an ordinary zone stays near zero")
        corrections = []
        for _ in 0..<400 { leg(0.5) }
        #expect(corrections[20] > 0.25, "followed within a few legs: \(corrections[20])")
        let late = corrections.suffix(100), mean = late.reduce(0, +) / 100
        let spread = (late.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 100).squareRoot()
        #expect(abs(mean - 0.5) < 0.05 && spread < 0.03, "settled at \(mean) ± \(spread)")
        corrections = []
        for _ in 0..<60 { leg(0) }
        #expect(abs(corrections.last!) < 0.12, "back after the zone opens: \(corrections.last!)")
    }

    /// A rider who slows (a new vehicle, an injury) is followed by the rider's own shift within a few dozen legs,
    /// while the zones the rider drives through stay where they were; a zone that slows for everyone is the zone's
    /// shift, and the riders' shifts do not take it up.
    @Test func aRiderWhoSlowsIsTheRidersShiftAndAZoneThatSlowsIsTheZones() {
        var shifts = PairCorrections(), random = SeededRandom(seed: 8)
        func keys(rider: Int, through: Int) -> [(PairCorrections.Kind, Int)] { Self.shiftKeys(rider: rider, through: through) }
        func only(_ kind: PairCorrections.Kind, _ keys: [(PairCorrections.Kind, Int)]) -> Double { shifts.correction(kind, of: keys) }
        /// One leg of each of six riders through one of three zones; rider 0 is `slow` more, zone 2 `closed` more.
        func round(slow: Double, closed: Double) {
            for rider in 0..<6 {
                let through = Int(random.unit() * 3), k = keys(rider: rider, through: through)
                let effect = (rider == 0 ? slow : 0) + (through == 2 ? closed : 0)
                shifts.learn(k, residual: effect + 0.2 * random.normal() - shifts.correction(k), shift: true)
            }
        }
        for _ in 0..<150 { round(slow: 0, closed: 0) }
        #expect((0..<6).allSatisfy { abs(only(.riderShift, keys(rider: $0, through: 0))) < 0.05 }, "ordinary riders stay near zero")
        for _ in 0..<40 { round(slow: 0.35, closed: 0) }
        #expect((0.25...0.45).contains(only(.riderShift, keys(rider: 0, through: 0))), "the slow rider followed within 40 legs")
        #expect((0..<3).allSatisfy { abs(only(.throughShift, keys(rider: 0, through: $0))) < 0.1 }, "the zones stay where they were")
        for _ in 0..<60 { round(slow: 0.35, closed: 0.5) }
        #expect((0.4...0.6).contains(only(.throughShift, keys(rider: 1, through: 2))), "the closed zone is the zone's shift")
        #expect((1..<6).allSatisfy { abs(only(.riderShift, keys(rider: $0, through: 0))) < 0.1 },
                "the other riders' shifts did not learn the closure: \((1..<6).map { only(.riderShift, keys(rider: $0, through: 0)) })")
        #expect((0.25...0.45).contains(only(.riderShift, keys(rider: 0, through: 0))), "and the slow rider is still slow by as much")
    }

    /// A road closed through a zone slows the driving and not the doorstep: a leg that is mostly parking and stairs
    /// barely moves, a long drive nearly doubles. The zone's shift, scaled by each leg's share of driving, follows
    /// short and long legs alike. One factor on the whole leg follows the long legs, most of them, and puts their
    /// change on the short ones too (here 0.26 too slow on the shortest); the shift scaled by the share of driving
    /// alone (its first order) was 0.07 too fast there.
    @Test func aClosureThroughAZoneIsFollowedOnShortAndLongLegsAlike() {
        var shifts = PairCorrections(), random = SeededRandom(seed: 6)
        let keys = Self.shiftKeys(through: 4).filter { $0.0 == .throughShift }  // every leg crosses the zone: the day's shift would share it
        /// A leg of 40 s at the door and `drive` s on the road, and how far its log time moves at half the speed.
        func leg(drive: Double) -> (driving: Double, change: Double) {
            (drive / (40 + drive), log((40 + 2 * drive) / (40 + drive)))
        }
        for _ in 0..<200 {
            let (driving, change) = leg(drive: 30 + 570 * random.unit())
            shifts.learn(keys, residual: change + 0.1 * random.normal() - shifts.correction(keys, driving: driving), shift: true, driving: driving)
        }
        for drive in [30.0, 600.0] {
            let (driving, change) = leg(drive: drive)
            let followed = shifts.correction(keys, driving: driving)
            #expect(abs(followed - change) < 0.06, "a leg of \(Int(drive)) s driving: \(followed) against \(change)")
        }
    }

    /// A zone's shift far below zero (as a model file may carry one: its drives took almost none of their time) takes
    /// the driving to nothing and no further, and a leg learned there stays a number: where the shift moves a leg
    /// by next to nothing, a miss over it would not be one.
    @Test func aShiftThatTookTheDrivingToNothingStaysANumber() throws {
        let settled = [-800_000, 1_000, 6.4e8, 0, 1_000]
        let file = try JSONSerialization.data(withJSONObject: ["kinds": [[], [], [[5] + settled + settled], [], [], []], "day_spread": [0, 0, 0, 0]])
        var shifts = try JSONDecoder().decode(PairCorrections.self, from: file)
        let keys = Self.shiftKeys(through: 5)
        #expect(abs(shifts.correction(keys, driving: 0.1) - log(0.9)) < 1e-9)
        shifts.learn(keys, residual: 0.3, shift: true, driving: 0.1)
        #expect(shifts.correction(keys, driving: 0.1).isFinite && shifts.correction(keys, driving: 1).isFinite)
    }

    /// A rider whose legs have heavy tails (one in twenty held up by something else: a door that kept them, a stall)
    /// and who then slows for good is followed by the rider's shift within about twenty legs. The change test reads
    /// the noise from the mean absolute miss; read from the squares, the held-up legs swelled it so far that the
    /// slowing stayed under it for twice as long (here, on none of six riders within 20 legs; on the synthetic history
    /// of seed 3, a slow rider was never followed in 98 legs).
    @Test func aRiderWithHeavyTailedLegsWhoSlowsIsFollowedSoon() {
        let followed = (1...6).filter { seed in
            var shifts = PairCorrections(), random = SeededRandom(seed: UInt64(seed))
            let keys = Self.shiftKeys(rider: 0, through: 0).filter { $0.0 == .riderShift }
            func leg(slow: Double) {
                let heldUp = random.unit() < 0.05 ? 0.5 + random.unit() : 0
                shifts.learn(keys, residual: slow + heldUp + 0.15 * random.normal() - shifts.correction(keys), shift: true)
            }
            for _ in 0..<300 { leg(slow: 0) }
            let before = shifts.correction(keys)
            for _ in 0..<20 { leg(slow: 0.3) }
            return shifts.correction(keys) - before > 0.15
        }
        #expect(followed.count >= 3, "riders followed within 20 legs: \(followed)")
    }

    /// A zone that slows at its doors (a street closed to parking: every leg ending there slower, wherever it drove
    /// through) is the door zone's shift within a few dozen legs, and the zones driven through stay where they were.
    @Test func aZoneSlowerAtItsDoorsIsTheDoorZonesShift() {
        var shifts = PairCorrections(), random = SeededRandom(seed: 5)
        func keys(door: Int, through: Int) -> [(PairCorrections.Kind, Int)] { Self.shiftKeys(door: door, through: through) }
        func only(_ kind: PairCorrections.Kind, _ keys: [(PairCorrections.Kind, Int)]) -> Double { shifts.correction(kind, of: keys) }
        func leg(slowDoors: Double) {
            let door = Int(random.unit() * 3), through = Int(random.unit() * 3), k = keys(door: door, through: through)
            shifts.learn(k, residual: (door == 1 ? slowDoors : 0) + 0.2 * random.normal() - shifts.correction(k), shift: true)
        }
        for _ in 0..<300 { leg(slowDoors: 0) }
        for _ in 0..<120 { leg(slowDoors: 0.4) }  // about 40 legs to zone 1
        #expect((0.3...0.5).contains(only(.doorShift, keys(door: 1, through: 0))), "the door zone's shift: \(only(.doorShift, keys(door: 1, through: 0)))")
        #expect((0..<3).allSatisfy { abs(only(.throughShift, keys(door: 0, through: $0))) < 0.1 },
                "the zones driven through: \((0..<3).map { only(.throughShift, keys(door: 0, through: $0)) })")
        #expect([0, 2].allSatisfy { abs(only(.doorShift, keys(door: $0, through: 0))) < 0.1 }, "the other doors")
    }

    /// A day when every leg is slower (rain, a match in town) is the day's shift within a few dozen legs of the city,
    /// the zones' and riders' shifts staying where they were; the next day starts from nothing; and the busiest zone
    /// closed all day, half the city's legs, stays that zone's, from the day's first legs on: the day's shift reads the
    /// median over the zones, a zone of fewer than three legs of the day counting as zero.
    @Test func aDayWhenEverythingIsSlowerIsTheDaysShiftAndTheNextDayStartsAfresh() {
        var shifts = PairCorrections(), random = SeededRandom(seed: 11)
        func only(_ kind: PairCorrections.Kind, _ keys: [(PairCorrections.Kind, Int)]) -> Double { shifts.correction(kind, of: keys) }
        /// A leg of one of six riders to one of three zones on `day` (zone 1 the busiest, half the legs), `everywhere`
        /// slower, and `closed` more in zone 1.
        func leg(day: Int, everywhere: Double, closed: Double = 0) {
            let door = random.unit() < 0.5 ? 1 : random.unit() < 0.5 ? 0 : 2, k = Self.dayKeys(door: door, rider: Int(random.unit() * 6), day: day)
            shifts.learn(k, residual: everywhere + (door == 1 ? closed : 0) + 0.2 * random.normal() - shifts.correction(k), shift: true)
        }
        for _ in 0..<300 { leg(day: 1, everywhere: 0) }
        #expect(abs(only(.dayShift, Self.dayKeys(door: 0, day: 1))) < 0.05, "an ordinary day stays near zero")
        for _ in 0..<40 { leg(day: 2, everywhere: 0.3) }
        #expect((0.2...0.4).contains(only(.dayShift, Self.dayKeys(door: 0, day: 2))), "the day followed within 40 legs: \(only(.dayShift, Self.dayKeys(door: 0, day: 2)))")
        let others = (0..<3).flatMap { door in
            (0..<6).map { rider in shifts.correction(Self.dayKeys(door: door, rider: rider, day: 2)) - only(.dayShift, Self.dayKeys(door: door, day: 2)) }
        }
        #expect(others.allSatisfy { abs($0) < 0.1 }, "the zones' and riders' shifts: \(others)")
        #expect(only(.dayShift, Self.dayKeys(door: 0, day: 3)) == 0, "the next day starts from nothing")
        var largest = 0.0
        for _ in 0..<150 {
            leg(day: 3, everywhere: 0, closed: 0.5)
            largest = max(largest, abs(only(.dayShift, Self.dayKeys(door: 0, day: 3))))
        }
        #expect(largest < 0.05, "a zone closed is not the city's day: at most \(largest)")
        #expect((0.35...0.65).contains(shifts.correction(Self.dayKeys(door: 1, day: 3))), "the closed zone's legs: \(shifts.correction(Self.dayKeys(door: 1, day: 3)))")
        #expect(abs(shifts.correction(Self.dayKeys(door: 0, day: 3))) < 0.1 && abs(shifts.correction(Self.dayKeys(door: 2, day: 3))) < 0.1, "the other zones' legs")
    }

    /// In a city whose days differ (every third day a wet one, every leg 30% slower), a wet day's first legs are
    /// believed sooner than in a city that has never had one: the days' spread says how far a day's first legs may
    /// be taken at their word. Four zones, six riders; twelve days of 120 legs, then a wet day (0.26 in log), the
    /// day's shift read as each of its first twenty legs comes: 0.15 on average in the city of wet days (0.089 when the
    /// early reading was a median over the zones, each zone's mean shrunk by the shifts' two-leg prior), 0.021 in the
    /// dry one (the thresholded reading alone).
    @Test func inACityOfWetDaysAWetDaysFirstLegsAreBelievedSooner() {
        func firstLegs(wetDays: Bool) -> Double {
            var shifts = PairCorrections(), random = SeededRandom(seed: 5)
            func leg(day: Int, everywhere: Double) {
                let k = Self.dayKeys(door: Int(random.unit() * 4), rider: Int(random.unit() * 6), day: day)
                shifts.learn(k, residual: everywhere + 0.2 * random.normal() - shifts.correction(k), shift: true)
            }
            for day in 1...12 {
                for _ in 0..<120 { leg(day: day, everywhere: wetDays && day % 3 == 0 ? 0.26 : 0) }
            }
            var timed = 0.0
            for _ in 0..<20 {
                timed += shifts.correction(.dayShift, of: Self.dayKeys(door: 0, day: 13))
                leg(day: 13, everywhere: 0.26)
            }
            return timed / 20
        }
        let wet = firstLegs(wetDays: true), dry = firstLegs(wetDays: false)
        #expect(wet > 0.12 && dry < 0.04, "the day's shift over a wet day's first twenty legs: \(wet) in a city of wet days, \(dry) in a dry one")
    }

    /// In a city of wet days, a dry day when the busiest zone is closed (half the day's legs 0.5 slower in log) is
    /// still not a wet day: the day's early reading holds each zone within its noise of the median over the zones, so
    /// the closed zone moves the city's day by little, and its own shifts take the closure. Without that hold (the day
    /// read as the mean of all its legs) the day's shift over the day's legs 30–150 stood at 0.22 on average, every
    /// other zone's legs timed that much slow; with it, at 0.05.
    @Test func inACityOfWetDaysABusyZoneClosedIsNotTheCitysDay() {
        var shifts = PairCorrections(), random = SeededRandom(seed: 7)
        func leg(door: Int, day: Int, slower: Double) {
            let k = Self.dayKeys(door: door, rider: Int(random.unit() * 6), day: day)
            shifts.learn(k, residual: slower + 0.2 * random.normal() - shifts.correction(k), shift: true)
        }
        for day in 1...12 {
            for _ in 0..<120 { leg(door: Int(random.unit() * 4), day: day, slower: day % 3 == 0 ? 0.26 : 0) }
        }
        var day = 0.0
        for n in 0..<150 {
            let door = random.unit() < 0.5 ? 1 : [0, 2, 3][Int(random.unit() * 3)]
            if n >= 30 { day += shifts.correction(.dayShift, of: Self.dayKeys(door: 0, day: 13)) / 120 }
            leg(door: door, day: 13, slower: door == 1 ? 0.5 : 0)
        }
        #expect(day < 0.08, "the day's shift over legs 30–150: \(day) on average")
        #expect((0.35...0.65).contains(shifts.correction(Self.dayKeys(door: 1, day: 13))), "the closed zone's legs: \(shifts.correction(Self.dayKeys(door: 1, day: 13)))")
    }

    /// A rider at or after the prior's first new one starts at the fleet's average and is believed from its first
    /// legs, as a normal prior of the fleet's spread says; a rider the model knows is moved only once it stands out
    /// of its noise (a change in a known rider is rare). Five legs 0.2 slower, little noise: the new one is most of
    /// the way there, the known one not yet moved.
    @Test func aNewRiderIsBelievedFromItsFirstLegsAndAKnownOneOnlyOnceItStandsOut() {
        var shifts = PairCorrections()
        shifts.riderPrior = RiderPrior(firstNew: 6, legs: 4, mean: 0.05)
        let known = Self.shiftKeys(rider: 2, through: 1).filter { $0.0 == .riderShift }, new = Self.shiftKeys(rider: 7, through: 1).filter { $0.0 == .riderShift }
        #expect(shifts.correction(new) == 0.05 && shifts.correction(known) == 0, "before any leg: new \(shifts.correction(new)), known \(shifts.correction(known))")
        var random = SeededRandom(seed: 3)
        for _ in 0..<5 {
            for keys in [known, new] { shifts.learn(keys, residual: 0.2 + 0.15 * random.normal() - shifts.correction(keys), shift: true) }
        }
        #expect(shifts.correction(new) > 0.1 && shifts.correction(known) == 0, "after five legs: new \(shifts.correction(new)), known \(shifts.correction(known))")
        // Without a prior, the new one is read as a known one.
        shifts.riderPrior = nil
        #expect(shifts.correction(new) == 0)
    }

    /// A rider the model never saw (a third of the fleet renamed on the test days, as new gig couriers would be) is
    /// timed as the fleet's average before its first leg, frozen or online, and learned from its first legs online:
    /// after its tenth, its legs are missed by at most 1.8 times as much as those of the riders the model knows (1.57
    /// here; what is left is the riders' slowness in zones they do not know, which a new rider's pairs learn zone by
    /// zone). Without a place of its own from its first leg, nothing but the zones' and the day's shifts learned it
    /// online, 2.5–3 times; timed at the trained parts' reference (here the shape's) rather than the fleet's average,
    /// a city of new riders was timed 0.067 slow (synthetic seed 1).
    @Test func aRiderNewToTheModelIsTimedAsTheFleetsAverageAndLearnedFromItsFirstLegs() throws {
        let rows = SyntheticHistory(settings: Self.settings(seed: 2, days: 30, closureDay: nil)).rows
        let cut = rows[0].departedAt + 20 * 86_400
        let model = try ETAModel(training: rows.filter { $0.departedAt < cut })
        let riders = Array(Set(rows.map(\.rider))).sorted()
        let renamed = Set(riders.enumerated().filter { $0.offset % 3 == 0 }.map(\.element))
        let test = rows.filter { $0.departedAt >= cut && $0.travelSeconds != nil }.sorted { ($0.departedAt, $0.line) < ($1.departedAt, $1.line) }
        func miss(_ row: HistoryRow, _ model: ETAModel) -> Double { log(model.predict(row).travel[1] / row.noiseFreeTravel!) }
        // Frozen: every rider renamed is timed as the fleet's average, so over the fleet the legs are missed by as much
        // on average as when the model knows them.
        let known = test.reduce(0) { $0 + miss($1, model) } / Double(test.count)
        let strangers = test.reduce(0) { total, row in
            var stranger = row
            stranger.rider = "new-" + row.rider
            return total + miss(stranger, model)
        } / Double(test.count)
        #expect(abs(strangers - known) < 0.02, "the mean log miss frozen: \(strangers) with every rider new, \(known) with them known")
        // Online: each leg predicted, then learned.
        var learner = model, seen: [String: Int] = [:], sums = (new: 0.0, newLegs: 0, old: 0.0, oldLegs: 0)
        for var row in test {
            let isNew = renamed.contains(row.rider)
            if isNew { row.rider = "new-" + row.rider }
            if seen[row.rider, default: 0] >= 10 {
                let m = abs(miss(row, learner))
                if isNew { sums.new += m; sums.newLegs += 1 } else { sums.old += m; sums.oldLegs += 1 }
            }
            seen[row.rider, default: 0] += 1
            learner.learn(row)
        }
        let new = sums.new / Double(sums.newLegs), old = sums.old / Double(sums.oldLegs)
        #expect(sums.newLegs > 800 && new < 1.8 * old, "mean |log| miss after a rider's tenth leg: new riders \(new) over \(sums.newLegs) legs, known \(old)")
    }

    /// A zone's rush hour is learned for its own hours: legs through the zone from 7 to 9 slower, legs at 6 and at 9
    /// as ever; the pairs of the rush hours correct and the hours beside them do not (a pair of 6–9 would have lent
    /// the rush to the legs at 6).
    @Test func aZonesRushHourIsLearnedForItsOwnHours() {
        var pairs = PairCorrections(), random = SeededRandom(seed: 4)
        let keys = { (hour: Int) in PairCorrections.keys(rider: nil, zone: nil, through: 1, hour: hour, day: 0).filter { $0.0 == .throughHour } }
        for _ in 0..<60 {
            for hour in [6, 7, 8, 9] {
                let effect = (7...8).contains(hour) ? 0.4 : 0
                pairs.learn(keys(hour), residual: effect + 0.1 * random.normal() - pairs.correction(keys(hour)), shift: false)
            }
        }
        #expect(pairs.correction(keys(7)) > 0.3 && pairs.correction(keys(8)) > 0.3, "the rush hours: \(pairs.correction(keys(7))), \(pairs.correction(keys(8)))")
        #expect(abs(pairs.correction(keys(6))) < 0.05 && abs(pairs.correction(keys(9))) < 0.05,
                "the hours beside them: \(pairs.correction(keys(6))), \(pairs.correction(keys(9)))")
    }

    /// Whether a leg's pace is set by the hour it leaves or by the hours it is driven in, the linear part fits it:
    /// legs of 30 minutes leave at any minute from 06:00 to 20:00 and go 1.6 times slower from 07:00 to 09:00, in one
    /// city by the hour they leave (a leg leaving at 08:50 slow all the way, one leaving at 06:50 not at all), in the
    /// other minute by minute. Without the hour of departure the first city's legs around the rush are smeared over
    /// the hours they run into; without the hours driven, the second's.
    @Test func theLinearPartFitsAPaceSetAtDepartureAndOneSetHourByHour() throws {
        for byDeparture in [true, false] {
            var random = SeededRandom(seed: 9)
            let centre = GeoPoint(lat: -22.9, lon: -43.2), day0 = ISOTime.parse("2026-09-07T00:00:00+00:00")!.instant
            let rows = (0..<2400).map { i -> HistoryRow in
                let day = i / 120, leaves = 6 * 3600 + Int(random.unit() * 14 * 3600)
                let from = GeoPoint(lat: centre.lat + (random.unit() - 0.5) * 0.02, lon: centre.lon + (random.unit() - 0.5) * 0.02)
                let to = GeoPoint(lat: from.lat + 0.05, lon: from.lon)
                let free = ETAModel.roadKm(HistoryRow.leg(from: from, to: to)) / 20 * 3600
                let slow = { (second: Double) in (7 * 3600..<9 * 3600).contains(Int(second)) }
                var seconds: Double
                if byDeparture {
                    seconds = free * (slow(Double(leaves)) ? 1.6 : 1)
                } else {  // a tenth of the way at a time, at the pace of the minute it is driven in
                    seconds = 0
                    for _ in 0..<10 { seconds += free / 10 * (slow(Double(leaves) + seconds) ? 1.6 : 1) }
                }
                let departed = day0 + Int64(day * 86_400 + leaves)
                var row = HistoryRow.leg(from: from, to: to)
                row.line = i + 2
                row.departedAt = departed
                row.arrivedAt = departed + Int64(seconds.rounded())
                row.completedAt = row.arrivedAt! + 60
                return row
            }
            let train = Array(rows[..<2000]), test = rows[2000...]
            let model = try ETAModel(training: train, riderEffects: false, boosted: false)
            let miss = test.reduce(0) { $0 + abs(log(model.predict($1).travel[1] / $1.travelSeconds!)) } / Double(test.count)
            #expect(miss < 0.012, "\(byDeparture ? "by the hour of departure" : "hour by hour"): mean |log| miss \(miss)")
        }
    }
}

extension HistoryRow {
    /// A delivered leg of rider S1 in zone z1 leaving at the epoch, its times to be set.
    static func leg(from: GeoPoint, to: GeoPoint) -> HistoryRow {
        HistoryRow(line: 2, order: "T", rider: "S1", channel: "own", zone: "z1", from: from, to: to, departedAt: Instant(seconds: 0),
                   arrivedAt: nil, completedAt: nil, stopIndex: 1, parcels: 1, outcome: "delivered", utcOffsetSeconds: 0)
    }
}

extension PairCorrections {
    /// The correction of only the `kind` among `keys`.
    func correction(_ kind: Kind, of keys: [(Kind, Int)]) -> Double { correction(keys.filter { $0.0 == kind }) }
}
