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
    /// The core's outlook the snapshot carried and its instant, until the first frame has shown it.
    private var snapshotOutlook: CoreSnapshot.TimedOutlook?
    /// How old (in the day's time) the snapshot's outlook may be for a first frame: the core writes a snapshot every
    /// few seconds while boards are attached, ten minutes of the day at ×120.
    public static let firstOutlookAge: Int64 = 600

    public init(_ snapshot: CoreSnapshot, planLock: Instant) {
        world = snapshot.world
        snapshotOutlook = snapshot.outlook
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
    public func outlook(at now: Instant, horizon: Int64? = nil) -> Outlook { outlookInputs(at: now, horizon: horizon).outlook() }

    /// What that outlook is timed from, as values (to time it on another thread).
    public func outlookInputs(at now: Instant, horizon: Int64? = nil) -> Outlook.Inputs {
        Outlook.Inputs(world: world, now: now, planner: planner, learned: learner?.model, horizon: horizon)
    }

    /// For a board's frame: the first time, the core's outlook the snapshot carried (timed by the core as it wrote
    /// the snapshot, at most `firstOutlookAge` before `now`), so the board shows the city at once; from then on the
    /// copy's own outlook at `now`.
    public func frameOutlook(at now: Instant, horizon: Int64?) -> Outlook {
        defer { snapshotOutlook = nil }
        if let first = snapshotOutlook, first.at <= now, now - first.at <= Self.firstOutlookAge { return first.outlook }
        return outlook(at: now, horizon: horizon)
    }
}
