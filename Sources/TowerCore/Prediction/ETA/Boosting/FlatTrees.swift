/// An ensemble's trees laid out for prediction: every node of every tree in one array of small structs (the split's
/// feature, its children, its cut or leaf value, its category set's place), so a prediction walks contiguous memory
/// with no array per node. The board's outlook predicts every coming leg of every rider (two ensembles of up to 300
/// trees each per leg), so this walk is most of its cost.
///
/// It answers exactly what the trees answer: the same comparisons, and the trees' values summed in the same order.
struct FlatTrees: Sendable, Equatable {
    private struct Node: Sendable, Equatable {
        /// The feature split on; -1 for a leaf.
        var feature: Int32
        var left: Int32
        var right: Int32
        /// Where the node's category set begins in `categoryBits` (four words); -1 for a cut on a value.
        var categories: Int32
        /// The cut (`value ≤ cut` goes left), or a leaf's value.
        var number: Double
    }

    private var nodes: [Node] = []
    private var roots: [Int32] = []
    private var categoryBits: [UInt64] = []

    init(_ trees: [RegressionTree]) {
        for tree in trees {
            let base = Int32(nodes.count)
            roots.append(base)
            for node in tree.feature.indices {
                var categories: Int32 = -1
                if !tree.leftCategories[node].isEmpty {
                    categories = Int32(categoryBits.count)
                    categoryBits += tree.leftCategories[node]
                }
                let leaf = tree.feature[node] < 0
                nodes.append(Node(feature: tree.feature[node], left: leaf ? -1 : base + tree.left[node], right: leaf ? -1 : base + tree.right[node],
                                  categories: categories, number: leaf ? tree.value[node] : tree.threshold[node]))
            }
        }
    }

    func predict(_ x: [Double]) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            categoryBits.withUnsafeBufferPointer { bits in
                x.withUnsafeBufferPointer { x in
                    var sum = 0.0
                    for root in roots {
                        var node = nodes[Int(root)]
                        while node.feature >= 0 {
                            let v = x[Int(node.feature)]
                            let goesLeft: Bool
                            if node.categories < 0 {
                                goesLeft = v <= node.number
                            } else {
                                let bin = FeatureBins.category(v)
                                goesLeft = bits[Int(node.categories) + Int(bin >> 6)] & (1 << UInt64(bin & 63)) != 0
                            }
                            node = nodes[Int(goesLeft ? node.left : node.right)]
                        }
                        sum += node.number
                    }
                    return sum
                }
            }
        }
    }
}
