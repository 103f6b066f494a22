/// The projections a core keeps of its day besides the world (the recent log and the KPI trend), noted as events
/// are applied: while a journal is replayed on a restart and while the day catches up, then taken over by the
/// session (`CoreSession.adopt`), so a restart reads its journal once.
public final class DayProjections {
    public private(set) var log = RecentLog()
    public private(set) var trend: KPITrend
    private let planLock: Instant

    public init(planLock: Instant) {
        self.planLock = planLock
        trend = KPITrend(planLock: planLock)
    }

    public func note(_ event: Event, world: World) {
        log.note(event, world: world)
        trend.note(event, world: world)
    }

    /// Notes every event `engine` commits from now on (until something else observes it; the engine keeps these
    /// projections alive until then).
    public func observe(_ engine: Engine) {
        engine.observer = { [unowned engine] event in self.note(event, world: engine.world) }
    }

    /// Starts over, for a replay that reads the journal again from its start.
    func reset() {
        log = RecentLog()
        trend = KPITrend(planLock: planLock)
    }
}
