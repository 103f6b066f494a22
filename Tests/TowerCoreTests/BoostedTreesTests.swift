import Foundation
import Testing
@testable import TowerCore

@Suite struct BoostedTreesTests {
    /// Rows of two uniform features and a third that is noise, with an interaction no sum of per-feature effects
    /// can express: 1 in the top-right quarter, else 0, plus noise.
    static func rows(_ count: Int, seed: UInt64) -> (x: [[Double]], y: [Double]) {
        var random = SeededRandom(seed: seed)
        var x: [[Double]] = [], y: [Double] = []
        for _ in 0..<count {
            let row = [random.unit(), random.unit(), random.unit()]
            x.append(row)
            y.append((row[0] > 0.5 && row[1] > 0.5 ? 1 : 0) + 0.1 * random.normal())
        }
        return (x, y)
    }

    static func meanAbsoluteError(_ predict: ([Double]) -> Double, _ data: (x: [[Double]], y: [Double])) -> Double {
        zip(data.x, data.y).reduce(0) { $0 + abs(predict($1.0) - $1.1) } / Double(data.x.count)
    }

    @Test func learnsAnInteractionALinearModelCannot() throws {
        let train = Self.rows(4000, seed: 1), valid = Self.rows(1000, seed: 2), test = Self.rows(2000, seed: 3)
        let trees = BoostedTrees(rows: train.x, targets: train.y, validation: (valid.x, valid.y))
        let linear = try RidgeRegression(rows: train.x.map { [1] + $0 }, targets: train.y)
        let treeError = Self.meanAbsoluteError(trees.predict, test)
        let linearError = Self.meanAbsoluteError({ linear.predict([1] + $0) }, test)
        // The noise alone is 0.08 (0.1 × √(2/π)); a linear fit of the quarter is off by far more.
        #expect(treeError < 0.1, "trees: \(treeError)")
        #expect(linearError > 0.25, "linear: \(linearError)")
        #expect(trees.rounds > 0 && trees.rounds < BoostedTrees.Settings().rounds, "stopped early at \(trees.rounds) rounds")
    }

    /// What training hands back for its rows is exactly what the kept trees predict for them, past the rounds it
    /// grew beyond the best (the early-stopping patience) as well.
    @Test func theFitsSumsAreTheKeptTreesPredictions() {
        let train = Self.rows(3000, seed: 4), valid = Self.rows(800, seed: 5)
        let fit = BoostedTrees.fit(rows: train.x, targets: train.y, validation: (valid.x, valid.y))
        #expect(fit.trees.rounds > 0 && fit.trees.rounds < BoostedTrees.Settings().rounds, "stopped early at \(fit.trees.rounds) rounds")
        #expect(fit.fitted == train.x.map(fit.trees.predict))
        #expect(fit.heldOut == valid.x.map(fit.trees.predict))
        var settings = BoostedTrees.Settings()
        settings.rounds = 7
        let fixed = BoostedTrees.fit(rows: train.x, targets: train.y, validation: ([], []), settings: settings)
        #expect(fixed.trees.rounds == 7 && fixed.fitted == train.x.map(fixed.trees.predict) && fixed.heldOut.isEmpty)
    }

    @Test func pureNoiseStopsAtOnceAndTheSameSeedGrowsTheSameTrees() {
        var random = SeededRandom(seed: 9)
        let x = (0..<2000).map { _ in [random.unit(), random.unit()] }
        let y = x.map { _ in random.normal() }
        let validX = (0..<500).map { _ in [random.unit(), random.unit()] }
        let validY = validX.map { _ in random.normal() }
        let trees = BoostedTrees(rows: x, targets: y, validation: (validX, validY))
        #expect(trees.rounds <= 5, "nothing to learn, yet \(trees.rounds) rounds kept")
        let again = BoostedTrees(rows: x, targets: y, validation: (validX, validY))
        #expect(again == trees)
    }

    @Test func binsCutAtQuantilesAndSplitsReadTheCuts() {
        let values = (0..<1000).map { [Double($0)] }
        let bins = FeatureBins(rows: values)
        #expect(bins.cuts[0].count == FeatureBins.maxBins - 1)
        #expect(bins.bin(-5, feature: 0) == 0)
        #expect(bins.bin(bins.cuts[0][3], feature: 0) == 3, "a value on a cut is in the bin that cut closes")
        #expect(Int(bins.bin(5000, feature: 0)) == bins.cuts[0].count)
        let constant = FeatureBins(rows: Array(repeating: [7.0], count: 100))
        #expect(constant.cuts[0].isEmpty, "one value: nothing to split")
    }

    /// Forty categories (riders) of which an arbitrary eleven are slower, but only where the second feature is
    /// high: a set split on the category finds them whatever their numbering, where a cut on the index cannot.
    @Test func categoriesSplitAsSetsWhateverTheirNumbering() throws {
        let slow: Set<Int> = [3, 7, 8, 15, 16, 22, 23, 29, 31, 36, 38]
        func rows(_ count: Int, seed: UInt64) -> (x: [[Double]], y: [Double]) {
            var random = SeededRandom(seed: seed)
            var x: [[Double]] = [], y: [Double] = []
            for _ in 0..<count {
                let category = Int(random.unit() * 40), place = random.unit()
                x.append([Double(category), place])
                y.append((slow.contains(category) && place > 0.5 ? 1 : 0) + 0.1 * random.normal())
            }
            return (x, y)
        }
        let train = rows(6000, seed: 1), valid = rows(1500, seed: 2), test = rows(2000, seed: 3)
        let asSet = BoostedTrees(rows: train.x, targets: train.y, validation: (valid.x, valid.y), categorical: [0])
        var numeric = BoostedTrees.Settings()
        numeric.rounds = asSet.rounds  // as many trees, cutting the index as a number
        let asNumber = BoostedTrees(rows: train.x, targets: train.y, validation: ([], []), settings: numeric)
        let setError = Self.meanAbsoluteError(asSet.predict, test), numberError = Self.meanAbsoluteError(asNumber.predict, test)
        #expect(setError < 0.1, "as a set: \(setError)")
        #expect(setError < 0.8 * numberError, "as a set \(setError), as a number \(numberError)")
        // An unknown category (-1, or one never seen) goes with the rest, and binned scoring agrees with the values.
        #expect(abs(asSet.predict([-1, 0.9])) < 0.2 && abs(asSet.predict([400, 0.9])) < 0.2)
        let binned = asSet.bins.binned(test.x)
        for tree in asSet.trees.prefix(5) {
            var sums = [Double](repeating: 0, count: test.x.count)
            tree.add(to: &sums, binned: binned, splitBins: tree.splitBins(asSet.bins))
            #expect(sums == test.x.map(tree.predict))
        }
        // The flat layout predicts with exactly the trees' sum, in their order (a decision timed by it must not move),
        // and so does a model read back from its file form.
        let reread = try JSONDecoder().decode(BoostedTrees.self, from: JSONEncoder().encode(asSet))
        for x in test.x.prefix(500) + [[-1, 0.9], [400, 0.9], [.nan, 0.5]] {
            let sum = asSet.trees.reduce(0) { $0 + $1.predict(x) }
            #expect(asSet.predict(x) == sum && reread.predict(x) == sum)
        }
    }
}
