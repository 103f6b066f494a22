/// How the core handles exceptions: when each detector fires, which actions may resolve each kind, when a case
/// is routine (resolved at once) or ambiguous (escalated), and what the customer is told.
///
/// `Policy.standard` is the built-in policy; `sample-data/policy.conf` writes the same values out and documents the
/// format, which `PolicyParser` reads.
public struct Policy: Sendable {
    /// When the best action of a case may be taken without asking anyone.
    public enum Routine: String, CaseIterable, Sendable {
        /// The best action keeps every promised window it touches and costs no more than the limit.
        case slaAndCost = "sla_and_cost"
        /// The best action costs no more than the limit, even if a window is lost anyway (for example a late order).
        case cost
        /// Always escalate.
        case never
    }

    /// The option taken when an escalation's deadline passes without a decision.
    public enum DefaultChoice: Hashable, Sendable {
        case best
        case none
        case action(ActionKind)
    }

    public struct Rule: Sendable {
        public var enabled = true
        public var actions: [ActionKind]
        public var routine: Routine
        public var defaultChoice: DefaultChoice
        /// Seconds an escalation waits for a decision; nil: the general deadline.
        public var deadline: Int64?
        /// Seconds after a case of this kind and subject is resolved before another can be raised.
        public var cooldown: Int64

        public init(actions: [ActionKind], routine: Routine, defaultChoice: DefaultChoice = .best, deadline: Int64? = nil, cooldown: Int64 = 30 * 60) {
            self.actions = actions; self.routine = routine; self.defaultChoice = defaultChoice
            self.deadline = deadline; self.cooldown = cooldown
        }
    }

    /// Detector thresholds.
    public struct Thresholds: Sendable {
        /// Raise `predicted_late` when the predicted arrival is more than this many seconds past the promised window.
        /// Zero by default: an order predicted a minute or two late is the one a resequence or another rider can
        /// still save (a 5-minute margin left those alone and they arrived late); the case's cooldown keeps an
        /// ETA that wavers around the window's end from raising it again and again.
        public var predictedLate: Int64 = 0
        public var stalled: Int64 = 15 * 60
        public var offline: Int64 = 10 * 60
        public var offRouteKm = 1.5
        /// How far outside its zones a rider may be before `geofence_exit`.
        public var geofenceMarginKm = 0.5
        public var criticalWaiting: Int64 = 10 * 60
        /// How long an order may stay without a rider before `unassigned_order` (once its window closes within the capacity horizon).
        public var unassigned: Int64 = 0
        /// How far ahead `capacity_shortfall` looks at the orders due.
        public var capacityHorizon: Int64 = 2 * 3600
    }

    /// An action costing more than this (in cost units, the planner's currency) is escalated.
    public var costLimit = 40.0
    /// Seconds an escalation waits for a decision, unless its kind says otherwise.
    public var deadline: Int64 = 15 * 60
    /// At most one message per order in this many seconds, unless its window moves again.
    public var notifyInterval: Int64 = 30 * 60
    /// "Arriving soon" goes out at least this long before the rider's ETA at the door: each scan tells every delivery
    /// due within this plus a scan interval, so the next scan is not too late for any of them.
    public var arrivingSoon: Int64 = 10 * 60
    /// When a case that involves a critical order goes to a supervisor (see `CriticalEscalation`).
    public var escalateCritical = CriticalEscalation.choice

    /// `always` (`yes` in the file): every case involving a critical order goes to a supervisor. `choice`: only
    /// when there is something to choose, i.e. another option costs less than the best (the best loses fewer
    /// windows at a price); when the best is also the cheapest, the core takes it and the case is listed as
    /// resolved by the core. `never` (`no`): critical orders follow the kind's own rule.
    public enum CriticalEscalation: String, Sendable, CaseIterable {
        case always, choice, never
    }
    /// A case goes to a person only when a decision is due: when a window it touches ends within this horizon.
    /// Until then it stays open (watched) and is judged again at every scan, so people decide at the last
    /// responsible moment, not hours ahead.
    public var decisionHorizon: Int64 = 2 * 3600

