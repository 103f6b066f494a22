/// A read-only copy of a core kept by an attached board: it starts from the core's snapshot (its world and
/// projections at one journal position) and applies each event the core commits after it, keeping the same
/// projections, so the board renders what the core holds. It decides and predicts nothing: the outlook it shows is
/// the one the core times for every board (`OutlookPublisher`), the snapshot's and then each the core sends.
public final class CoreMirror {
    public private(set) var world: World
    public private(set) var log: RecentLog
    public private(set) var trend: KPITrend
    public private(set) var outlook: TimedOutlook

    public init(_ snapshot: CoreSnapshot, planLock: Instant) {
        world = snapshot.world
        outlook = snapshot.outlook
        log = snapshot.log
        trend = snapshot.trend ?? KPITrend(planLock: planLock)
    }

    /// Applies one of the core's events; one that does not fit means the copy and the core have parted (the
    /// board then asks for a fresh snapshot).
    public func apply(_ event: Event) throws(EventError) {
        try world.check(event)
        world.apply(event)
        log.note(event, world: world)
        trend.note(event, world: world)
    }

    /// Takes an outlook the core timed, unless it is older than the one held.
    public func take(_ timed: TimedOutlook) {
        guard timed.seq >= outlook.seq, timed.at >= outlook.at else { return }
        outlook = timed
    }
}
