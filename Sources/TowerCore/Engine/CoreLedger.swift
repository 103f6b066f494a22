/// The one writer of the world. Every event, input or decision, is journaled here before it applies, then fed to
/// the ETA learner, the lanes' ranges' learner and the observer; the engine's jobs (`Dispatcher`, `ExceptionDesk`, `PlanImprover`) read the
/// world here and propose their decisions through `decide`, which checks each against the world before it is made.
/// Used from the engine's thread only.
final class CoreLedger {
    private(set) var world: World
    /// Where events are written before they apply; nil for dry runs.
    var journal: EventSink?
    /// Fed every committed event (see `Engine.learner`).
    private(set) var learner: OnlineETA?
    /// Fed every committed event after the learner, timing lanes with its model (see `Engine.ranges`).
    private(set) var ranges: RangeLearner
    /// Called after every event is applied.
    var observer: ((Event) -> Void)?
    /// Told of each of the core's own decisions once it is made (the dispatcher keeps its waiting list by them).
    var decided: ((EventBody) -> Void)?

    init(world: World, journal: EventSink?, learner: OnlineETA?, ranges: RangeLearner) {
        self.world = world
        self.journal = journal
        self.learner = learner
        self.ranges = ranges
    }

    /// `body` given the world where it is stored. A class's stored struct passed to a call that may free memory is
    /// copied out first (nothing tells the compiler the call leaves it alone), and copying a world retains and
    /// releases its forty-odd tables; an exclusive access needs no copy. For the reads made for every input (its
    /// check, what it shows at once): two such copies were a tenth of what an event costs the core.
    func reading<Result, Failure: Error>(_ body: (borrowing World) throws(Failure) -> Result) throws(Failure) -> Result {
        try Self.borrow(&world, body)
    }

    private static func borrow<Result, Failure: Error>(_ world: inout World, _ body: (borrowing World) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(world)
    }

    /// Why the core stopped accepting events: the journal could not be written (a full disk, a lost mount).
    /// Nothing is applied after that, so the world never runs ahead of its journal.
    private(set) var halted: ToolError?

    /// Decisions the core drew up but could not make (see `decide`); empty unless something is wrong.
    private(set) var unmadeDecisions: [String] = []

    /// The first event of the step under way (see `EventSink.endStep`).
    private var stepStart: Int64?

    /// Journals and applies an event that has passed its checks.
    func commit(_ event: Event) {
        guard halted == nil else { return }
        var event = event
        event.seq = world.lastSeq + 1
        do {
            try journal?.append(event)
        } catch {
            halted = ToolError("stopped: \(error); nothing after event \(world.lastSeq) was applied")
            return
        }
        if stepStart == nil { stepStart = event.seq }
        world.apply(event)
        Self.learn(event, world: &world, learner: &learner, ranges: &ranges)
        observer?(event)
        // After the event's observers, so the record of the model that now times decisions follows it.
        if let retrained = learner?.takeRetrained() { decide(.etaRetrained(version: retrained.version, rows: retrained.rows), at: event.at) }
    }

    /// Feeds the learners an event, the world lent in place: passed from this class's stored property, each call
    /// copied the whole world (some forty retains and releases an event).
    private static func learn(_ event: Event, world: inout World, learner: inout OnlineETA?, ranges: inout RangeLearner) {
        learner?.note(event, world: world)
        ranges.note(event, world: world, model: learner?.model)
    }

    /// Journals and applies one of the core's own decisions. A decision that does not fit the world (a planner
    /// bug, or a world a contradictory feed left odd) is not made: it is counted in `unmadeDecisions` with the
    /// reason, never trapped on, so no input can stop the core.
    func decide(_ body: EventBody, at time: Instant) {
        let event = Event(id: "d\(world.lastSeq + 1)", at: max(time, world.clock ?? time), by: Event.core, body: body)
        do {
            try world.check(event)
        } catch {
            unmadeDecisions.append("\(event.type) at seq \(world.lastSeq + 1): \(error)")
            return
        }
        commit(event)
        if halted == nil { decided?(body) }
    }

    /// Makes a draft's decisions in order.
    func carryOut(_ bodies: [EventBody], at time: Instant) {
        for body in bodies { decide(body, at: time) }
    }

    /// Writes the step under way as one piece. When that fails the engine stops: the step is in memory but not on
    /// disk, so nothing of it may leave the process, and the next start makes it again from its input.
    func endStep() {
        guard halted == nil, let first = stepStart else { return }
        stepStart = nil
        do { try journal?.endStep() } catch {
            halted = ToolError("stopped: \(error); events \(first)–\(world.lastSeq) were not written and are made again at the next start")
        }
    }

    /// Ends the step under way and hands everything journaled so far to the kernel (see `Engine.writeOut`).
    func writeOut() {
        endStep()
        journal?.hold(false)
        guard halted == nil else { return }
        do { try journal?.flush() } catch {
            halted = ToolError("stopped: \(error); inputs not yet answered were not written (their senders try again)")
        }
    }
}
