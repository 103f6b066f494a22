/// Everything that changes the world: inputs from a feed or the simulation, and the core's own decisions.
///
/// The journal holds events in the order they took effect; replaying it rebuilds the world exactly.
public struct Event: Hashable, Sendable {
    /// The version of the line format this build writes. Lines with a higher `v` are refused.
    public static let formatVersion = 1

    /// Unique per journal. Feeds choose their own ids; a repeated id is refused, which makes re-sending idempotent.
    public var id: String
    /// Position in the journal, given when the journal accepts the event; absent in raw feed lines.
    public var seq: Int64?
    public var at: Instant
    /// Who made it: `feed`, `sim`, `core`, or an operator's name.
    public var by: String
    public var body: EventBody
    /// The role an operator decision was made in: what the line claims, until the core journals the role it
    /// granted (see `Authority`).
    public var role: Role?

    public init(id: String, seq: Int64? = nil, at: Instant, by: String, body: EventBody, role: Role? = nil) {
        self.id = id; self.seq = seq; self.at = at; self.by = by; self.body = body; self.role = role
    }

    public var type: EventType { body.type }

    /// Who the core is in the `by` field: its decisions have ids of their own (`d` and the journal position).
    public static let core = "core"

    /// A decision the core made (not an input): its id lives in the core's own id space.
    public var isCoreDecision: Bool { by == Event.core }
    /// Whether it is one of the core's checkpoints (bookkeeping for a restart, not something that happened).
    public var isCheckpoint: Bool {
        if case .checkpoint = body { return true }
        return false
    }

    /// A hash of what the event says, to tell a re-sent input from a different one under the same id. Its time is
    /// not part of what it says: an operator's decision, an order system's order or a driver app's stop is stamped
    /// with the time it arrives, so the same one sent again (a retry after a lost reply) comes at another time. Seeded
    /// per process, so a collision cannot be crafted in advance; it is never written anywhere.
    var fingerprint: Int {
        var hasher = Hasher()
        hasher.combine(by)
        if case var .orderCreated(order) = body {
            order.createdAt = Instant(seconds: 0)  // the event's time, read into the order
            hasher.combine(EventBody.orderCreated(order))
        } else {
            hasher.combine(body)
        }
        return hasher.finalize()
    }
}

/// One option of an escalated exception.
public struct EscalationOption: Hashable, Sendable, Codable {
    public var action: Remedy
    public var summary: String
    public var costDelta: Double
    /// Deliveries it touches that would miss their booked window, doing nothing and with it (absent in journals
    /// written before these were kept).
    public var lateBefore: Int?
    public var lateAfter: Int?

    public init(action: Remedy, summary: String, costDelta: Double, lateBefore: Int? = nil, lateAfter: Int? = nil) {
        self.action = action; self.summary = summary; self.costDelta = costDelta; self.lateBefore = lateBefore; self.lateAfter = lateAfter
    }

    /// Whether `other` is at least as good on both counts (as few late, as cheap) and better on one.
    public func isDominated(by other: EscalationOption) -> Bool {
        guard let late = lateAfter, let otherLate = other.lateAfter else { return false }
        let cost = (costDelta * 100).rounded(), otherCost = (other.costDelta * 100).rounded()
        return otherLate <= late && otherCost <= cost && (otherLate < late || otherCost < cost)
    }
}

/// Partial changes to an order; nil fields stay as they are.
public struct OrderChanges: Hashable, Sendable {
    public var window: TimeWindow?
    public var drop: GeoPoint?
    public var tier: Tier?
    public var parcels: Int?
    public var kg: Double?
    public var notes: String?
    /// When the parcel is ready at its pickup now (a line-haul running late, see `Order.readyAt`).
    public var readyAt: Instant?

    public init(window: TimeWindow? = nil, drop: GeoPoint? = nil, tier: Tier? = nil, parcels: Int? = nil, kg: Double? = nil, notes: String? = nil,
                readyAt: Instant? = nil) {
        self.window = window; self.drop = drop; self.tier = tier; self.parcels = parcels; self.kg = kg; self.notes = notes
        self.readyAt = readyAt
    }
}

/// What happened. The raw `type` strings are part of the feed format (see the README).
public enum EventBody: Hashable, Sendable {
    // The setting: a journal starts by describing its city, so it replays on its own.
    /// `currency`: what costs are counted in (empty: not said).
    /// `policy`: the policy the day started under (`static`, `continuous`, `continuous-auto` or a policy file's
    /// name), for reports; empty in journals from before it was written.
    /// `ranges`: how the lanes' ranges spread when the day started, learned on the days before (`RangeCalibration`);
    /// nil for a day that starts from the model's own spreads.
    case sessionStarted(name: String, seed: UInt64?, utcOffsetSeconds: Int, source: String, currency: String = "", etaModel: String = "",
                        policy: String = "", ranges: RangeCalibration? = nil)
    case zoneDefined(Zone)
    case hubDefined(Hub)
    case riderRegistered(RiderProfile)
    /// What the 3PL and gig channels charge and the rules on who may take what.
    case channelsDefined(ChannelTerms)

