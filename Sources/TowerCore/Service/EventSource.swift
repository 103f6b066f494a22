/// Where a running core's events come from.
public protocol EventSource: AnyObject {
    /// Shown in the header, e.g. `sim seed 1` or `feed orders.jsonl`.
    var label: String { get }
    /// Lines refused so far (dead-lettered).
    var deadLetters: Int { get }
    /// The time to show, given the time the board would like to show.
    func clock(proposed: Instant, engine: Engine) -> Instant
    /// Lets everything due up to `time` happen.
    func advance(to time: Instant, engine: Engine)
    /// Whether the source has nothing more to give (the simulated day is over, stdin closed).
    var isFinished: Bool { get }
    /// What to tell the user once it has finished.
    var finishedMessage: String { get }
    /// Whether its clock has a speed to set (a simulation's does; a feed's is its events' time).
    var hasPace: Bool { get }
    /// Why its refused lines cannot be kept (the dead-letter file cannot be written); nil when all is well.
    var ingestionProblem: String? { get }
    /// Journals where the core (and the source, when it is one the core runs) stands, at a clean stop: the next
    /// start goes on from there at the cost of a replay.
    func writeCheckpoint(engine: Engine)
}

extension EventSource {
    public var ingestionProblem: String? { nil }
}

/// The city simulation as a live source: it plays as fast as the core's clock runs.
public final class SimulationSource: EventSource {
    public let simulation: CitySimulation
    public init(simulation: CitySimulation) { self.simulation = simulation }

    public var label: String { "sim seed \(simulation.seed)" }
    public var deadLetters: Int { simulation.refused.count }
    public var isFinished: Bool { simulation.isFinished }
    public var finishedMessage: String { "the simulated day is over: q quits; start it again with --fresh" }
    public var hasPace: Bool { true }
    public func clock(proposed: Instant, engine: Engine) -> Instant { proposed }
    public func advance(to time: Instant, engine: Engine) { simulation.run(until: time, engine: engine) }
    public func writeCheckpoint(engine: Engine) { simulation.checkpoint(engine: engine) }
}

/// A JSON-lines feed followed as it grows, taken through the core's `Ingestion`: bad or conflicting lines go to
/// the dead-letter file with their reason; repeats (a restart re-reading the feed) are recognised and skipped.
public final class FeedSource: EventSource {
    private let follower: FeedFollower
    private let ingestion: Ingestion

    public init(follower: FeedFollower, deadLetter: DeadLetterFile) {
        self.follower = follower
        ingestion = Ingestion(source: follower.name, deadLetter: deadLetter)
    }

    /// `feed NAME (N events[, M already journaled][, K core decisions left to this core])`, with `ended` once
    /// standard input closes.
    public var label: String {
        var counts = "\(ingestion.accepted) events"
        if ingestion.repeated > 0 { counts += ", \(ingestion.repeated) already journaled" }
        if ingestion.skippedCoreDecisions > 0 { counts += ", \(ingestion.skippedCoreDecisions) core decisions left to this core" }
        if let problem = ingestion.deadLetterProblem { counts += "; refused lines not saved: \(problem)" }
        return "feed \(follower.name) (\(counts))" + (follower.reachedEnd ? " ended" : "")
    }
    public var deadLetters: Int { ingestion.refused }
    public var ingestionProblem: String? { ingestion.deadLetterProblem }
    public var isFinished: Bool { follower.reachedEnd }
    public var finishedMessage: String { "standard input closed: no more events will arrive" }
    public var hasPace: Bool { false }

    /// A feed's clock is its events' time: the time of the last event applied.
    public func clock(proposed: Instant, engine: Engine) -> Instant { engine.world.clock ?? proposed }
    /// The engine's bookkeeping only: the feed itself is read again from where the journal says. (Nothing before
    /// the first event: there is no bookkeeping yet.)
    public func writeCheckpoint(engine: Engine) {
        guard let clock = engine.world.clock else { return }
        engine.writeCheckpoint(at: clock, simulation: nil, advancing: false)
    }

    public func advance(to time: Instant, engine: Engine) {
        let lines = follower.poll()
        for (index, line) in lines.enumerated() {
            if engine.interrupted?() ?? false { return }  // a signal: the rest is read again at the next start
            let next = lines.indices.contains(index + 1) ? lines[index + 1] : nil
            let admit = { (event: inout Event) in FeedSource.outlier(event, clock: engine.world.clock, next: next, offsetSeconds: engine.world.utcOffsetSeconds) }
            if ingestion.take(line.bytes, line: line.number, overlongBytes: line.overlongBytes, engine: engine, admit: admit) == .stopped { return }
        }
        if let clock = engine.world.clock { engine.advance(to: clock) }
    }

    /// How far past the feed's time a line must be, and how far before it the next line, for the line to be a slip.
    static let jump: Int64 = 300

    /// Why `event` is a slip of the feed's time, or nil: a line more than `jump` past the feed's time whose next line
    /// (already read) goes back more than `jump`, to no earlier than the feed's time. Taken, it would carry the clock
    /// with it and every line after it would be refused as going back in time; refused, the feed goes on. A feed that
    /// really jumps (a silent hour) has its next line after the jump too, lines a little out of order are not slips,
    /// and at the end of what has been read there is nothing to ask: all are taken as before.
    static func outlier(_ event: Event, clock: Instant?, next: FeedFollower.RawLine?, offsetSeconds: Int) -> EventError? {
        guard let clock, event.at > clock + jump, let next, next.overlongBytes == nil,
              let after = try? EventCodec.decode(line: next.bytes).event.at, after >= clock, after <= event.at - jump else { return nil }
        let time = { (instant: Instant) in ISOTime.format(instant, offsetSeconds: offsetSeconds) }
        return EventError(field: "at", reason: "\(time(event.at)) is \((event.at - clock + 59) / 60) min past the feed's time (\(time(clock))) and the next line goes on from there (\(time(after))): a slip, refused so the lines after it are taken")
    }
}
