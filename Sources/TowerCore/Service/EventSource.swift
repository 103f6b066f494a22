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
            // The next line's time, read only for a line far enough on to be a slip (`FeedSlip`).
            let admit = { (event: inout Event) -> EventError? in
                guard let clock = engine.world.clock, event.at > clock + FeedSlip.jump, lines.indices.contains(index + 1),
                      lines[index + 1].overlongBytes == nil else { return nil }
                let next = try? EventCodec.decode(line: lines[index + 1].bytes).event.at
                return FeedSlip.refusal(of: event, clock: clock, next: next, offsetSeconds: engine.world.utcOffsetSeconds)
            }
            if ingestion.take(line.bytes, line: line.number, overlongBytes: line.overlongBytes, engine: engine, admit: admit) == .stopped { return }
        }
        if let clock = engine.world.clock { engine.advance(to: clock) }
    }
}
