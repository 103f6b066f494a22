import Foundation

/// The core's engine: a thin writer and scheduler over three jobs. Every change, input or decision, goes through
/// one `CoreLedger` (check → journal → apply); `submit` takes an input, `advance` runs the timed work due on the
/// clock's grid, and each event is handed to the job it concerns:
/// - `Dispatcher`: the day's plan, new orders, waiting orders, re-planning after cancellations, traffic and breakdowns;
/// - `ExceptionDesk`: detection, triage under the policy, escalations and their defaults, operators' approvals and pins;
/// - `PlanImprover`: ruin-and-recreate searches on a copy of the world, taken a fixed time later on the clock.
/// The jobs read the world from the ledger and propose their decisions through it; none writes the world itself.
/// Used from one thread (the run loop); not shared.
public final class Engine {
    private let ledger: CoreLedger
    let dispatcher: Dispatcher
    let desk: ExceptionDesk
    let improver: PlanImprover
    public let planner: InsertionPlanner
    public let settings: EngineSettings
    /// Who may decide what (the roster, if any): checked for every operator decision, whatever its source.
    public var authority = Authority()
    /// How far `advance(to:)` has run the timed work.
    var advancedTo: Instant?
    /// The last event of the last checkpoint written or resumed from (see `writeCheckpoint`).
    var checkpointEnd: Int64?
    /// Times the engine's work when set (`tower bench scale`); decisions never read it.
    public var stopwatch: EngineStopwatch? {
        didSet { improver.stopwatch = stopwatch }
    }

    /// - Parameter learner: the online ETA learner, already fed every event of `world` (see `Replayer`), or nil to
    ///   predict with the travel model alone.
    /// - Parameter ranges: the lanes' ranges' learner, already fed every event of `world` (`Replayer.Result.ranges`);
    ///   a new one for a new day.
    public init(world: World = World(), journal: EventSink?, settings: EngineSettings, planner: InsertionPlanner = InsertionPlanner(),
                learner: OnlineETA? = nil, ranges: RangeLearner = RangeLearner()) {
        ledger = CoreLedger(world: world, journal: journal, learner: learner, ranges: ranges)
        self.settings = settings
        self.planner = planner
        dispatcher = Dispatcher(ledger: ledger, planner: planner, settings: settings)
        desk = ExceptionDesk(ledger: ledger, planner: planner, settings: settings)
        improver = PlanImprover(ledger: ledger, planner: planner)
        ledger.decided = { [unowned dispatcher] in dispatcher.noteDecision($0) }
        advancedTo = world.clock
    }

    /// The world as the journal has it so far (lent, not copied: callers read it field by field in hot loops).
    public var world: World { _read { yield ledger.world } }
    /// Where events are written before they apply; nil for dry runs.
    public var journal: EventSink? {
        get { ledger.journal }
        set { ledger.journal = newValue }
    }
    /// The online ETA learner, when the engine runs one: fed every committed event, and the model of the outlook
    /// the detectors scan and the board shows, so "predicted late" and the at-risk list come from one prediction.
    public var learner: OnlineETA? { ledger.learner }
    /// How the lanes' P10–P90 ranges spread at each horizon, learned from every arrival against the ranges lanes gave
    /// before it (`RangeLearner`), with the learned model's lanes or the travel model's: the outlook the detectors
    /// scan and the board shows widens each side by it.
    public var ranges: RangeCalibration { ledger.ranges.calibration }
    /// That learner's whole state, for a checkpoint.
    var rangeLearner: RangeLearner { ledger.ranges }
    /// Called after every event is applied (the session keeps its projections by it).
    public var observer: ((Event) -> Void)? {
        get { ledger.observer }
        set { ledger.observer = newValue }
    }
    /// Why the engine stopped accepting events: the journal could not be written (a full disk, a lost mount).
    /// Nothing is applied after that, so the world never runs ahead of its journal.
    public var halted: ToolError? { ledger.halted }
    /// Decisions the core drew up but could not make; empty unless something is wrong.
    public var unmadeDecisions: [String] { ledger.unmadeDecisions }

    /// The outlook at `now`, as the detectors see it (the learned model's when the engine runs one).
    public func outlook(at now: Instant, horizon: Int64? = nil) -> Outlook { desk.outlook(at: now, horizon: horizon) }
    /// One rider's lane of that outlook, timed alone (an API asking about one order or rider).
    public func lane(of rider: String, at now: Instant) -> Outlook.Lane? { desk.lane(of: rider, at: now) }
    /// The same outlook's inputs, copied out to be timed elsewhere (a board's frame does not wait for it).
    public func outlookInputs(at now: Instant, horizon: Int64? = nil) -> Outlook.Inputs { desk.outlookInputs(at: now, horizon: horizon) }

    public var planLocked: Bool { world.clock.map { $0 >= settings.planLock } ?? false }
    /// Orders no rider could take yet (retried as room frees), and orders held until their window comes within
    /// the plan's horizon (`EngineSettings.planHorizon`).
    public var backlog: (waiting: Int, held: Int) { (dispatcher.waiting.count, dispatcher.held.count) }

