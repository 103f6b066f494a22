/// The orders an exception scan looks at, found without a walk of the day's: the live orders (open, assigned or
/// picked up) by the slot of time their window ends in, and the critical orders waiting for a rider, each listed
/// in the order the orders were created (`World.orderIDs`), so a scan finds its cases in the order a walk of every
/// order would. At 2,000 riders the day holds 40,000 orders and a scan's troubles lie among the few hundred whose
/// windows are ending.
///
/// Kept by `World.putOrder` and `World.noteOrder`. Never encoded (`DerivedIndex`): until a decoded world's first
/// `apply` builds it, `World.ordersToScan` lists every order, which the scan filters to the same result.
struct DueOrderIndex: Sendable, DerivedIndex {
    /// Each order's place in creation order.
    private var positions: [String: Int] = [:]
    /// The live orders by `slot` of their window's end.
    private var live: [Int64: Set<String>] = [:]
    /// Open critical orders with no rider: their wait is a case whatever their window.
    private var criticalWaiting: Set<String> = []
    private(set) var isBuilt = false

    /// Seconds of window end per slot: a scan takes whole slots and looks at each order's own end.
    static let slotSeconds: Int64 = 300

    init() {}

    /// The index of `orderIDs` and their `orders`, built.
    init(orderIDs: [String], orders: IDMap<Order>) {
        isBuilt = true
        for id in orderIDs {
            note(id)
            orders.withValue(id) { update(from: nil, to: $0) }
        }
    }

    /// A new order's place, after the orders created before it.
    mutating func note(_ id: String) {
        guard isBuilt, positions[id] == nil else { return }
        positions[id] = positions.count
    }

    /// Follows an order from its last state (`old`, nil when new) to `new`. Changes nothing when neither its slot nor
    /// its wait for a rider changed, so a draft that gives an order a rider shares the index with its world.
    mutating func update(from old: Order?, to new: Order) {
        guard isBuilt else { return }
        let (was, now) = (old.flatMap(Self.slot), Self.slot(new))
        if was != now {
            if let was {
                live[was]?.remove(new.id)
                if live[was]?.isEmpty == true { live[was] = nil }
            }
            if let now { live[now, default: []].insert(new.id) }
        }
        let (waited, waits) = (old.map(Self.waitsCritical) ?? false, Self.waitsCritical(new))
        if waited != waits {
            if waits { criticalWaiting.insert(new.id) } else { criticalWaiting.remove(new.id) }
        }
    }

    /// The live orders whose window ends in a slot up to `time`'s (so every one ending by `time`, and a few ending
    /// in the rest of its slot) and the critical orders waiting for a rider, in creation order.
    func orders(endingBy time: Instant) -> [String] {
        let last = Self.slot(ofEnd: time)
        var found = criticalWaiting
        for (slot, ids) in live where slot <= last { found.formUnion(ids) }
        return found.compactMap { id in positions[id].map { ($0, id) } }.sorted { $0.0 < $1.0 }.map(\.1)
    }

    private static func slot(ofEnd time: Instant) -> Int64 {
        let (quotient, remainder) = time.seconds.quotientAndRemainder(dividingBy: slotSeconds)
        return remainder < 0 ? quotient - 1 : quotient
    }

    private static func slot(_ order: Order) -> Int64? { order.status.isLive ? slot(ofEnd: order.window.end) : nil }

    private static func waitsCritical(_ order: Order) -> Bool { order.status == .open && order.rider == nil && order.tier == .critical }
}
