/// The `type` of a journal line, one case per `EventBody` case: the one place the format's type names are written.
/// The codec reads a line's type into this before its fields, so an unknown type is refused by name, and its
/// switch over the cases is exhaustive: a new event type cannot be half added.
public enum EventType: String, CaseIterable, Sendable, CustomStringConvertible {
    case sessionStarted = "session.started"
    case zoneDefined = "zone.defined"
    case hubDefined = "hub.defined"
    case riderRegistered = "rider.registered"
    case channelsDefined = "channels.defined"
    case orderCreated = "order.created"
    case orderUpdated = "order.updated"
    case orderCancelled = "order.cancelled"
    case shiftStarted = "rider.shift_started"
    case shiftEnded = "rider.shift_ended"
    case riderPosition = "rider.position"
    case stopArrived = "stop.arrived"
    case pickupDone = "pickup.done"
    case deliveryDone = "delivery.done"
    case deliveryFailed = "delivery.failed"
    case trafficIncident = "traffic.incident"
    case riderBreakdown = "rider.breakdown"
    case riderRecovered = "rider.recovered"
    case orderPinned = "order.pinned"
    case orderAssigned = "order.assigned"
    case orderReassigned = "order.reassigned"
    case orderUnassigned = "order.unassigned"
    case routePlanned = "route.planned"
    case customerNotified = "customer.notified"
    case exceptionRaised = "exception.raised"
    case exceptionAutoResolved = "exception.auto_resolved"
    case exceptionEscalated = "exception.escalated"
    case exceptionApproved = "exception.approved"
    case exceptionRejected = "exception.rejected"
    case exceptionDefaulted = "exception.defaulted"
    case decisionUndone = "decision.undone"
    case checkpoint = "core.checkpoint"
    case etaRetrained = "eta.retrained"

    /// What an event of this type is: a fact from a feed, the simulation or a person at a board (an input), or
    /// something only the core itself writes: its decisions and its bookkeeping.
    public enum Origin: Sendable { case input, decision, bookkeeping }

    public var origin: Origin {
        switch self {
        case .orderAssigned, .orderReassigned, .orderUnassigned, .routePlanned, .customerNotified, .exceptionRaised,
             .exceptionAutoResolved, .exceptionEscalated, .exceptionDefaulted:
            return .decision
        case .checkpoint, .etaRetrained:
            return .bookkeeping
        case .sessionStarted, .zoneDefined, .hubDefined, .riderRegistered, .channelsDefined, .orderCreated, .orderUpdated,
             .orderCancelled, .shiftStarted, .shiftEnded, .riderPosition, .stopArrived, .pickupDone, .deliveryDone, .deliveryFailed,
             .trafficIncident, .riderBreakdown, .riderRecovered, .orderPinned, .exceptionApproved, .exceptionRejected, .decisionUndone:
            return .input
        }
    }

    /// The journal's name (`order.created`), also in string interpolation.
    public var description: String { rawValue }
}
