/// One regression tree of a boosted ensemble, grown level by level on binned features: at each node the split
/// with the largest drop of squared error is found from per-bin sums of the residuals (a histogram per feature),
/// within a depth limit and a minimum of rows per leaf. Nodes are kept in flat arrays.
struct RegressionTree: Codable, Sendable, Equatable {
    /// Per node: the feature split on (-1 for a leaf), the cut (`value ≤ threshold` goes left), the children, and a
    /// leaf's value.
    var feature: [Int32] = []
    var threshold: [Double] = []
    var left: [Int32] = []
    var right: [Int32] = []
    var value: [Double] = []

    struct Settings: Sendable {
        var depth = 5
        var minLeaf = 30
        /// L2 penalty on leaf values (in rows): small leaves are shrunk toward zero.
        var lambda = 5.0
    }

    func predict(_ x: [Double]) -> Double {
        var node = 0
        while feature[node] >= 0 {
            node = Int(x[Int(feature[node])] <= threshold[node] ? left[node] : right[node])
        }
        return value[node]
    }

    /// Per node, the bin its threshold is the cut of (0 for a leaf): `splitBins` for `predict(_:row:splitBins:)`.
    func splitBins(_ bins: FeatureBins) -> [UInt8] {
        feature.indices.map { feature[$0] < 0 ? 0 : bins.bin(threshold[$0], feature: Int(feature[$0])) }
    }

    /// The prediction for row `row` of binned columns (`FeatureBins.columns`), the same as for its values.
    func predict(_ columns: [[UInt8]], row: Int, splitBins: [UInt8]) -> Double {
        var node = 0
        while feature[node] >= 0 {
            node = Int(columns[Int(feature[node])][row] <= splitBins[node] ? left[node] : right[node])
        }
        return value[node]
    }

    /// Per feature and bin, the sum of the residuals and the number of rows of a node (flat: feature × bins).
    private struct Histogram {
        var sums: [Double]
        var counts: [Int32]

        init(columns: [[UInt8]], residuals: [Double], rows: [Int]) {
            let bins = FeatureBins.maxBins
            sums = [Double](repeating: 0, count: columns.count * bins)
            counts = [Int32](repeating: 0, count: columns.count * bins)
            for f in columns.indices {
                columns[f].withUnsafeBufferPointer { column in
                    residuals.withUnsafeBufferPointer { r in
                        for row in rows {
                            let b = f * bins + Int(column[row])
                            sums[b] += r[row]
                            counts[b] += 1
                        }
                    }
                }
            }
        }

        /// The parent's histogram less one child's: the other child's, without a pass over its rows.
        func subtracting(_ child: Histogram) -> Histogram {
            var rest = self
            for i in sums.indices { rest.sums[i] -= child.sums[i]; rest.counts[i] -= child.counts[i] }
            return rest
        }
    }

    /// Grows a tree on `rows` (indices into the binned columns) fitting `residuals`; leaf values are scaled by `rate`.
    /// A split node's smaller child is counted from its rows and the larger one by subtraction from the parent.
    init(columns: [[UInt8]], bins: FeatureBins, residuals: [Double], rows: [Int], settings: Settings, rate: Double) {
        let binCount = FeatureBins.maxBins
        // Grown depth first with an explicit stack; each entry is a node to decide, the rows that reach it and their
        // histogram.
        var stack: [(node: Int, rows: [Int], depth: Int, histogram: Histogram)] =
            [(0, rows, 0, Histogram(columns: columns, residuals: residuals, rows: rows))]
        addNode()
        while let (node, members, depth, histogram) = stack.popLast() {
            let total = members.reduce(0.0) { $0 + residuals[$1] }
            let n = Double(members.count)
            value[node] = rate * total / (n + settings.lambda)
            guard depth < settings.depth, members.count >= 2 * settings.minLeaf else { continue }
            let parentScore = total * total / (n + settings.lambda)
            var best: (gain: Double, feature: Int, bin: Int) = (1e-12, -1, 0)
            for f in columns.indices where !bins.cuts[f].isEmpty {
                var leftSum = 0.0, leftCount = 0
                for b in 0..<bins.cuts[f].count {
                    leftSum += histogram.sums[f * binCount + b]; leftCount += Int(histogram.counts[f * binCount + b])
                    let rightCount = members.count - leftCount
                    guard leftCount >= settings.minLeaf else { continue }
                    if rightCount < settings.minLeaf { break }
                    let rightSum = total - leftSum
                    let gain = leftSum * leftSum / (Double(leftCount) + settings.lambda)
                        + rightSum * rightSum / (Double(rightCount) + settings.lambda) - parentScore
                    if gain > best.gain { best = (gain, f, b) }
                }
            }
            guard best.feature >= 0 else { continue }
            let column = columns[best.feature]
            var goLeft: [Int] = [], goRight: [Int] = []
            for row in members { if Int(column[row]) <= best.bin { goLeft.append(row) } else { goRight.append(row) } }
            let l = addNode(), r = addNode()
            feature[node] = Int32(best.feature)
            threshold[node] = bins.cuts[best.feature][best.bin]
            left[node] = Int32(l); right[node] = Int32(r)
            guard depth + 1 < settings.depth else {
                // Children at the depth limit are leaves: no histogram needed.
                let empty = Histogram(columns: [], residuals: [], rows: [])
                stack.append((r, goRight, depth + 1, empty)); stack.append((l, goLeft, depth + 1, empty))
                continue
            }
            let leftIsSmaller = goLeft.count <= goRight.count
            let small = Histogram(columns: columns, residuals: residuals, rows: leftIsSmaller ? goLeft : goRight)
            let large = histogram.subtracting(small)
            stack.append((r, goRight, depth + 1, leftIsSmaller ? large : small))
            stack.append((l, goLeft, depth + 1, leftIsSmaller ? small : large))
        }
    }

    @discardableResult
    private mutating func addNode() -> Int {
        feature.append(-1); threshold.append(0); left.append(-1); right.append(-1); value.append(0)
        return feature.count - 1
    }
}
