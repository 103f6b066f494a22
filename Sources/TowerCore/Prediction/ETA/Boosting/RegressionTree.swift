/// One regression tree of a boosted ensemble, grown level by level on binned features: at each node the split
/// with the largest drop of squared error is found from per-bin sums of the residuals (a histogram per feature),
/// within a depth limit and a minimum of rows per leaf. Nodes are kept in flat arrays.
///
/// A categorical feature (a rider) splits into a set of categories and the rest, the way LightGBM does: the node's
/// categories with enough rows are ordered by their mean residual and the best cut of that order is taken, so a
/// tree can say "these riders, in this part of town" without the categories' numbering meaning anything.
struct RegressionTree: Codable, Sendable, Equatable {
    /// Per node: the feature split on (-1 for a leaf), the cut (`value ≤ threshold` goes left), the children, and a
    /// leaf's value.
    var feature: [Int32] = []
    var threshold: [Double] = []
    var left: [Int32] = []
    var right: [Int32] = []
    var value: [Double] = []
    /// Per node split on a category: the bins (`FeatureBins.category`) that go left, as a 256-bit set; empty
    /// otherwise.
    var leftCategories: [[UInt64]] = []

    struct Settings: Sendable {
        var depth = 5
        var minLeaf = 30
        /// L2 penalty on leaf values (in rows): small leaves are shrunk toward zero.
        var lambda = 5.0
        /// A category needs this many rows in a node to be placed by its mean; rarer ones, and unknown ones, go with the
    /// side of more rows.
        var minCategoryRows = 10
    }

    func predict(_ x: [Double]) -> Double {
        var node = 0
        while feature[node] >= 0 {
            let v = x[Int(feature[node])]
            let goesLeft = leftCategories[node].isEmpty ? v <= threshold[node] : RegressionTree.contains(leftCategories[node], FeatureBins.category(v))
            node = Int(goesLeft ? left[node] : right[node])
        }
        return value[node]
    }

    /// Why a prediction could not walk this tree safely (nil: it can): every node's arrays present, a split's feature
    /// one of `features`, its children after it (so every walk ends at a leaf), a category set four words, numbers
    /// finite. Trees read from a file are checked before use.
    func problem(features: Int) -> String? {
        let count = feature.count
        guard count > 0, [threshold.count, left.count, right.count, value.count, leftCategories.count].allSatisfy({ $0 == count }) else {
            return "its node lists differ in length or are empty"
        }
        var parents = [Int](repeating: 0, count: count)
        for node in 0..<count {
            guard threshold[node].isFinite, value[node].isFinite else { return "node \(node): a number that is not finite" }
            guard feature[node] >= 0 else { continue }
            guard Int(feature[node]) < features else { return "node \(node): feature \(feature[node]) of \(features)" }
            guard (node + 1..<count).contains(Int(left[node])), (node + 1..<count).contains(Int(right[node])) else {
                return "node \(node): a child that is not a later node"
            }
            guard leftCategories[node].isEmpty || leftCategories[node].count == 4 else { return "node \(node): a category set of \(leftCategories[node].count) words" }
            parents[Int(left[node])] += 1
            parents[Int(right[node])] += 1
        }
        // A tree: every node but the root is one node's child (shared children would make a prediction's layout grow
        // with the paths, not the nodes).
        if let node = parents.indices.dropFirst().first(where: { parents[$0] != 1 }) {
            return "node \(node): the child of \(parents[node]) nodes, not of one"
        }
        return nil
    }

    static func contains(_ set: [UInt64], _ bin: UInt8) -> Bool { set[Int(bin) >> 6] & (1 << UInt64(bin & 63)) != 0 }

    /// Per node, the bin its threshold is the cut of (0 for a leaf): `splitBins` for `add(to:binned:splitBins:)`.
    func splitBins(_ bins: FeatureBins) -> [UInt8] {
        feature.indices.map { feature[$0] < 0 || !leftCategories[$0].isEmpty ? 0 : bins.bin(threshold[$0], feature: Int(feature[$0])) }
    }

