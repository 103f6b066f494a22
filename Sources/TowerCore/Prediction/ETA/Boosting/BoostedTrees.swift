/// Gradient-boosted regression trees for squared error: each round fits a tree to what the rounds before it
/// left unexplained, on a seeded sample of the rows, and adds it shrunk by the learning rate; training stops when
/// the error on a held-out slice has not improved for `patience` rounds, and keeps the rounds up to its best.
public struct BoostedTrees: Codable, Sendable, Equatable {
    var bins: FeatureBins
    var trees: [RegressionTree]
    /// The trees laid out for prediction (not stored: built from `trees`).
    private var flat = FlatTrees([])

    public struct Settings: Sendable {
        public var rounds = 300
        public var learningRate = 0.1
        public var patience = 20
        /// The share of rows each tree is grown on.
        public var sample = 0.8
        var tree = RegressionTree.Settings()
        public init() {}
    }

    public var rounds: Int { trees.count }

    /// The sum of the trees' predictions, in their order.
    public func predict(_ x: [Double]) -> Double { flat.predict(x) }

    private enum CodingKeys: String, CodingKey { case bins, trees }

    /// The number of features a row has (what the trees were trained on).
    public var features: Int { bins.cuts.count }

    /// Refuses trees a prediction could not walk safely (a file is input): see `RegressionTree.problem(features:)`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        bins = try container.decode(FeatureBins.self, forKey: .bins)
        trees = try container.decode([RegressionTree].self, forKey: .trees)
        guard bins.categorical.allSatisfy({ (0..<bins.cuts.count).contains($0) }) else {
            throw DecodingError.dataCorruptedError(forKey: .bins, in: container, debugDescription: "a categorical feature beyond the features")
        }
        for (index, tree) in trees.enumerated() {
            if let problem = tree.problem(features: bins.cuts.count) {
                throw DecodingError.dataCorruptedError(forKey: .trees, in: container, debugDescription: "tree \(index + 1): \(problem)")
            }
        }
        flat = FlatTrees(trees)
    }

    /// Fits `targets` from `rows`, stopping early on the held-out `validation` (rows and targets).
    /// `categorical`: the features that are categories (an index, -1 when unknown).
    public init(rows: [[Double]], targets: [Double], validation: (rows: [[Double]], targets: [Double]), categorical: Set<Int> = [],
                settings: Settings = Settings(), seed: UInt64 = 1) {
        self = BoostedTrees.fit(rows: rows, targets: targets, validation: validation, categorical: categorical, settings: settings, seed: seed).trees
    }

    private init(bins: FeatureBins, trees: [RegressionTree]) {
        self.bins = bins
        self.trees = trees
        flat = FlatTrees(trees)
    }

    /// Trained trees with what they predict for the training rows and the validation rows, in their order (equal to
    /// `predict` on each: training has these sums at hand, and a caller needing them saves a pass over every tree).
    public struct Fit: Sendable {
        public var trees: BoostedTrees
        public var fitted: [Double]
        public var heldOut: [Double]
    }

    /// `init(rows:targets:validation:categorical:settings:seed:)`, with the predictions it made along the way.
    public static func fit(rows: [[Double]], targets: [Double], validation: (rows: [[Double]], targets: [Double]), categorical: Set<Int> = [],
                           settings: Settings = Settings(), seed: UInt64 = 1) -> Fit {
        let bins = FeatureBins(rows: rows, categorical: categorical)
        var trees: [RegressionTree] = []
        guard !rows.isEmpty else {
            return Fit(trees: BoostedTrees(bins: bins, trees: []), fitted: [], heldOut: [Double](repeating: 0, count: validation.rows.count))
        }
        let binned = bins.binned(rows), heldBinned = bins.binned(validation.rows)
        var fitted = [Double](repeating: 0, count: rows.count)
        var heldOut = [Double](repeating: 0, count: validation.rows.count)
        // The sums as they stood after the best round so far (the rounds after it are dropped at the end).
        var best = (fitted: fitted, heldOut: heldOut)
        var residuals = targets
        var random = SeededRandom(seed: seed, stream: "boosting")
        // Each round, the leaf every sampled row ended in (-1 for the rows left out): they are scored without a walk.
        var leaves = [Int32](repeating: -1, count: rows.count)
        var bestLoss = validation.targets.isEmpty ? -Double.infinity : validation.targets.reduce(0) { $0 + $1 * $1 }
        var bestRounds = 0
        for _ in 0..<settings.rounds {
            for i in rows.indices { residuals[i] = targets[i] - fitted[i] }
            let sample = rows.indices.filter { _ in random.unit() < settings.sample }
            let tree = leaves.withUnsafeMutableBufferPointer { leaves in
                for i in leaves.indices { leaves[i] = -1 }
                return RegressionTree(binned: binned, bins: bins, residuals: residuals, rows: sample, settings: settings.tree,
                                      rate: settings.learningRate, leaves: leaves)
            }
            trees.append(tree)
            // Rows are scored on their bins, which split exactly as their values do (a value is at most a cut
            // exactly when its bin is at most the cut's), without reading a row of doubles per row.
            let cuts = tree.splitBins(bins)
            leaves.withUnsafeBufferPointer { tree.add(to: &fitted, binned: binned, splitBins: cuts, leaves: $0) }
            guard !validation.rows.isEmpty else { bestRounds = trees.count; continue }
            tree.add(to: &heldOut, binned: heldBinned, splitBins: cuts)
            var loss = 0.0
            for i in validation.rows.indices {
                let error = validation.targets[i] - heldOut[i]
                loss += error * error
            }
            if loss < bestLoss {
                bestLoss = loss
                bestRounds = trees.count
                best = (fitted, heldOut)
            } else if trees.count - bestRounds >= settings.patience {
                break
            }
        }
        if bestRounds < trees.count {
            trees.removeLast(trees.count - bestRounds)
            (fitted, heldOut) = best
        }
        return Fit(trees: BoostedTrees(bins: bins, trees: trees), fitted: fitted, heldOut: heldOut)
    }
}
