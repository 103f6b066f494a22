/// An operator's last decision and the part of the city it acted on, as it was just before: what `decision.undone`
/// needs to tell whether the decision can still be taken back and to put things back.
///
/// Kept in the world (one per operator, replaced by their next decision), so a restart that replays the journal
/// can undo as well as the run that made the decision.
public struct OperatorDecision: Hashable, Sendable, Codable {
    public enum Kind: Hashable, Sendable, Codable {
        case approved(exception: String, option: Int)
        case rejected(exception: String)
        case pinned(order: String, rider: String)
    }

    /// An order as the decision found it.
    public struct Before: Hashable, Sendable, Codable {
        public var rider: String?
        public var status: OrderStatus
        public var window: TimeWindow
        public var pinnedRider: String?
        public var notifiedAt: Instant?
    }

    /// The decision's event id.
    public var id: String
    public var at: Instant
    public var kind: Kind
    public var orders: [String: Before]
    /// The routes of the riders it could change, stop by stop.
    public var routes: [String: [Stop]]
    public var undone = false
}

extension World {
    /// How long after a decision its operator may still undo it (simulated seconds; a board holds its clock at
    /// ×1 meanwhile, so this is two minutes of a person's time).
    public static let undoWindow: Int64 = 120

    /// Notes a decision by an operator before it is applied: the orders and routes it may change.
    mutating func noteDecision(_ event: Event) {
        let kind: OperatorDecision.Kind
        let who: String
        var subjects: [String?] = []
        switch event.body {
        case let .exceptionApproved(id, option, op):
            guard let exception = exceptions[id] else { return }
            kind = .approved(exception: id, option: option)
            who = op
            subjects.append(exception.subject)
            if exception.options.indices.contains(option - 1) {
                let remedy = exception.options[option - 1].action
                subjects += [remedy.subject, remedy.target]
            }
        case let .exceptionRejected(id, op, _):
            kind = .rejected(exception: id)
            who = op
        case let .orderPinned(order, rider):
            kind = .pinned(order: order, rider: rider)
            who = event.by
            subjects += [order, rider]
        default:
            return
        }
        // An order and its rider, a rider, or a zone's orders waiting for a rider; then every order on those routes.
        var touchedRiders: Set<String> = []
        var touchedOrders: Set<String> = []
        for subject in subjects.compactMap({ $0 }) {
            if let order = orders[subject] {
                touchedOrders.insert(subject)
                if let rider = order.rider { touchedRiders.insert(rider) }
            } else if riders[subject] != nil {
                touchedRiders.insert(subject)
            } else if zones[subject] != nil {
                touchedOrders.formUnion(orderIDs.filter { orders[$0]?.zone == subject && orders[$0]?.rider == nil && orders[$0]?.status == .open })
            }
        }
        for rider in touchedRiders { touchedOrders.formUnion((routes[rider]?.stops ?? []).map(\.order)) }
        var before: [String: OperatorDecision.Before] = [:]
        for id in touchedOrders {
            guard let order = orders[id] else { continue }
            before[id] = .init(rider: order.rider, status: order.status, window: order.window, pinnedRider: order.pinnedRider, notifiedAt: order.notifiedAt)
        }
        lastDecisions[who] = OperatorDecision(id: event.id, at: event.at, kind: kind, orders: before,
                                              routes: Dictionary(uniqueKeysWithValues: touchedRiders.map { ($0, routes[$0]?.stops ?? []) }))
    }

    /// Why `operator`'s decision `id` cannot be undone at `now`; nil when it can.
    public func undoRefusal(of id: String, by op: String, at now: Instant) -> String? {
        guard let decision = lastDecisions[op], decision.id == id else {
            return "\(id) is not the last decision of \(op)"
        }
        if decision.undone { return "\(id) was undone already" }
        if now - decision.at > World.undoWindow {
            return "\(id) was made more than \(World.undoWindow / 60) minutes ago"
        }
        for (orderID, before) in decision.orders.sorted(by: { $0.key < $1.key }) {
            guard let order = orders[orderID] else { continue }
            if order.status != before.status, order.status != .assigned, order.status != .open {
                return "\(orderID) is \(order.status.rawValue.replacingOccurrences(of: "_", with: " ")) since"
            }
            if order.notifiedAt != before.notifiedAt { return "the customer of \(orderID) has been sent a message since" }
            if order.rider != before.rider, let rider = before.rider, let status = riders[rider]?.status,
               status != .idle, status != .driving {
                return "\(rider), who had \(orderID), is \(status.rawValue.replacingOccurrences(of: "_", with: " ")) now"
            }
        }
        return nil
    }
}