    /// Adds the tree's prediction for each binned row (`FeatureBins.binned`; the same as for its values) to `sums`:
    /// a row whose leaf is known (`leaves`, from growing the tree; -1 where not) takes that leaf's value, and any other
    /// walks the tree on its bins (a row's bins lie side by side, so the walk reads one cache line), with no list of
    /// rows built per node. A row's bins split as its values do, so both ways reach the same leaf.
    func add(to sums: inout [Double], binned: BinnedRows, splitBins: [UInt8], leaves: UnsafeBufferPointer<Int32>? = nil) {
        let stride = binned.features
        feature.withUnsafeBufferPointer { feature in
            binned.bins.withUnsafeBufferPointer { bins in
                sums.withUnsafeMutableBufferPointer { sums in
                    for row in sums.indices {
                        if let leaves, leaves[row] >= 0 {
                            sums[row] += value[Int(leaves[row])]
                            continue
                        }
                        var node = 0
                        while feature[node] >= 0 {
                            let bin = bins[row * stride + Int(feature[node])]
                            let categories = leftCategories[node]
                            let goesLeft = categories.isEmpty ? bin <= splitBins[node] : RegressionTree.contains(categories, bin)
                            node = Int(goesLeft ? left[node] : right[node])
                        }
                        sums[row] += value[node]
                    }
                }
            }
        }
    }

    /// `rows` split by a node's test on `feature`: the bin in `categories` when that is not empty, else bin ≤ `cut`.
    static func split(_ rows: [Int], _ binned: BinnedRows, feature: Int, cut: UInt8, categories: [UInt64]) -> (left: [Int], right: [Int]) {
        var left: [Int] = [], right: [Int] = []
        left.reserveCapacity(rows.count); right.reserveCapacity(rows.count)
        let stride = binned.features
        binned.bins.withUnsafeBufferPointer { bins in
            if categories.isEmpty {
                for row in rows { if bins[row * stride + feature] <= cut { left.append(row) } else { right.append(row) } }
            } else {
                for row in rows { if contains(categories, bins[row * stride + feature]) { left.append(row) } else { right.append(row) } }
            }
        }
        return (left, right)
    }

    /// Per feature and bin, the sum of the residuals and the number of rows of a node (flat: feature × bins), and the
    /// node's sum of residuals (its first feature's bins added up: no pass over the rows).
    private struct Histogram {
        /// A bin's sum and count side by side: adding a row touches one cache line per feature, not two.
        struct Cell {
            var sum = 0.0
            var count: Int32 = 0
        }
        var cells: [Cell]
        var total: Double

        init(binned: BinnedRows, residuals: [Double], rows: [Int]) {
            let slots = FeatureBins.slots, features = binned.features
            var cells = [Cell](repeating: Cell(), count: features * slots)
            // Raw buffers: this loop is most of a tree's cost, and checked, uniquely-owned array stores double it.
            // Each bin adds its rows in their order, as a pass per feature would.
            cells.withUnsafeMutableBufferPointer { cells in
                residuals.withUnsafeBufferPointer { r in
                    binned.bins.withUnsafeBufferPointer { bins in
                        for row in rows {
                            let residual = r[row], base = row * features
                            for f in 0..<features {
                                let k = f * slots + Int(bins[base + f])
                                cells[k].sum += residual
                                cells[k].count += 1
                            }
                        }
                    }
                }
            }
            self.cells = cells
            total = features == 0 ? 0 : cells[..<slots].reduce(0) { $0 + $1.sum }
        }

        func sum(_ k: Int) -> Double { cells[k].sum }
        func count(_ k: Int) -> Int { Int(cells[k].count) }

        /// The parent's histogram less one child's: the other child's, without a pass over its rows.
        func subtracting(_ child: Histogram) -> Histogram {
            var rest = self
            for i in cells.indices { rest.cells[i].sum -= child.cells[i].sum; rest.cells[i].count -= child.cells[i].count }
            rest.total -= child.total
            return rest
        }
    }

