/// The cases about each order (its own, and the escalations covering it; a rider's or a zone's are listed under its
/// id too), so an order's screen lists them without a walk of every case of the day (tens of thousands at 2,000
/// riders).
///
/// Kept by `World.apply`; never encoded (`DerivedIndex`): until a decoded world's first event, `World.cases(about:)`
/// walks every case instead.
struct OrderCaseIndex: Sendable, DerivedIndex {
    private var cases: [String: [String]] = [:]
    private(set) var isBuilt = false

    init() {}

    /// The index of `exceptions`, built.
    init(exceptions: IDMap<ExceptionCase>) {
        isBuilt = true
        for exception in exceptions.values {
            note(exception.id, about: [exception.subject] + exception.covering)
        }
    }

    /// Case `id` is about `orders` (an order already listed for it is not listed twice).
    mutating func note(_ id: String, about orders: [String]) {
        guard isBuilt else { return }
        for order in orders where !(cases[order]?.contains(id) ?? false) { cases[order, default: []].append(id) }
    }

    /// The cases about `order`, in the order they were listed (a covering case when it was escalated).
    func cases(about order: String) -> [String] { cases[order] ?? [] }
}