    /// Accepts an input event: refuses it with the reason when it does not fit; else runs the timed work due
    /// before it (a feed may jump past the plan lock), then journals, applies and reacts.
    public func submit(_ input: Event) throws(EventError) {
        let started = stopwatch?.start()
        defer { stopwatch?.record(.event, since: started) }
        if let halted { throw EventError(field: "", reason: halted.message) }
        if input.isCoreDecision {
            throw EventError(field: "by", reason: "\"core\" is this core's own name: its decisions are made here, never taken as input")
        }
        if let latest = settings.latestEventTime, let refusal = DayBound(latest: latest).refusal(of: input, offsetSeconds: world.utcOffsetSeconds) {
            throw refusal
        }
        try ledger.reading { world throws(EventError) in try world.check(input) }
        var input = input
        input.role = input.isOperatorDecision ? try authorize(input) : nil  // a role means something on a decision only
        advance(to: input.at, interruptible: false)  // the input must come after all the timed work before it
        let draft = try desk.draft(for: input)
        let shown = desk.findings(for: input)
        ledger.commit(input)
        react(to: input, draft: draft)
        for finding in shown { desk.raise(finding, at: input.at) }
        ledger.endStep()
    }

    /// The role an operator decision is made in (see `Authority`), with what the desk keeps for a supervisor: an
    /// approval above the cost limit, or one that waives the channel rules.
    private func authorize(_ event: Event) throws(EventError) -> Role {
        let role = try authority.role(for: event)
        try desk.checkApproval(event, role: role)
        return role
    }

    /// Hands a committed input to the job it concerns: an operator's decision to the desk (its draft, planned
    /// before it was journaled, is carried out now), anything else to the dispatcher.
    private func react(to event: Event, draft: DecisionDraft?) {
        switch event.body {
        case .exceptionApproved, .orderPinned:
            if let draft { ledger.carryOut(draft.bodies, at: event.at) }
        case let .decisionUndone(id, op):
            desk.carryOut(undo: id, by: op, at: event.at)
        default:
            dispatcher.react(to: event)
        }
    }

    /// Raises a case as a scan would (tests and tools).
    @discardableResult
    func raise(_ finding: Finding, at now: Instant) -> String? { desk.raise(finding, at: now) }

    /// What putting `order` on `rider` would do and cost now, for a confirmation before the dispatcher commits it.
    /// `role`: the one the person acts in (a supervisor's pin may waive the channel rules).
    public func preview(pin order: String, to rider: String, by person: String, as role: Role = .dispatcher, at now: Instant) throws(EventError) -> RemedyPlanner.Outcome {
        try desk.preview(pin: order, to: rider, by: person, as: role, at: now)
    }

    /// Moves plan searches to `runner` (the board and the server give them a thread of their own).
    public func runPlanSearches(on runner: PlanSearchRunner) { improver.run(on: runner) }

    /// Lets simulated or wall time pass: runs what is due (the plan lock, retries of waiting orders).
    ///
    /// Timed work happens at fixed instants (the lock, then every `retryInterval` on the clock's grid), before
    /// any event later than them, so the decisions do not depend on how the caller slices time.
    public func advance(to time: Instant) { advance(to: time, interruptible: true) }

    func advance(to time: Instant, interruptible: Bool) {
        var from = advancedTo ?? world.clock ?? time
        guard time > from, halted == nil else { return }
        if from < settings.planLock, time >= settings.planLock {
            let started = stopwatch?.start()
            dispatcher.planDay(at: settings.planLock)
            stopwatch?.record(.planDay, since: started)
            ledger.endStep()
            from = settings.planLock  // ticks up to the lock have nothing to do
            advancedTo = from
        }
        var tick = Instant(seconds: (from.seconds / Engine.tickInterval + 1) * Engine.tickInterval)
        while tick <= time, halted == nil {
            if tick > settings.planLock { runTimedWork(at: tick) }
            advancedTo = tick
            tick = tick + Engine.tickInterval
            if interruptible, interrupted?() ?? false { break }
        }
        if tick > time { advancedTo = time }
        ledger.endStep()
    }

    /// What falls due at one tick after the lock, in a fixed order: held orders' releases, retries, escalations'
    /// defaults, the plan search's outcome and the next search, the exception scan.
    private func runTimedWork(at tick: Instant) {
        if dispatcher.releaseDue(at: tick) {
            let started = stopwatch?.start()
            dispatcher.release(at: tick)
            stopwatch?.record(.release, since: started)
        }
        if tick.seconds % Engine.retryInterval == 0, dispatcher.retryDue {
            let started = stopwatch?.start()
            dispatcher.retryWaiting(at: tick, fullRetry: tick.seconds % Engine.fullRetryInterval == 0)
            stopwatch?.record(.retry, since: started)
        }
        desk.takeDefaults(at: tick)
        if let search = improver.inFlight, tick >= search.now + Engine.searchLatency { improver.finish(at: tick) }
        if settings.mode != .static, settings.improveIterations > 0, tick.seconds % settings.improveInterval == 0 {
            improver.start(on: world, at: tick, iterations: settings.improveIterations)
        }
        if tick.seconds % Engine.scanInterval == 0 {
            let started = stopwatch?.start()
            desk.scanExceptions(at: tick)
            stopwatch?.record(.scan, since: started)
        }
    }

