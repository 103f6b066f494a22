import Foundation

/// The one writer of the world. Every change, input or decision, goes through `submit`:
/// check → journal → apply → react. Used from one thread (the run loop); not shared.
public final class Engine {
    public private(set) var world: World
    public let planner: InsertionPlanner
    public let settings: EngineSettings
    /// Who may decide what (the roster, if any): checked for every operator decision, whatever its source.
    public var authority = Authority()
    let detector: ExceptionDetector
    let remedies: RemedyPlanner
    /// Where events are written before they apply; nil for dry runs.
    public var journal: EventSink?
    /// Orders that no rider could take yet; retried as the day moves.
    var waiting: Set<String> = []
    /// Riders something happened to since the last retry that could make room for a waiting order (a delivery
    /// done or failed, a shift started, a recovery, a cancelled order of theirs).
    var roomFreed: Set<String> = []
    /// Whether every waiting order is to be tried again at the next retry (at the start, and when a rider joins).
    var retryEveryone = true
    /// The riders priced for each waiting order the last time it found no place: it is tried again when room
    /// frees on one of them, and every `fullRetryInterval` in any case (riders move nearer; new ones come on shift).
    var lastTried: [String: Set<String>] = [:]
    /// How far `advance(to:)` has run the timed work.
    var advancedTo: Instant?
    /// Called after every event is applied (the board keeps a log of notable ones).
    public var observer: ((Event) -> Void)?
    /// The online ETA learner, when the engine runs one: fed every committed event, and the model of the outlook
    /// the detectors scan and the board shows, so "predicted late" and the at-risk list come from one prediction.
    public private(set) var learner: OnlineETA?
    /// Where plan searches run: inline by default; the board gives them a thread of their own
    /// (`runPlanSearches(on:)`).
    public internal(set) var planSearch: PlanSearchRunner = InlinePlanSearch()
    /// The plan search running, if any.
    var searchInFlight: PlanSearch?
    /// The last event of the last checkpoint written or resumed from (see `writeCheckpoint`).
    var checkpointEnd: Int64?
    /// Times the engine's work when set (`tower bench scale`); decisions never read it.
    public var stopwatch: EngineStopwatch?

    /// - Parameter learner: the online ETA learner, already fed every event of `world` (see `Replayer`), or nil to
    ///   predict with the travel model alone.
    public init(world: World = World(), journal: EventSink?, settings: EngineSettings, planner: InsertionPlanner = InsertionPlanner(),
                learner: OnlineETA? = nil) {
        self.world = world
        self.learner = learner
        self.journal = journal
        self.settings = settings
        self.planner = planner
        detector = ExceptionDetector(thresholds: settings.policy.thresholds)
        remedies = RemedyPlanner(planner: planner, policy: settings.policy)
        for id in world.orderIDs where world.orders[id]?.status == .open { waiting.insert(id) }
        advancedTo = world.clock
    }

    /// The outlook at `now`, as the detectors see it (the learned model's when the engine runs one).
    public func outlook(at now: Instant, horizon: Int64? = nil) -> Outlook {
        Outlook(world: world, now: now, planner: planner, learned: learner?.model, horizon: horizon)
    }

    public var planLocked: Bool { world.clock.map { $0 >= settings.planLock } ?? false }

