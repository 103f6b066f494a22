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
}