    /// Asked between ticks of a long catch-up by `advance(to:)` (the board passes its signal check, so a catch-up
    /// never holds off SIGTERM): true stops it there, to go on at the next `advance`. Never inside `submit`, whose
    /// input must follow every tick before it, so the journal's order is the same however time was sliced.
    public var interrupted: (() -> Bool)?

    /// The grid of timed work: escalation deadlines are checked every minute.
    public static let tickInterval: Int64 = 60
    /// Simulated seconds between the start of a plan search and the taking of its outcome: the time it has to run
    /// on its own thread while the day goes on.
    public static let searchLatency: Int64 = 60
    /// Seconds between scans for exceptions (and "arriving soon" messages).
    public static let scanInterval: Int64 = 300

    /// Seconds between attempts to place orders no rider could take.
    public static let retryInterval: Int64 = 300
    /// Seconds between attempts that try every waiting order, whether or not room freed on a rider it was priced on.
    public static let fullRetryInterval: Int64 = 1800

    /// Flushes the journal to disk (on exit, signals, and once a second in live mode).
    public func sync() { journal?.sync() }
    public func syncIfDue() { journal?.syncIfDue() }
    /// Keeps the journal's steps in memory until `writeOut()`: for a caller that writes out before any effect of
    /// them leaves the process (the HTTP server's group commit), one write(2) a pass instead of one a step.
    public func holdJournalWrites() { journal?.hold(true) }

    /// Ends the step under way and hands everything journaled so far to the kernel (the fsync is the caller's,
    /// see `GroupCommit`); stops the core when that fails, as a failed step does.
    public func writeOut() { ledger.writeOut() }

    /// Journals one of the core's own decisions (see `CoreLedger.decide`).
    func decide(_ body: EventBody, at time: Instant) { ledger.decide(body, at: time) }

    /// Writes the step under way as one piece (see `CoreLedger.endStep`).
    func endStep() { ledger.endStep() }
}

/// How the engine plans and acts: when the day's plan is locked, how much it does on its own, and its policy.
public struct EngineSettings: Sendable {
    /// How much the core does after the plan is locked.
    public enum Mode: String, CaseIterable, Sendable {
        /// Keep the 06:00 plan: new orders are inserted, nothing is re-planned, exceptions are only observed.
        case `static`
        /// Re-plan on events (arrivals, cancellations, traffic, breakdowns); exceptions are only observed.
        case continuous
        /// Re-plan on events, resolve routine exceptions, escalate the rest; an escalation nobody answers takes
        /// its default at the deadline.
        case continuousAuto = "continuous-auto"
    }

    public var planLock: Instant
    public var mode: Mode
    public var policy: Policy
    /// Inputs dated later are refused (see `Scenario.latestEventTime`); nil: no bound (tests, benches).
    public var latestEventTime: Instant?
    /// Ruin-and-recreate iterations run on the live plan every `improveInterval` (not in static mode); 0: none.
    public var improveIterations = 12
    public var improveInterval: Int64 = 900
    /// How long before its window opens an order is planned: the lock plans the orders due within it, the rest are
    /// held and released as their windows come near (see `Dispatcher.dueTime`). A large city's day is planned in
    /// the waves it is driven in, each inserted into routes whose earlier stops are done by then, not all at 06:00
    /// into routes of a whole shift each. nil: everything at the lock.
    public var planHorizon: Int64?
    /// Seconds of work (on a monotonic clock, not the day's) the 06:00 plan may take: a large city's plan of the
    /// whole day stops inserting at `Dispatcher.insertionShare` of it and holds the orders left for their waves,
    /// so the core is never blocked for long at the lock. A plan the budget cuts depends on the machine's speed;
    /// its decisions are journaled like any other, so replay and resume are exact. nil: no budget.
    public var planBudget: Double?
    /// How many orders the 06:00 plan must have before it is split by hub and the hubs planned at once on every
    /// core (see `LockPlan`): a split plan finds each order its place among its own hub's riders first, so it is
    /// for cities whose hubs have riders enough for their own orders; a small city is planned whole. nil: never.
    public var planSplitFrom: Int? = EngineSettings.defaultPlanSplitFrom
    public static let defaultPlanSplitFrom = 5_000

    public init(planLock: Instant, mode: Mode = .continuousAuto, policy: Policy = .standard, latestEventTime: Instant? = nil) {
        self.planLock = planLock
        self.latestEventTime = latestEventTime
        self.mode = mode
        self.policy = policy
    }
}