    // Inputs.
    case orderCreated(Order)
    case orderUpdated(order: String, changes: OrderChanges)
    case orderCancelled(order: String, reason: String)
    case shiftStarted(rider: String)
    case shiftEnded(rider: String)
    case riderPosition(rider: String, position: GeoPoint)
    /// The rider reached a stop (a geofence entry): travel ends here, dwell begins.
    case stopArrived(rider: String, order: String, kind: Stop.Kind)
    case pickupDone(rider: String, order: String)
    case deliveryDone(rider: String, order: String)
    case deliveryFailed(rider: String, order: String, reason: FailureReason)
    case trafficIncident(incident: String, zone: String, slowdown: Double, until: Instant, note: String)
    case riderBreakdown(rider: String, note: String)
    case riderRecovered(rider: String)
    /// A dispatcher puts an order on a rider (`:assign` on the board); the core moves it there or refuses.
    case orderPinned(order: String, rider: String)

    // The core's decisions.
    case orderAssigned(order: String, rider: String, reason: String)
    case orderReassigned(order: String, from: String, to: String, reason: String)
    case orderUnassigned(order: String, reason: String)
    case routePlanned(rider: String, stops: [Stop], trigger: String, costBefore: Double, costAfter: Double)
    /// A message to the customer; `window` is the new window it promises, when it promises one.
    case customerNotified(order: String, kind: NoticeKind, message: String, window: TimeWindow?)
    case exceptionRaised(exception: String, kind: ExceptionKind, subject: String, detail: String)
    case exceptionAutoResolved(exception: String, action: Remedy, rule: String)
    /// `reason` says why it was not routine; `covering` names the other orders the one decision is about (the orders
    /// of one scan that no rider can take go to a person as one case), none for most cases.
    case exceptionEscalated(exception: String, options: [EscalationOption], deadline: Instant, defaultAction: Remedy, reason: String,
                            covering: [String] = [])
    case exceptionApproved(exception: String, option: Int, operator: String)
    case exceptionRejected(exception: String, operator: String, reason: String)
    /// An operator takes back their last decision (`decision`: its event id) within `World.undoWindow`, before any of
    /// its effects has started; the core reverses what it did and re-plans (see `OperatorDecision`).
    case decisionUndone(decision: String, operator: String)
    /// Nobody decided before the deadline: the policy's default option was taken (0: none).
    case exceptionDefaulted(exception: String, option: Int)

    // The core's own bookkeeping.
    /// Part `part` of `parts` of what the core needs to go on from here (`CoreCheckpoint`, as JSON text cut into
    /// lines short enough for the journal): a resume starts from the last whole one instead of re-running the day.
    case checkpoint(part: Int, parts: Int, state: String)
    /// The learned ETA model was trained again on its history and `rows` legs of this session (`OnlineETA`) and
    /// took over: every decision after this line was timed by version `version` (`ETAModel.fingerprint` of the
    /// trained model), learning online from there.
    case etaRetrained(version: String, rows: Int)

    public var type: EventType {
        switch self {
        case .sessionStarted: return .sessionStarted
        case .zoneDefined: return .zoneDefined
        case .hubDefined: return .hubDefined
        case .riderRegistered: return .riderRegistered
        case .channelsDefined: return .channelsDefined
        case .orderCreated: return .orderCreated
        case .orderUpdated: return .orderUpdated
        case .orderCancelled: return .orderCancelled
        case .shiftStarted: return .shiftStarted
        case .shiftEnded: return .shiftEnded
        case .riderPosition: return .riderPosition
        case .stopArrived: return .stopArrived
        case .pickupDone: return .pickupDone
        case .deliveryDone: return .deliveryDone
        case .deliveryFailed: return .deliveryFailed
        case .trafficIncident: return .trafficIncident
        case .riderBreakdown: return .riderBreakdown
        case .riderRecovered: return .riderRecovered
        case .orderPinned: return .orderPinned
        case .orderAssigned: return .orderAssigned
        case .orderReassigned: return .orderReassigned
        case .orderUnassigned: return .orderUnassigned
        case .routePlanned: return .routePlanned
        case .customerNotified: return .customerNotified
        case .exceptionRaised: return .exceptionRaised
        case .exceptionAutoResolved: return .exceptionAutoResolved
        case .exceptionEscalated: return .exceptionEscalated
        case .exceptionApproved: return .exceptionApproved
        case .exceptionRejected: return .exceptionRejected
        case .exceptionDefaulted: return .exceptionDefaulted
        case .decisionUndone: return .decisionUndone
        case .checkpoint: return .checkpoint
        case .etaRetrained: return .etaRetrained
        }
    }
}