    /// Accepts an input event: refuses it with the reason when it does not fit; else runs the timed work due
    /// before it (a feed may jump past the plan lock), then journals, applies and reacts.
    public func submit(_ input: Event) throws(EventError) {
        let started = stopwatch?.start()
        defer { stopwatch?.record(.event, since: started) }
        if let halted { throw EventError(field: "", reason: halted.message) }
        if input.isCoreDecision {
            throw EventError(field: "by", reason: "\"core\" is this core's own name: its decisions are made here, never taken as input")
        }
        if let latest = settings.latestEventTime, input.at > latest {
            let offset = world.utcOffsetSeconds
            throw EventError(field: "at", reason: "\(ISOTime.format(input.at, offsetSeconds: offset)) is past the day this core runs (events up to \(ISOTime.format(latest, offsetSeconds: offset)))")
        }
        try world.check(input)
        var input = input
        input.role = input.isOperatorDecision ? try authorize(input) : nil  // a role means something on a decision only
        advance(to: input.at, interruptible: false)  // the input must come after all the timed work before it
        try checkDecision(input)
        let shown = detector.findings(for: input, before: world)
        commit(input)
        react(to: input)
        for finding in shown { raise(finding, at: input.at) }
        endStep()
    }

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
            planDay(at: settings.planLock)
            stopwatch?.record(.planDay, since: started)
            endStep()
            from = settings.planLock  // ticks up to the lock have nothing to do
            advancedTo = from
        }
        var tick = Instant(seconds: (from.seconds / Engine.tickInterval + 1) * Engine.tickInterval)
        while tick <= time, halted == nil {
            if tick > settings.planLock {
                if tick.seconds % Engine.retryInterval == 0, !waiting.isEmpty, retryEveryone || !roomFreed.isEmpty {
                    let started = stopwatch?.start()
                    let everyone = retryEveryone || tick.seconds % Engine.fullRetryInterval == 0
                    let freed = roomFreed
                    retryEveryone = false
                    roomFreed = []
                    for id in waiting.sorted() where everyone || !(lastTried[id].map { $0.isDisjoint(with: freed) } ?? false) {
                        placeWaiting(id, at: tick)
                    }
                    stopwatch?.record(.retry, since: started)
                }
                takeDefaults(at: tick)
                if let search = searchInFlight, tick >= search.now + Engine.searchLatency { finishPlanSearch(at: tick) }
                if settings.mode != .static, settings.improveIterations > 0, tick.seconds % settings.improveInterval == 0 {
                    startPlanSearch(at: tick)
                }
                if tick.seconds % Engine.scanInterval == 0 {
                    let started = stopwatch?.start()
                    scanExceptions(at: tick)
                    stopwatch?.record(.scan, since: started)
                }
            }
            advancedTo = tick
            tick = tick + Engine.tickInterval
            if interruptible, interrupted?() ?? false { break }
        }
        if tick > time { advancedTo = time }
        endStep()
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
    public func writeOut() {
        endStep()
        journal?.hold(false)
        guard halted == nil else { return }
        do { try journal?.flush() } catch {
            halted = ToolError("stopped: \(error); inputs not yet answered were not written (their senders try again)")
        }
    }

    // MARK: Committing

    /// Why the engine stopped accepting events: the journal could not be written (a full disk, a lost mount).
    /// Nothing is applied after that, so the world never runs ahead of its journal.
    public private(set) var halted: ToolError?

    private func commit(_ event: Event) {
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
        learner?.note(event, world: world)
        observer?(event)
        // After the event's observers, so the record of the model that now times decisions follows it.
        if let retrained = learner?.takeRetrained() { decide(.etaRetrained(version: retrained.version, rows: retrained.rows), at: event.at) }
    }

    /// The first event of the step under way (see `EventSink.endStep`).
    private var stepStart: Int64?

    /// Writes the step under way as one piece. When that fails the engine stops: the step is in memory but not on
    /// disk, so nothing of it may leave the process, and the next start makes it again from its input.
    func endStep() {
        guard halted == nil, let first = stepStart else { return }
        stepStart = nil
        do { try journal?.endStep() } catch {
            halted = ToolError("stopped: \(error); events \(first)–\(world.lastSeq) were not written and are made again at the next start")
        }
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
    }

    /// Decisions the core drew up but could not make (see `decide`); empty unless something is wrong.
    public private(set) var unmadeDecisions: [String] = []

    // MARK: Reacting

    private func react(to event: Event) {
        let now = event.at
        switch event.body {
        case let .exceptionApproved(id, option, _):
            carryOut(option: option, of: id, at: now)
            return
        case let .orderPinned(order, rider):
            carryOut(pin: order, to: rider, by: event.by, at: now)
            return
        case let .decisionUndone(id, op):
            carryOut(undo: id, by: op, at: now)
            return
        case let .pickupDone(rider, order):
            routeParcelOnBoard(order, of: rider, at: now)
        default:
            break
        }
        guard settings.mode != .static else {
            if case let .orderCreated(order) = event.body { arrived(order, at: now) }
            return
        }
        switch event.body {
        case let .deliveryDone(rider, _), let .deliveryFailed(rider, _, _), let .shiftStarted(rider), let .riderRecovered(rider):
            roomFreed.insert(rider)
        case .riderRegistered:
            retryEveryone = true
        case let .orderCreated(order):
            arrived(order, at: now)
        case let .orderCancelled(id, _):
            waiting.remove(id)
            lastTried[id] = nil
            if let rider = world.orders[id]?.rider {
                roomFreed.insert(rider)
                retime(rider, at: now, trigger: "order \(id) cancelled")
            }
        case let .orderUpdated(id, _):
            if let rider = world.orders[id]?.rider, !(world.orders[id]?.status.isFinal ?? true) {
                retime(rider, at: now, trigger: "order \(id) changed")
            }
        case let .riderBreakdown(id, _):
            guard planLocked else { return }
            reassignUnpicked(of: id, at: now, reason: "rider \(id) broke down")
        case let .trafficIncident(_, zone, _, _, _):
            guard planLocked else { return }
            for id in world.riderIDs where !(world.routes[id]?.stops.isEmpty ?? true) {
                if world.routes[id]!.stops.contains(where: { world.orders[$0.order]?.zone == zone }) {
                    retime(id, at: now, trigger: "traffic in \(zone)")
                }
            }
        default:
            break
        }
    }

    /// A new order: placed at once after the lock, else kept for the day's plan.
    private func arrived(_ order: Order, at time: Instant) {
        if planLocked { place(order.id, at: time, trigger: "order \(order.id) arrived") } else { waiting.insert(order.id) }
    }

    /// Builds the day's plan at the lock: every open order, most urgent first, by cheapest insertion.
    private func planDay(at time: Instant) {
        let open = world.orderIDs.compactMap { world.orders[$0] }.filter { $0.status == .open }
            .sorted { ($0.window.end, -$0.tier.rank, $0.id) < ($1.window.end, -$1.tier.rank, $1.id) }
        var scratch = world
        scratch.clock = time
        var changed: [String: (before: Double, after: Double)] = [:]
        for order in open {
            let allocation = planner.allocation(of: order, in: scratch, now: time)
            guard let insertion = allocation.best else {
                lastTried[order.id] = Set(allocation.tried)
                continue
            }
            let reason = "06:00 plan: " + allocationReason(order, allocation: allocation, chosen: insertion, at: time, in: scratch)
            scratch.setRoute(Route(stops: insertion.stops, plannedAt: time), of: insertion.rider)
            var assigned = order
            assigned.status = .assigned
            assigned.rider = insertion.rider
            scratch.putOrder(assigned)
            changed[insertion.rider] = (changed[insertion.rider]?.before ?? insertion.costBefore, insertion.costAfter)
            waiting.remove(order.id)
            decide(.orderAssigned(order: order.id, rider: insertion.rider, reason: reason), at: time)
        }
        for id in world.riderIDs where changed[id] != nil {
            var stops = scratch.routes[id]!.stops
            var after = changed[id]!.after
            if let better = improved(stops, of: id, at: time, in: scratch) { (stops, after) = better }
            decide(.routePlanned(rider: id, stops: stops, trigger: "plan lock", costBefore: changed[id]!.before, costAfter: after), at: time)
        }
        for order in open where world.orders[order.id]?.status == .open { waiting.insert(order.id) }
    }

    private func place(_ id: String, at time: Instant, trigger: String) {
        guard let order = world.orders[id] else { return }
        var allocation = planner.allocation(of: order, in: world, now: time)
        if allocation.best == nil, freeThirdPartySlot(for: order, at: time) { allocation = planner.allocation(of: order, in: world, now: time) }
        guard let insertion = allocation.best else {
            lastTried[id] = Set(allocation.tried)
            if !waiting.contains(id) {
                waiting.insert(id)
                let rules = channelRefusals(of: order)
                decide(.orderUnassigned(order: id, reason: "no rider can take it now\(rules.isEmpty ? "" : " (\(rules))"); retrying every 5 minutes"),
                       at: time)
            }
            return
        }
        waiting.remove(id)
        lastTried[id] = nil
        decide(.orderAssigned(order: id, rider: insertion.rider, reason: allocationReason(order, allocation: allocation, chosen: insertion, at: time)), at: time)
        var stops = insertion.stops
        var after = insertion.costAfter
        if let improved = improved(stops, of: insertion.rider, at: time) { (stops, after) = improved }
        decide(.routePlanned(rider: insertion.rider, stops: stops, trigger: trigger, costBefore: insertion.costBefore, costAfter: after), at: time)
    }

    /// Why this rider: the chosen channel's marginal cost and whether the delivery keeps its window, and the best
    /// of each other channel beside it (or why a channel could not take it), e.g.
    /// `own R14 +1.09, on time; next: 3pl R22 +4.20, on time; gig: none can take it (critical)`. Another channel's
    /// best is the one the search that chose found (`allocation`); a channel it found none of is searched on its
    /// own, over fewer candidates. `world` is the plan being built (the day's plan at the lock), else the engine's.
    func allocationReason(_ order: Order, allocation: InsertionPlanner.Allocation, chosen: InsertionPlanner.Insertion, at time: Instant,
                          in world: World? = nil) -> String {
        let world = world ?? self.world
        func fit(_ insertion: InsertionPlanner.Insertion) -> String {
            guard let eta = insertion.stops.first(where: { $0.order == order.id && $0.kind == .delivery })?.eta else { return "" }
            return eta <= order.window.end ? "on time" : "late by \(Int((Double(eta - order.window.end) / 60).rounded())) min"
        }
        func describe(_ insertion: InsertionPlanner.Insertion) -> String {
            let channel = world.riders[insertion.rider]?.profile.channel.rawValue ?? "?"
            return "\(channel) \(insertion.rider) \(String(format: "%+.2f", insertion.delta)), \(fit(insertion))"
        }
        let chosenChannel = world.riders[chosen.rider]?.profile.channel
        var others: [String] = []
        for channel in Channel.allCases where channel != chosenChannel {
            if let best = allocation.byChannel[channel]
                ?? planner.allocation(of: order, in: world, now: time, among: [channel], wanted: Engine.reasonCandidates).best {
                others.append(describe(best))
            } else {
                let rule = world.channelRefusal(channel, for: order).map { " (\($0))" } ?? ""
                others.append("\(channel.rawValue): none can take it\(rule)")
            }
        }
        let pinned = order.pinnedRider == chosen.rider ? "pinned by the dispatcher; " : ""
        return pinned + describe(chosen) + (others.isEmpty ? "" : "; next: " + others.joined(separator: "; "))
    }

    /// Riders of a channel priced for the reason text when the search that chose found none of that channel.
    static let reasonCandidates = 3

    /// `stops` for `riderID` after moving single deliveries to better places, or nil when nothing improves.
    private func improved(_ stops: [Stop], of riderID: String, at time: Instant, in world: World? = nil) -> (stops: [Stop], cost: Double)? {
        let world = world ?? self.world
        guard let rider = world.riders[riderID] else { return nil }
        return RouteImprover(evaluator: planner.evaluator).improve(stops, rider: rider, start: planner.start(of: rider, now: time, in: world),
                                                                    frozen: planner.frozenPrefix(of: rider, route: stops), in: world)
    }

    private func placeWaiting(_ id: String, at time: Instant) {
        guard let order = world.orders[id], order.status == .open else { waiting.remove(id); lastTried[id] = nil; return }
        place(id, at: time, trigger: "retry of waiting order \(id)")
    }

    private func reassignUnpicked(of riderID: String, at time: Instant, reason: String) {
        let stops = world.routes[riderID]?.stops ?? []
        // A feed may report a delivery without its pickup: only orders still to be delivered move.
        let unpicked = stops.filter { $0.kind == .pickup && !(world.orders[$0.order]?.status.isFinal ?? true) }.map(\.order)
        guard !unpicked.isEmpty else { return }
        let before = planner.retimed(world.riders[riderID]!, in: world, now: time).cost
        for id in unpicked {
            guard let order = world.orders[id],
                  let insertion = planner.bestInsertion(of: order, in: world, now: time, excluding: [riderID]) else {
                decide(.orderUnassigned(order: id, reason: reason + "; no other rider can take it"), at: time)
                waiting.insert(id)
                lastTried[id] = nil  // not priced on the others yet: tried at the next retry
                continue
            }
            decide(.orderReassigned(order: id, from: riderID, to: insertion.rider, reason: reason), at: time)
            decide(.routePlanned(rider: insertion.rider, stops: insertion.stops, trigger: reason,
                                 costBefore: insertion.costBefore, costAfter: insertion.costAfter), at: time)
        }
        let after = planner.retimed(world.riders[riderID]!, in: world, now: time)
        decide(.routePlanned(rider: riderID, stops: after.stops, trigger: reason, costBefore: before, costAfter: after.cost), at: time)
    }

    /// A parcel picked up by a rider whose route does not deliver it (the feed reported the pickup by another rider
    /// than the plan's): its delivery goes into that rider's route, at the cheapest place, or last when no place
    /// keeps every window, since the parcel is on that bike whatever the plan said.
    private func routeParcelOnBoard(_ orderID: String, of riderID: String, at time: Instant) {
        guard let order = world.orders[orderID], order.status == .pickedUp, let rider = world.riders[riderID],
              !(world.routes[riderID]?.stops.contains { $0.order == orderID && $0.kind == .delivery } ?? false) else { return }
        let trigger = "\(riderID) picked up \(orderID)"
        if let insertion = planner.bestInsertion(of: order, into: rider, in: world, now: time, conditions: TravelConditions(world)) {
            decide(.routePlanned(rider: riderID, stops: insertion.stops, trigger: trigger, costBefore: insertion.costBefore,
                                 costAfter: insertion.costAfter), at: time)
            return
        }
        let before = planner.retimed(rider, in: world, now: time).cost
        var scratch = world
        let route = scratch.routes[riderID] ?? Route(stops: [], plannedAt: time)
        scratch.setRoute(Route(stops: route.stops + [Stop(order: orderID, kind: .delivery, eta: time)], plannedAt: route.plannedAt), of: riderID)
        let after = planner.retimed(rider, in: scratch, now: time)
        decide(.routePlanned(rider: riderID, stops: after.stops, trigger: trigger, costBefore: before, costAfter: after.cost), at: time)
    }

    private func retime(_ riderID: String, at time: Instant, trigger: String) {
        guard let rider = world.riders[riderID] else { return }
        let before = world.routes[riderID].map { route in
            planner.evaluator.evaluate(route.stops, rider: rider, from: planner.start(of: rider, now: route.plannedAt, in: world), in: world).cost
        } ?? 0
        let after = planner.retimed(rider, in: world, now: time)
        decide(.routePlanned(rider: riderID, stops: after.stops, trigger: trigger, costBefore: before, costAfter: after.cost), at: time)
    }
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

    public init(planLock: Instant, mode: Mode = .continuousAuto, policy: Policy = .standard, latestEventTime: Instant? = nil) {
        self.planLock = planLock
        self.latestEventTime = latestEventTime
        self.mode = mode
        self.policy = policy
    }
}
