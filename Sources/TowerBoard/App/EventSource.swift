import TowerCore

/// Where the board's events come from while it runs.
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
}

/// The city simulation as a live source: it plays as fast as the board's clock runs.
public final class SimulationSource: EventSource {
    public let simulation: CitySimulation
    public init(simulation: CitySimulation) { self.simulation = simulation }

    public var label: String { "sim seed \(simulation.seed)" }
    public var deadLetters: Int { simulation.refused.count }
    public var isFinished: Bool { simulation.isFinished }
    public var finishedMessage: String { "the simulated day is over: q quits; start it again with --fresh" }
    public func clock(proposed: Instant, engine: Engine) -> Instant { proposed }
    public func advance(to time: Instant, engine: Engine) { simulation.run(until: time, engine: engine) }
}

/// A JSON-lines feed followed as it grows. Bad lines go to the dead-letter file with their reason; lines whose
/// event id is already in the journal (a restart re-reading the feed) are skipped quietly.
public final class FeedSource: EventSource {
    private let follower: FeedFollower
    private let deadLetter: DeadLetterFile
    public private(set) var accepted = 0
    public private(set) var alreadyJournaled = 0

    public init(follower: FeedFollower, deadLetter: DeadLetterFile) {
        self.follower = follower
        self.deadLetter = deadLetter
    }

    /// `feed NAME (N events[, M already journaled])`, with `ended` once standard input closes.
    public var label: String {
        var counts = "\(accepted) events"
        if alreadyJournaled > 0 { counts += ", \(alreadyJournaled) already journaled" }
        return "feed \(follower.name) (\(counts))" + (follower.reachedEnd ? " ended" : "")
    }
    public var deadLetters: Int { deadLetter.count }
    public var isFinished: Bool { follower.reachedEnd }
    public var finishedMessage: String { "standard input closed: no more events will arrive" }

    /// A feed's clock is its events' time: the board shows the time of the last event applied.
    public func clock(proposed: Instant, engine: Engine) -> Instant { engine.world.clock ?? proposed }

    public func advance(to time: Instant, engine: Engine) {
        for line in follower.poll() { ingest(line, engine: engine) }
        if let clock = engine.world.clock { engine.advance(to: clock) }
    }

    /// Takes one raw line: decodes, checks and submits it, or dead-letters it with the reason.
    public func ingest(_ line: FeedFollower.RawLine, engine: Engine) {
        if let overlong = line.overlongBytes {
            deadLetter.record(source: follower.name, line: line.number,
                              error: EventError(field: "", reason: "line is \(overlong) bytes, longer than the limit of \(EventCodec.maxLineBytes)"),
                              raw: line.bytes)
            return
        }
        let decoded = line.bytes.withUnsafeBufferPointer { JournalReader.decode($0) }
        switch decoded {
        case let .bad(error):
            if !JournalReader.isBlank(line.bytes) { deadLetter.record(source: follower.name, line: line.number, error: error, raw: line.bytes) }
        case let .event(event, _):
            if engine.world.hasSeen(eventID: event.id) {
                alreadyJournaled += 1
                return
            }
            do throws(EventError) {
                try engine.submit(event)
                accepted += 1
            } catch {
                deadLetter.record(source: follower.name, line: line.number, error: error, raw: line.bytes)
            }
        }
    }
}
