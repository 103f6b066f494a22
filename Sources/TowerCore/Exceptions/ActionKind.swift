/// The verbs a policy lists as candidate actions for a kind of exception.
public enum ActionKind: String, CaseIterable, Sendable {
    /// Move the order to another rider of the same channel.
    case reassign
    /// Move the order to a rider of another channel (3PL or gig).
    case handoff
    /// Put an order no rider has room for on a rider who takes it once one of its orders not collected yet goes to
    /// another rider (of any channel).
    case makeRoom = "make_room"
    /// Move every order a rider has not picked up yet to other riders.
    case reassignAll = "reassign_all"
    /// Re-order the stops of the rider's route.
    case resequence
    /// Try a failed delivery again before its window ends, and tell the customer when: offered only when a rider
    /// can be back at the door in time (the window is not moved, so the promise is still kept).
    case retry
    /// Move the order to the next delivery slot, tell the customer, and plan it again.
    case nextSlot = "next_slot"
    /// Tell the customer the new window from the current ETA.
    case notify
    /// Tell every customer of the rider's route whose ETA now misses what they were promised.
    case notifyLate = "notify_late"
    /// Ask the rider what is going on (the answer comes back as events).
    case askRider = "ask_rider"
    /// Hand the zone's orders that nobody carries to 3PL or gig riders.
    case handoffZone = "handoff_zone"
    /// The parcel stays with the rider and goes back to its hub at the end of the route.
    case returnToHub = "return_to_hub"
    /// Put an order that no rider may take under the channel rules on the rider fit to carry it at the least cost,
    /// waiving the rule that keeps that rider's channel out (the zones the own fleet keeps to, the orders gig never
    /// takes, a full 3PL wave). The rules are the operation's, and a person may know why today is the exception; the
    /// core never waives them itself: it offers this only to a person, for an order no rider can take, and never
    /// takes it as routine or as an escalation's default. A policy cannot list it.
    case waive
    /// Tell the customers of orders no rider can take that their order cannot come in the window they were last told
    /// and that they will be contacted for a new time (the `cannot_deliver` template). The core offers it on such a case
    /// and takes it when nobody answers by the deadline: a customer told early, over one left waiting for a parcel
    /// that will not come. A policy cannot list it (a case is put to a person once; listed, it would be told again
    /// at every scan).
    case cannotDeliver = "cannot_deliver"
    /// Do nothing; keep watching.
    case none

    /// Whether a policy may list it among a kind's actions or name it as a default: every action but the two the
    /// core offers only on an order no rider can take (`waive`, `cannotDeliver`).
    public var isListable: Bool { self != .waive && self != .cannotDeliver }
}
