import Foundation
import TowerCore

/// `tower bench risk`: recall and precision of the at-risk list on simulated days (see `RiskEvaluation`).
enum RiskBench {
    /// Each day twice: ETAs from the travel model, and from the learned model (the default when the scenario names
    /// an `eta_history`: trained on it without per-rider effects, learning online through the day). Each day starts
    /// its lanes' ranges from the model's own spreads; the days after the first are then played again, each starting
    /// from how the ranges spread at the end of the day before (`session.started`'s `ranges`, as a core started with
    /// `--date` takes them from yesterday's journal), and the two compared on those days.
    static func run(scenarioPath: String, seeds: [UInt64]) throws {
        let scenario = try ScenarioLoader.load(directory: scenarioPath)
        let learned = try ETAModelChoice.model(nil, scenario: scenario)
        for (name, model) in [("travel model", nil), ("learned model", learned)] where name == "travel model" || model != nil {
            var total = RiskEvaluation.Sum()
            var days: [RiskEvaluation] = []
            for seed in seeds {
                let day = try RiskEvaluation(scenario: scenario, seed: seed, learned: model)
                total.add(day)
                days.append(day)
                print(String(format: "%@, seed %d: %d late (%d delivered late), %d flagged at 30 min or more (chance ≥ 50%%); recall %.1f%%, precision %.1f%%",
                             name, Int(seed), day.late, day.deliveredLate, day.flagged, day.recall * 100, day.precision * 100))
            }
            print(String(format: "%@, %@, %d days: recall %.1f%% (target ≥ 80%%), precision %.1f%% (target ≥ 50%%); recall of the deliveries made late %.1f%%",
                         scenario.name, name, seeds.count, total.recall * 100, total.precision * 100, total.deliveredRecall * 100))
            print(String(format: "  lanes' P10–P90 against when service began (first attempts, every %d min): ", Int(RiskEvaluation.defaultStep / 60))
                  + coverage(total.ranges))
            guard days.count > 1 else { continue }
            var carried = days[0].learnedRanges
            var fresh = RiskEvaluation.Sum(), followed = RiskEvaluation.Sum()
            for (seed, day) in zip(seeds, days).dropFirst() {
                let next = try RiskEvaluation(scenario: scenario, seed: seed, learned: model, startingRanges: carried)
                carried = next.learnedRanges
                fresh.add(day)
                followed.add(next)
            }
            let morning = String(format: "    of them given before %02d:00: ", RiskEvaluation.morningEnds / 3600)
            print("  days 2-\(days.count), each from the model's own spreads: " + coverage(fresh.ranges))
            print(morning + coverage(fresh.morningRanges))
            print("  days 2-\(days.count), each from the day before's end: " + coverage(followed.ranges))
            print(morning + coverage(followed.morningRanges))
        }
    }

    /// How the lanes' ranges held, pooled and by how far ahead they were given.
    private static func coverage(_ ranges: [RiskEvaluation.RangeCount]) -> String {
        var all = RiskEvaluation.RangeCount()
        for band in ranges { all.add(band) }
        func share(_ count: Int) -> Double { Double(count) / Double(max(1, all.stops)) * 100 }
        let bands = zip(RiskEvaluation.rangeHorizons, ranges).map { horizon, count in
            String(format: "%@ %.1f%% (%d)", horizon.label, count.coverage * 100, count.stops)
        }
        return String(format: "%.1f%% inside, %.1f%% began before the P10, %.1f%% after the P90; by how far ahead: ", all.coverage * 100,
                      share(all.early), share(all.late)) + bands.joined(separator: ", ")
    }
}

extension RiskEvaluation {
    /// Days pooled: the ratios of the summed counts.
    struct Sum {
        var late = 0, flagged = 0, lateAndFlagged = 0, deliveredLate = 0, deliveredLateAndFlagged = 0
        var ranges = RiskEvaluation.rangeHorizons.map { _ in RiskEvaluation.RangeCount() }
        var morningRanges = RiskEvaluation.rangeHorizons.map { _ in RiskEvaluation.RangeCount() }
        mutating func add(_ day: RiskEvaluation) {
            late += day.late; flagged += day.flagged; lateAndFlagged += day.lateAndFlagged
            deliveredLate += day.deliveredLate; deliveredLateAndFlagged += day.deliveredLateAndFlagged
            for band in ranges.indices {
                ranges[band].add(day.ranges[band])
                morningRanges[band].add(day.morningRanges[band])
            }
        }
        var deliveredRecall: Double { deliveredLate == 0 ? 1 : Double(deliveredLateAndFlagged) / Double(deliveredLate) }
        var recall: Double { late == 0 ? 1 : Double(lateAndFlagged) / Double(late) }
        var precision: Double { flagged == 0 ? 1 : Double(lateAndFlagged) / Double(flagged) }
    }
}
