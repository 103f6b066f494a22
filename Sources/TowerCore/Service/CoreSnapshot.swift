/// What an attached board starts from: the core's world and the projections it keeps (the recent log, the KPI
/// trend) at one journal position, the world's `lastSeq`, with the latest outlook the core timed for its boards. The
/// board then applies every event after it and takes each outlook the core times, so attaching costs about the size
/// of the city, not the length of the day, and a board never times an outlook itself.
public struct CoreSnapshot: Codable, Sendable {
    public var world: World
    public var log: RecentLog
    /// Nil when the core keeps no trend (the board starts one at the snapshot).
    public var trend: KPITrend?
    /// The core's latest outlook for boards (`OutlookPublisher`): a board draws it until the core sends the next.
    public var outlook: TimedOutlook

    /// The world goes without the ids of the inputs and decisions the core has taken (a third of a day's snapshot):
    /// they are how the core refuses a repeated input, and a copy takes no input, only the core's events.
    public init(world: World, log: RecentLog, trend: KPITrend?, outlook: TimedOutlook) {
        var world = world
        world.inputIDs = [:]
        world.decisionIDs = [:]
        self.world = world
        self.log = log
        self.trend = trend
        self.outlook = outlook
    }

    /// The session's core as it stands, with the outlook its boards draw.
    public init(session: CoreSession) {
        self.init(world: session.engine.world, log: session.log, trend: session.trend, outlook: session.outlook)
    }

    /// The position the snapshot stands at: the board applies events from the next one.
    public var seq: Int64 { world.lastSeq }

    /// In `CompactEncoder`'s form.
    public func encoded() throws -> [UInt8] { try CompactEncoder().encode(self) }

    public static func decode(_ bytes: [UInt8]) throws -> CoreSnapshot { try CompactDecoder().decode(CoreSnapshot.self, from: bytes) }
}
