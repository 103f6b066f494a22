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

/// The `limit` smallest elements offered so far by `areInIncreasingOrder`, kept in a heap of `limit` (a handful
/// out of a city's riders or orders, without sorting them all).
struct Smallest<Element> {
    private var kept: Heap<Element>
    private let less: (Element, Element) -> Bool
    let limit: Int

    init(_ limit: Int, by areInIncreasingOrder: @escaping (Element, Element) -> Bool) {
        self.limit = limit
        less = areInIncreasingOrder
        kept = Heap { areInIncreasingOrder($1, $0) }  // the worst kept on top
    }

    /// Whether `limit` elements are kept.
    var isFull: Bool { kept.count >= limit }
    /// The largest kept, once full: what a newcomer must beat.
    var worst: Element? { isFull ? kept.first : nil }

    mutating func offer(_ element: Element) {
        guard limit > 0 else { return }
        if kept.count < limit {
            kept.push(element)
        } else if let worst = kept.first, less(element, worst) {
            _ = kept.pop()
            kept.push(element)
        }
    }

    /// The kept elements, smallest first.
    var sorted: [Element] {
        var heap = kept
        var result: [Element] = []
        while let next = heap.pop() { result.append(next) }
        return result.reversed()
    }
}

extension Sequence {
    /// The `count` smallest elements by `areInIncreasingOrder`, smallest first, in one pass (see `Smallest`).
    func smallest(_ count: Int, by areInIncreasingOrder: @escaping (Element, Element) -> Bool) -> [Element] {
        var kept = Smallest(count, by: areInIncreasingOrder)
        for element in self { kept.offer(element) }
        return kept.sorted
    }
}
