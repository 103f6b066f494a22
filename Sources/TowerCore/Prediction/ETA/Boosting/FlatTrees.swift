/// An ensemble's trees laid out for prediction: every node of every tree in one array of 16-byte structs, each tree
/// in preorder so a node's left child is the node after it (often in the same cache line) and only the right child's
/// place is stored. The board's outlook predicts every coming leg of every rider (two ensembles of up to 300 trees
/// each per leg), so this walk is most of its cost.
///
/// It answers exactly what the trees answer: the same comparisons, and the trees' values summed in the same order.
struct FlatTrees: Sendable, Equatable {
    private struct Node: Sendable, Equatable {
        /// What the node is: `leaf`, a cut on feature `kind` (≥ 0), or a category set on feature `-2 - kind` (≤ -2).
        var kind: Int32
        /// Where the right child is (the left one is the next node); unused in a leaf.
        var right: Int32
        /// The cut (`value ≤ cut` goes left), a category set's first word in `categoryBits`, or a leaf's value.
        var number: Double

        static let leaf: Int32 = -1
    }

    private var nodes: [Node] = []
    private var roots: [Int32] = []
    private var categoryBits: [UInt64] = []

    init(_ trees: [RegressionTree]) {
        for tree in trees {
            roots.append(Int32(nodes.count))
            append(tree)
        }
    }

    /// Lays out `tree` in preorder: a node, its left subtree, then its right one (whose place the node is told once
    /// it is reached). A stack, not recursion: a tree read from a file may be a chain as long as its node count.
    private mutating func append(_ tree: RegressionTree) {
        var pending: [(node: Int, parent: Int?)] = [(0, nil)]
        while let (node, parent) = pending.popLast() {
            if let parent { nodes[parent].right = Int32(nodes.count) }
            let feature = tree.feature[node]
            guard feature >= 0 else {
                nodes.append(Node(kind: Node.leaf, right: -1, number: tree.value[node]))
                continue
            }
            if tree.leftCategories[node].isEmpty {
                nodes.append(Node(kind: feature, right: -1, number: tree.threshold[node]))
            } else {
                nodes.append(Node(kind: -2 - feature, right: -1, number: Double(categoryBits.count)))
                categoryBits += tree.leftCategories[node]
            }
            pending.append((Int(tree.right[node]), nodes.count - 1))
            pending.append((Int(tree.left[node]), nil))
        }
    }

    func predict(_ x: [Double]) -> Double {
        nodes.withUnsafeBufferPointer { nodes in
            categoryBits.withUnsafeBufferPointer { bits in
                x.withUnsafeBufferPointer { x in
                    var sum = 0.0
                    for root in roots {
                        var index = Int(root)
                        var node = nodes[index]
                        while node.kind != Node.leaf {
                            let goesLeft: Bool
                            if node.kind >= 0 {
                                goesLeft = x[Int(node.kind)] <= node.number
                            } else {
                                let bin = FeatureBins.category(x[Int(-2 - node.kind)])
                                goesLeft = bits[Int(node.number) + Int(bin >> 6)] & (1 << UInt64(bin & 63)) != 0
                            }
                            index = goesLeft ? index + 1 : Int(node.right)
                            node = nodes[index]
                        }
                        sum += node.number
                    }
                    return sum
                }
            }
        }
    }
}