    /// What a board's simulated clock does while a supervisor's decision waits (see `HumanTime`).
    public var humanTime = HumanTime.hold

    /// Deadlines are simulated time; a person reads in real time. While an escalation waits on a board that
    /// plays a simulation, its clock runs no faster than real time (`hold`), stops (`stop`), or keeps its speed
    /// (`off`). Headless runs and read-only demos keep their speed: nobody is there to decide.
    public enum HumanTime: String, Sendable, CaseIterable {
        case hold, stop, off
    }

    /// Moving a customer's window counts as notice only this long before the booked window ends; a move with less
    /// notice is priced like a failed delivery (`movedPromiseCost`) when options are ranked.
    public var promiseNotice: Int64 = 2 * 3600
    /// What a promise moved without enough notice costs in the ranking (a failed delivery's cost by default).
    public var movedPromiseCost = 17.0
    public var thresholds = Thresholds()
    public var rules: [ExceptionKind: Rule]
    /// Message templates by notification kind; `{order}`, `{customer}`, `{window}`, `{eta}` and `{reason}` are filled in.
    public var templates: [NoticeKind: String]

    public func rule(_ kind: ExceptionKind) -> Rule { rules[kind] ?? Policy.standard.rules[kind]! }

    /// The notification kinds a template can be written for.
    /// `tower demo`'s default: the standard policy with every case touching a critical order put to a supervisor,
    /// so an audience sees the core ask a person as well as act on its own.
    public static var demo: Policy {
        var policy = standard
        policy.escalateCritical = .always
        return policy
    }

    public static let standard = Policy(rules: [
        .predictedLate: Rule(actions: [.resequence, .reassign, .handoff, .notify], routine: .slaAndCost, deadline: 10 * 60),
        .lateNow: Rule(actions: [.notify, .reassign, .handoff, .nextSlot], routine: .cost, cooldown: 24 * 3600),
        .riderStalled: Rule(actions: [.reassignAll, .askRider, .notifyLate], routine: .slaAndCost, defaultChoice: .best),
        .offRoute: Rule(actions: [.askRider, .none], routine: .cost),
        .geofenceExit: Rule(actions: [.askRider, .none], routine: .cost),
        .failedAttempt: Rule(actions: [.retry, .nextSlot, .none], routine: .cost),
        .riderOffline: Rule(actions: [.askRider, .reassignAll, .none], routine: .cost),
        .riderBreakdown: Rule(actions: [.reassignAll, .notifyLate, .none], routine: .slaAndCost, defaultChoice: .best),
        .unassignedOrder: Rule(actions: [.handoff, .makeRoom, .nextSlot, .notify], routine: .slaAndCost, defaultChoice: .action(.nextSlot)),
        .capacityShortfall: Rule(actions: [.handoffZone, .none], routine: .slaAndCost),
        .criticalWaiting: Rule(actions: [.handoff, .reassign, .makeRoom, .nextSlot], routine: .never, deadline: 5 * 60, cooldown: 24 * 3600),
        .cancelledAfterPickup: Rule(actions: [.returnToHub, .none], routine: .cost, cooldown: 24 * 3600),
        .contradictoryEvent: Rule(actions: [.askRider, .none], routine: .never, defaultChoice: .none, cooldown: 0),
    ], templates: [
        .delayed: "Hi {customer}, your order {order} is running late: it will now arrive between {window}.",
        .late: "Hi {customer}, we are sorry: your order {order} missed its window. It is on its way, expected around {eta}.",
        .arrivingSoon: "Hi {customer}, your order {order} arrives in a few minutes (around {eta}).",
        .failedAttempt: "Hi {customer}, we could not deliver order {order} ({reason}). We will try again between {window}.",
        .rescheduled: "Hi {customer}, your order {order} is now planned for {window}.",
        .cannotDeliver: "Hi {customer}, we are sorry: your order {order} cannot come between {window}. We will contact you to arrange a new time.",
        .cannotRetry: "Hi {customer}, we are sorry: we could not deliver order {order} ({reason}) and no rider can try again between {window}. We will contact you to arrange a new time.",
    ])
}
