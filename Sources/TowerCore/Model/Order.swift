/// Where an order is collected.
public enum PickupPlace: Hashable, Sendable, Codable {
    case hub(String)
    case point(GeoPoint)
}

/// Where an order is in its life.
public enum OrderStatus: String, Sendable, CaseIterable, Codable {
    case open          // known, not assigned to anyone
    case assigned      // on a rider's route, not collected yet
    case pickedUp = "picked_up"
    case delivered
    case failed        // last attempt failed; may be retried after a new assignment
    case cancelled

    public var isFinal: Bool { self == .delivered || self == .cancelled }
    /// Still on its way to the customer: known, on a route or on board (a failed attempt waits for a new assignment).
    public var isLive: Bool { self == .open || self == .assigned || self == .pickedUp }
}

/// A delivery order.
public struct Order: Hashable, Sendable, Codable {
    public var id: String
    public var createdAt: Instant
    public var pickup: PickupPlace
    public var drop: GeoPoint
    public var zone: String
    /// When the customer can receive it.
    public var window: TimeWindow
    /// What the customer was told; may be narrower than `window`, and moves when we notify them.
    public var promised: TimeWindow
    /// The window the customer booked: the order's at creation, or one the order system (a feed line) set since.
    /// The core never moves it: every on-time and late figure counts against it.
    public var booked: TimeWindow
    /// When the core first moved this order's window (a "next slot" remedy): a promise moved, with an apology.
    public var promiseMovedAt: Instant?
    public var serviceSeconds: Int
    public var tier: Tier
    public var requiredSkills: Set<Skill>
    public var parcels: Int
    public var kg: Double
    public var customerName: String
    /// An opaque token for the notification service; Tower never holds phone numbers or e-mails.
    public var contactToken: String
    public var notes: String
    /// A rider the dispatcher pinned this order to; the planner places it on that rider's route.
    public var pinnedRider: String?
    /// When the parcel is ready at its pickup (nil: from the order's creation). No pickup starts before it: a
    /// parcel still on its way to the hub, or packed to order, cannot be collected early.
    public var readyAt: Instant?

    public var status: OrderStatus = .open
    /// The rider it is with; after a failed attempt, the one who tried (until the order is given to a rider again).
    public var rider: String?
    /// On no rider's route and needing one: open without a rider, or back at the hub after a failed attempt.
    public var awaitsRider: Bool { status == .failed || (status == .open && rider == nil) }
    /// When the order was last given to its rider (a gig courier starts counting its acceptance from here).
    public var assignedAt: Instant?
    public var attempts = 0
    public var pickedUpAt: Instant?
    /// When the rider reached the door (last attempt).
    public var arrivedAt: Instant?
    public var completedAt: Instant?
    public var failureReason: FailureReason?
    /// When the customer was last sent a message.
    public var notifiedAt: Instant?

    public init(id: String, createdAt: Instant, pickup: PickupPlace, drop: GeoPoint, zone: String, window: TimeWindow,
                promised: TimeWindow, serviceSeconds: Int, tier: Tier, requiredSkills: Set<Skill>, parcels: Int, kg: Double,
                customerName: String, contactToken: String, notes: String, pinnedRider: String? = nil, readyAt: Instant? = nil) {
        self.id = id; self.createdAt = createdAt; self.pickup = pickup; self.drop = drop; self.zone = zone
        self.window = window; self.promised = promised; self.booked = window; self.serviceSeconds = serviceSeconds; self.tier = tier
        self.requiredSkills = requiredSkills; self.parcels = parcels; self.kg = kg
        self.customerName = customerName; self.contactToken = contactToken; self.notes = notes
        self.pinnedRider = pinnedRider
        self.readyAt = readyAt
    }

    /// Whether a delivery at `time` misses the window the customer booked.
    public func isLate(deliveredAt time: Instant) -> Bool { time > booked.end }

    /// What became of the promise the customer was given, as of `now` (see `PromiseOutcome`): nil while it can
    /// still be kept (not delivered, the booked window not over).
    public func promiseOutcome(at now: Instant) -> PromiseOutcome? {
        switch status {
        case .cancelled: return .cancelled
        case .delivered: return completedAt.map { isLate(deliveredAt: $0) } == false ? .kept : .broken
        case .failed, .open, .assigned, .pickedUp: return now > booked.end ? .broken : nil
        }
    }
}

/// What became of an order's booked window at the end of a day.
public enum PromiseOutcome: String, Sendable {
    /// Delivered by the end of the booked window.
    case kept
    /// Delivered after it, or not delivered when it ended (failed, or never delivered).
    case broken
    case cancelled
}
