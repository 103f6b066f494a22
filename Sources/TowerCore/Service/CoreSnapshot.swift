/// What an attached board starts from: the core's world and the projections it keeps (the recent log, the KPI
/// trend, the ETA learner), at one journal position, the world's `lastSeq`. The board then applies every event
/// after it, so attaching costs about the size of the city, not the length of the day.
public struct CoreSnapshot: Codable, Sendable {
    public var world: World
    public var log: RecentLog
    /// Nil when the core keeps no trend (the board starts one at the snapshot).
    public var trend: KPITrend?
    /// Nil when the core predicts with the travel model alone.
    public var learned: OnlineETA.Learned?
    /// The core's outlook as the snapshot was written (`timingOutlook`): a board shows it in its first frame, so
    /// attaching does not wait for the copy to time every rider's coming stops; the copy's own outlook follows from
    /// the next frame on. Nil when none was timed.
    public var outlook: TimedOutlook?

    /// An outlook and the instant it was timed at.
    public struct TimedOutlook: Codable, Sendable {
        public var outlook: Outlook
        public var at: Instant
    }

    /// The world goes without the ids of the inputs and decisions the core has taken (a third of a day's snapshot):
    /// they are how the core refuses a repeated input, and a copy takes no input, only the core's events.
    public init(world: World, log: RecentLog, trend: KPITrend?, learned: OnlineETA.Learned?) {
        var world = world
        world.inputIDs = [:]
        world.decisionIDs = [:]
        self.world = world
        self.log = log
        self.trend = trend
        self.learned = learned
    }

    /// The session's core as it stands.
    public init(session: CoreSession) {
        self.init(world: session.engine.world, log: session.log, trend: session.trend, learned: session.engine.learner?.snapshot)
    }

    /// The snapshot with the core's outlook at `now`, timed as the copy would time it (its world, its learner's
    /// model, the core's decision horizon).
    public func timingOutlook(at now: Instant, horizon: Int64?) -> CoreSnapshot {
        var snapshot = self
        snapshot.outlook = TimedOutlook(outlook: Outlook(world: world, now: now, learned: learned?.model, horizon: horizon), at: now)
        return snapshot
    }

    /// The position the snapshot stands at: the board applies events from the next one.
    public var seq: Int64 { world.lastSeq }

    /// In `CompactEncoder`'s form.
    public func encoded() throws -> [UInt8] { try CompactEncoder().encode(self) }

    public static func decode(_ bytes: [UInt8]) throws -> CoreSnapshot { try CompactDecoder().decode(CoreSnapshot.self, from: bytes) }
}