    /// Grows a tree on `rows` (indices into the binned rows) fitting `residuals`; leaf values are scaled by `rate`.
    /// A split node's smaller child is counted from its rows and the larger one by subtraction from the parent.
    /// `leaves`, when given (one slot per binned row), gets the leaf each of `rows` ended in, so those rows need not
    /// walk the tree again to be scored (`add(to:binned:splitBins:leaves:)`); the other slots are left as they were.
    init(binned: BinnedRows, bins: FeatureBins, residuals: [Double], rows: [Int], settings: Settings, rate: Double,
         leaves: UnsafeMutableBufferPointer<Int32>? = nil) {
        let binCount = FeatureBins.slots
        // Grown depth first with an explicit stack; each entry is a node to decide, the rows that reach it and their
        // histogram (nil for a node at the depth limit: a leaf, whose sum is taken from its rows).
        var stack: [(node: Int, rows: [Int], depth: Int, histogram: Histogram?)] =
            [(0, rows, 0, Histogram(binned: binned, residuals: residuals, rows: rows))]
        addNode()
        while let (node, members, depth, entry) = stack.popLast() {
            let total = entry?.total ?? members.reduce(0.0) { $0 + residuals[$1] }
            let n = Double(members.count)
            value[node] = rate * total / (n + settings.lambda)
            guard let histogram = entry, depth < settings.depth, members.count >= 2 * settings.minLeaf else {
                RegressionTree.mark(members, leaf: node, in: leaves)
                continue
            }
            let parentScore = total * total / (n + settings.lambda)
            var best: (gain: Double, feature: Int, bin: Int) = (1e-12, -1, 0)
            var bestCategories: [UInt64] = []
            func gain(_ leftSum: Double, _ leftCount: Int) -> Double {
                let rightSum = total - leftSum, rightCount = members.count - leftCount
                return leftSum * leftSum / (Double(leftCount) + settings.lambda)
                    + rightSum * rightSum / (Double(rightCount) + settings.lambda) - parentScore
            }
            for f in bins.categorical {
                // Categories by mean residual; each prefix of that order is a candidate left side.
                let present = (0..<binCount).filter { histogram.count(f * binCount + $0) >= settings.minCategoryRows }
                let ordered = present.sorted {
                    let a = histogram.sum(f * binCount + $0) / Double(histogram.count(f * binCount + $0))
                    let b = histogram.sum(f * binCount + $1) / Double(histogram.count(f * binCount + $1))
                    return (a, $0) < (b, $1)
                }
                var leftSum = 0.0, leftCount = 0
                for (k, b) in ordered.dropLast().enumerated() {
                    leftSum += histogram.sum(f * binCount + b); leftCount += histogram.count(f * binCount + b)
                    guard leftCount >= settings.minLeaf, members.count - leftCount >= settings.minLeaf else { continue }
                    let g = gain(leftSum, leftCount)
                    if g > best.gain {
                        best = (g, f, 0)
                        // Categories the node has too few rows of, and unknown ones, go with the side of more rows.
                        let majorityLeft = 2 * leftCount > members.count
                        bestCategories = [UInt64](repeating: majorityLeft ? .max : 0, count: 4)
                        for c in majorityLeft ? ordered[(k + 1)...] : ordered[...k] { bestCategories[c >> 6] ^= 1 << UInt64(c & 63) }
                    }
                }
            }
            for f in 0..<binned.features where !bins.cuts[f].isEmpty {
                var leftSum = 0.0, leftCount = 0
                for b in 0..<bins.cuts[f].count {
                    leftSum += histogram.sum(f * binCount + b); leftCount += histogram.count(f * binCount + b)
                    let rightCount = members.count - leftCount
                    guard leftCount >= settings.minLeaf else { continue }
                    if rightCount < settings.minLeaf { break }
                    let g = gain(leftSum, leftCount)
                    if g > best.gain { best = (g, f, b); bestCategories = [] }
                }
            }
            guard best.feature >= 0 else {
                RegressionTree.mark(members, leaf: node, in: leaves)
                continue
            }
            let (goLeft, goRight) = RegressionTree.split(members, binned, feature: best.feature, cut: UInt8(best.bin), categories: bestCategories)
            let l = addNode(), r = addNode()
            feature[node] = Int32(best.feature)
            threshold[node] = bestCategories.isEmpty ? bins.cuts[best.feature][best.bin] : 0
            leftCategories[node] = bestCategories
            left[node] = Int32(l); right[node] = Int32(r)
            guard depth + 1 < settings.depth else {
                // Children at the depth limit are leaves: no histogram needed.
                stack.append((r, goRight, depth + 1, nil)); stack.append((l, goLeft, depth + 1, nil))
                continue
            }
            let leftIsSmaller = goLeft.count <= goRight.count
            let small = Histogram(binned: binned, residuals: residuals, rows: leftIsSmaller ? goLeft : goRight)
            let large = histogram.subtracting(small)
            stack.append((r, goRight, depth + 1, leftIsSmaller ? large : small))
            stack.append((l, goLeft, depth + 1, leftIsSmaller ? small : large))
        }
    }

    /// Notes `leaf` as where each of `rows` ended, in `leaves` when it was given.
    private static func mark(_ rows: [Int], leaf: Int, in leaves: UnsafeMutableBufferPointer<Int32>?) {
        guard let leaves else { return }
        for row in rows { leaves[row] = Int32(leaf) }
    }

    @discardableResult
    private mutating func addNode() -> Int {
        feature.append(-1); threshold.append(0); left.append(-1); right.append(-1); value.append(0); leftCategories.append([])
        return feature.count - 1
    }
}
