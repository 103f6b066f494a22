/// A read-only copy of a core kept by an attached board: the world rebuilt from the core's events (the snapshot's,
/// then each one as it is committed), with the same projections the core keeps, so the board renders what the
/// core holds. It decides nothing: the ETA learner is fed as the core's is, so its outlook is the core's.
public final class CoreMirror {
    public private(set) var world = World()
    public private(set) var learner: OnlineETA?
    public private(set) var log = RecentLog()
    public private(set) var trend: KPITrend
    private let planner = InsertionPlanner()

    /// - Parameter model: the ETA model the core started from (sent in the server's hello).
    public init(model: ETAModel?, planLock: Instant) {
        learner = model.map(OnlineETA.init)
        trend = KPITrend(planLock: planLock)
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

    /// The outlook at `now`, as the core's detectors see it.
    public func outlook(at now: Instant, horizon: Int64? = nil) -> Outlook {
        Outlook(world: world, now: now, planner: planner, learned: learner?.model, horizon: horizon)
    }
}
