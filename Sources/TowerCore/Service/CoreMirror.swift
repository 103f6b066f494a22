/// A read-only copy of a core kept by an attached board: the world rebuilt from the core's events (the snapshot's,
/// then each one as it is committed), with the same projections the core keeps, so the board renders what the
/// core holds. It decides nothing. Its ETA learner follows the snapshot's legs without learning them, takes on
/// what the core's had learned at the snapshot's end (sent with it), then learns each new event as the core's
/// does, so its outlook is the core's.
public final class CoreMirror {
    public private(set) var world = World()
    public private(set) var learner: OnlineETA?
    public private(set) var log = RecentLog()
    public private(set) var trend: KPITrend
    private let planner = InsertionPlanner()
    /// What the core's learner had learned at journal position `through`, until the copy reaches it.
    private var learnedAtSnapshot: (learned: OnlineETA.Learned, through: Int64)?

    /// - Parameters:
    ///   - learned: the core's learner's state at journal position `through` (sent in the server's hello), or nil
    ///     when the core predicts with the travel model alone.
    public init(learned: OnlineETA.Learned?, through: Int64, planLock: Instant) {
        learner = learned.map { OnlineETA(model: $0.model) }
        learnedAtSnapshot = learned.map { ($0, through) }
        trend = KPITrend(planLock: planLock)
        adoptIfDue()
    }

    private func adoptIfDue() {
        guard let pending = learnedAtSnapshot, world.lastSeq >= pending.through else { return }
        learner?.adopt(pending.learned)
        learnedAtSnapshot = nil
    }

    /// Applies one of the core's events; one that does not fit means the copy and the core have parted (the
    /// board then asks for a fresh snapshot).
    public func apply(_ event: Event) throws(EventError) {
        try world.check(event)
        world.apply(event)
        learner?.note(event, world: world, learning: learnedAtSnapshot == nil)
        adoptIfDue()
        log.note(event, world: world)
        trend.note(event, world: world)
    }

    /// Takes on what the core's learner holds after its retrained model took over (the server sends it right after
    /// the `eta.retrained` event). While the copy is still reaching its snapshot, the snapshot's own state comes later
    /// and is the one that counts.
    public func adopt(_ learned: OnlineETA.Learned) {
        guard learnedAtSnapshot == nil else { return }
        learner?.adopt(learned)
    }

    /// The outlook at `now`, as the core's detectors see it.
    public func outlook(at now: Instant, horizon: Int64? = nil) -> Outlook {
        Outlook(world: world, now: now, planner: planner, learned: learner?.model, horizon: horizon)
    }
}
