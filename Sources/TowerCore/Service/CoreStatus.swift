/// The core's clock and source as a board shows them: sent to attached boards whenever it changes.
public struct CoreStatus: Codable, Equatable, Sendable {
    /// The simulated (or feed) time, in seconds since the epoch.
    public var now: Int64
    /// The journal position the status is at: the last event applied.
    public var seq: Int64
    /// The speed asked for (simulated seconds per real second), and whether the clock is paused.
    public var speed: Double
    public var paused: Bool
    /// Set while the clock is held for people's decisions (see `ClockPace`).
    public var held: String?
    /// Where events come from, e.g. `sim seed 1` or `feed orders.jsonl (120 events)`.
    public var label: String
    /// Input lines refused so far.
    public var deadLetters: Int
    /// The source has nothing more to give, and what to tell the user then.
    public var finished: Bool
    public var finishedMessage: String
    /// Why the core stopped writing (its journal failed), if it did.
    public var halted: String?

    public init(now: Int64, seq: Int64, speed: Double, paused: Bool, held: String?, label: String, deadLetters: Int, finished: Bool,
                finishedMessage: String, halted: String?) {
        self.now = now
        self.seq = seq
        self.speed = speed
        self.paused = paused
        self.held = held
        self.label = label
        self.deadLetters = deadLetters
        self.finished = finished
        self.finishedMessage = finishedMessage
        self.halted = halted
    }

    public var instant: Instant { Instant(seconds: now) }
}
