/// The board's log of notable events (failures, breakdowns, traffic, cancellations, re-plans, escalations and
/// decisions), newest first. Resolutions have their own list in the exception pane.
public struct RecentLog: Sendable, Codable {
    public private(set) var lines: [String] = []
    public let capacity: Int

    public init(capacity: Int = 50) { self.capacity = capacity }

    /// Adds a line for `event` if it is worth a dispatcher's attention.
    public mutating func note(_ event: Event, world: World) {
        let time = ISOTime.clock(event.at, offsetSeconds: world.utcOffsetSeconds)
        let text: String
        switch event.body {
        case let .deliveryFailed(rider, order, reason): text = "\(order) failed: \(reason.rawValue) (\(rider))"
        case let .riderBreakdown(rider, _): text = "\(rider) broke down"
        case let .riderRecovered(rider): text = "\(rider) back on the road"
        case let .trafficIncident(_, zone, slowdown, _, note):
            text = "traffic in \(zone): \(Int(slowdown * 100))% speed" + (note.isEmpty ? "" : " · \(note)")
        case let .orderCancelled(order, reason): text = "\(order) cancelled" + (reason.isEmpty ? "" : ": \(reason)")
        case let .orderReassigned(order, from, to, _): text = "\(order) moved \(from) → \(to)"
        case let .orderUnassigned(order, reason): text = "\(order) unassigned: \(reason)"
        case let .orderCreated(order) where order.tier == .critical: text = "critical order \(order.id) arrived"
        case let .exceptionEscalated(id, _, _, _, reason, _): text = "\(id) needs a decision: \(reason)"
        case let .exceptionApproved(id, option, op): text = "\(op) approved \(id) option \(option)"
        case let .exceptionRejected(id, op, _): text = "\(op) rejected \(id)"
        case let .orderPinned(order, rider): text = "\(event.by) put \(order) on \(rider)"
        default: return
        }
        lines.insert(time + " " + text, at: 0)
        if lines.count > capacity { lines.removeLast() }
    }
}
