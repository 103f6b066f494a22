/// A binary min-heap ordered by `areInIncreasingOrder`.
public struct Heap<Element> {
    private var items: [Element] = []
    private let less: (Element, Element) -> Bool

    public init(by areInIncreasingOrder: @escaping (Element, Element) -> Bool) { less = areInIncreasingOrder }

    public var isEmpty: Bool { items.isEmpty }
    public var count: Int { items.count }
    public var first: Element? { items.first }
    /// Every element, in no particular order.
    public var unordered: [Element] { items }

    public mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard less(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    public mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var smallest = parent
            if left < items.count, less(items[left], items[smallest]) { smallest = left }
            if right < items.count, less(items[right], items[smallest]) { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }
}

extension Sequence {
    /// The `count` smallest elements by `areInIncreasingOrder`, smallest first, in one pass with a heap of `count`
    /// (a handful out of a city's riders or orders, without sorting them all).
    func smallest(_ count: Int, by areInIncreasingOrder: @escaping (Element, Element) -> Bool) -> [Element] {
        guard count > 0 else { return [] }
        var kept = Heap<Element> { areInIncreasingOrder($1, $0) }  // the worst kept on top
        for element in self {
            if kept.count < count {
                kept.push(element)
            } else if let worst = kept.first, areInIncreasingOrder(element, worst) {
                _ = kept.pop()
                kept.push(element)
            }
        }
        var result: [Element] = []
        while let next = kept.pop() { result.append(next) }
        return result.reversed()
    }
}
