extension Sequence {
    /// The first `k` elements in `areInIncreasingOrder`, sorted; one pass and a small sorted window, so a pane
    /// showing the latest dozen of thousands of cases does not sort them all every frame.
    func first(_ k: Int, by areInIncreasingOrder: (Element, Element) -> Bool) -> [Element] {
        guard k > 0 else { return [] }
        var window: [Element] = []
        window.reserveCapacity(k + 1)
        for element in self {
            if window.count == k, let last = window.last, !areInIncreasingOrder(element, last) { continue }
            let index = window.firstIndex { areInIncreasingOrder(element, $0) } ?? window.count
            window.insert(element, at: index)
            if window.count > k { window.removeLast() }
        }
        return window
    }
}
