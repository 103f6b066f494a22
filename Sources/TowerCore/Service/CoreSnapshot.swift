import Foundation

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

    public init(world: World, log: RecentLog, trend: KPITrend?, learned: OnlineETA.Learned?) {
        self.world = world
        self.log = log
        self.trend = trend
        self.learned = learned
    }

    /// The session's core as it stands.
    public init(session: CoreSession) {
        self.init(world: session.engine.world, log: session.log, trend: session.trend, learned: session.engine.learner?.snapshot)
    }

    /// The position the snapshot stands at: the board applies events from the next one.
    public var seq: Int64 { world.lastSeq }

    /// As JSON (numbers that are not finite, which no world should hold, written as words rather than failing).
    public func encoded() throws -> Data { try Self.encoder.encode(self) }

    public static func decode(_ data: Data) throws -> CoreSnapshot { try decoder.decode(CoreSnapshot.self, from: data) }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return decoder
    }()
}
