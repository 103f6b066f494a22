/// A read-only copy of a core kept by an attached board: it starts from the core's snapshot (its world and
/// projections at one journal position) and applies each event the core commits after it, keeping the same
/// projections, so the board renders what the core holds. It decides nothing. Its ETA learner starts from the
/// core's and learns each new event as the core's does (it never trains: a retrained model comes from the core,
/// `adopt`), so its outlook is the core's.
public final class CoreMirror {
    public private(set) var world: World
    public private(set) var learner: OnlineETA?
    public private(set) var log: RecentLog
    public private(set) var trend: KPITrend
    private let planner = InsertionPlanner()

    public init(_ snapshot: CoreSnapshot, planLock: Instant) {
        world = snapshot.world
        log = snapshot.log
        trend = snapshot.trend ?? KPITrend(planLock: planLock)
        learner = snapshot.learned.map { learned in
            var learner = OnlineETA(model: learned.model)
            learner.adopt(learned)
            return learner
        }
    }

    /// Applies one of the core's events; one that does not fit means the copy and the core have parted (the
    /// board then asks for a fresh snapshot).
    public func apply(_ event: Event) throws(EventError) {
        try world.check(event)
        world.apply(event)
        learner?.note(event, world: world)
        log.note(event, world: world)
        trend.note(event, world: world)
    }

    /// Takes on what the core's learner holds after its retrained model took over (the server sends it right after
    /// the `eta.retrained` event).
    public func adopt(_ learned: OnlineETA.Learned) {
        learner?.adopt(learned)
    }

    /// The outlook at `now`, as the core's detectors see it.
    public func outlook(at now: Instant, horizon: Int64? = nil) -> Outlook {
        Outlook(world: world, now: now, planner: planner, learned: learner?.model, horizon: horizon)
    }
}
