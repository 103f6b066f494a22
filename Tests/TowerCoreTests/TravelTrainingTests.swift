import Testing
@testable import TowerCore

@Suite struct TravelTrainingTests {
    /// Held-out misses (seconds) of `days` days of twenty legs: `without` from a seeded spread; `with` the same less
    /// `gain` a leg, and on every other day `swing` seconds more a leg, on the others `swing` less (days that
    /// disagree).
    static func misses(gain: Double, swing: Double, days: Int = 10) -> (with: [Double], without: [Double], days: [Int]) {
        var random = SeededRandom(seed: 4, stream: "travel-training")
        var with: [Double] = [], without: [Double] = [], day: [Int] = []
        for d in 0..<days {
            for _ in 0..<20 {
                let miss = 60 + 120 * random.unit()
                without.append(miss)
                with.append(miss - gain + (d % 2 == 0 ? swing : -swing))
                day.append(d)
            }
        }
        return (with, without, day)
    }

    /// The shape stays when it misses the held-out days by less by more than a standard error of the days' mean;
    /// not when it is no better, when what it gains is within a standard error, or when one day is all the evidence.
    @Test func keepsTheShapeOnlyWhenTheHeldOutDaysClearlyGain() {
        let clear = Self.misses(gain: 10, swing: 5)
        #expect(TravelTraining.helps(clear.with, over: clear.without, days: clear.days))
        #expect(!TravelTraining.helps(clear.without, over: clear.with, days: clear.days))
        let same = Self.misses(gain: 0, swing: 0)
        #expect(!TravelTraining.helps(same.with, over: same.without, days: same.days))
        let noisy = Self.misses(gain: 1, swing: 20)
        #expect(!TravelTraining.helps(noisy.with, over: noisy.without, days: noisy.days))
        // Days 10 s apart either way: a standard error of the mean of ten is 3.3 s.
        let within = Self.misses(gain: 3, swing: 10)
        #expect(!TravelTraining.helps(within.with, over: within.without, days: within.days))
        let beyond = Self.misses(gain: 5, swing: 10)
        #expect(TravelTraining.helps(beyond.with, over: beyond.without, days: beyond.days))
        let oneDay = Self.misses(gain: 10, swing: 5, days: 1)
        #expect(!TravelTraining.helps(oneDay.with, over: oneDay.without, days: oneDay.days))
    }

    /// The held-out slice starts at a leg, not at midnight, so its first day can be a handful of legs. Weighed as a
    /// whole day, a few legs that went the other way hid a clear gain (a synthetic history's 37 legs at +30 s a leg
    /// against seven days of 166–430 legs at +1 to −14 s); weighed by their legs, they do not.
    @Test func aFewLegsOfADayDoNotWeighAsAWholeDay() {
        let full = Self.misses(gain: 8, swing: 3, days: 8)
        let partial = (with: [Double](repeating: 130, count: 3), without: [Double](repeating: 100, count: 3))
        let with = partial.with + full.with, without = partial.without + full.without
        let days = [Int](repeating: -1, count: 3) + full.days
        #expect(TravelTraining.helps(with, over: without, days: days))
        // A whole day that went the other way is evidence: the same day at the others' twenty legs stops it.
        let whole = (with: [Double](repeating: 130, count: 20), without: [Double](repeating: 100, count: 20))
        #expect(!TravelTraining.helps(whole.with + full.with, over: whole.without + full.without,
                                      days: [Int](repeating: -1, count: 20) + full.days))
    }
}
