/// An outlook the core timed for its boards: what it predicts (every lane's ETAs, the at-risk list), the instant
/// and journal position it was timed at, and the learned model's running accuracy then.
public struct TimedOutlook: Codable, Sendable {
    public var outlook: Outlook
    public var at: Instant
    /// The world's `lastSeq` when it was timed.
    public var seq: Int64
    /// Nil when the core predicts with the travel model alone.
    public var eta: ETAFigures?

    public init(outlook: Outlook, at: Instant, seq: Int64, eta: ETAFigures?) {
        self.outlook = outlook
        self.at = at
        self.seq = seq
        self.eta = eta
    }

    /// In `CompactEncoder`'s form, as the socket carries it.
    public func encoded() throws -> [UInt8] { try CompactEncoder().encode(self) }

    public static func decode(_ bytes: [UInt8]) throws -> TimedOutlook { try CompactDecoder().decode(TimedOutlook.self, from: bytes) }
}
