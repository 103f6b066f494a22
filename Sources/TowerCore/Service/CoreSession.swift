import Foundation

/// One day's core as it runs: the engine with its source of events, its clock and pace, and the projections the
/// core keeps of what it commits (the recent log, the KPI trend, the outboxes). The one writer: a board in
/// process (`tower`), or `tower serve` for every attached board, calls `step` and `perform` from one thread.
public final class CoreSession {
    public let engine: Engine
    public let source: EventSource
    /// The time shown: the simulation's clock, or a feed's last event.
    public private(set) var now: Instant
    /// The speed asked for (simulated seconds per real second) and whether the clock is paused.
    public private(set) var speed: Double
    public private(set) var paused: Bool
    /// Set while `ClockPace` holds the clock for people's decisions.
    public private(set) var held: String?
    /// Whether anyone decides here: off for a demo, whose clock is never held.
    public let peopleDecide: Bool
    /// The lowest role that may set the pace: anyone on one's own board; a supervisor on a shared core.
    public var paceRole: Role = .dispatcher
    /// Notable events, newest first, for the boards.
    public private(set) var log = RecentLog()
    /// The day told in captions (for the demo).
    public private(set) var captions = StoryCaptions()
    /// The KPIs through the day (taken over from the start's `DayProjections`, then fed every event).
    public var trend: KPITrend?
    /// Where messages to customers and riders are written once the journal has their event.
    public var outboxes: [Outbox] = []
    /// Told every event the engine commits, after the session's projections (a server broadcasts it).
    public var onEvent: ((Event) -> Void)?
    /// The outlook every board draws, timed once for all of them (`refreshOutlook`, `outlook`).
    public let outlooks = OutlookPublisher()
    /// Simulated time owed to the clock that has not made a whole second yet.
    private var carried = 0.0

    public init(engine: Engine, source: EventSource, start: Instant, speed: Double, paused: Bool = false, peopleDecide: Bool = true) {
        self.engine = engine
        self.source = source
        now = start
        self.speed = speed
        self.paused = paused
        self.peopleDecide = peopleDecide
        captions.begin(world: engine.world, at: start, planLock: engine.settings.planLock)
        engine.observer = { [unowned self] event in
            self.log.note(event, world: self.engine.world)
            self.captions.note(event, world: self.engine.world)
            for outbox in self.outboxes { outbox.take(event, world: self.engine.world) }
            self.trend?.note(event, world: self.engine.world)
            self.onEvent?(event)
        }
    }

    /// Takes over the projections noted while the day was replayed and caught up (see `SessionStarter.start`).
    public func adopt(_ projections: DayProjections) {
        log = projections.log
        trend = projections.trend
    }

    /// Moves the day on by `elapsed` real seconds at the current pace, then writes out what the journal now holds.
    /// Returns problems to show (an outbox that cannot be written); never throws: the core goes on.
    @discardableResult
    public func step(elapsed: Double) -> [String] {
        guard engine.halted == nil else { return [] }
        let world = engine.world
        let waiting = world.escalatedCases.count
        let undoOpen = world.lastDecisions.values.contains { !$0.undone && now - $0.at <= World.undoWindow }
        let pace = ClockPace(requested: speed, waiting: waiting, undoOpen: undoOpen, mode: engine.settings.policy.humanTime,
                             peopleDecide: peopleDecide)
        held = pace.held
        if !paused, !source.isFinished {
            // Whole simulated seconds pass; the fraction is carried, so ×1 moves the clock one second a second.
            carried += elapsed * pace.speed
            let whole = Int64(carried)
            carried -= Double(whole)
            source.advance(to: now + whole, engine: engine)
            now = source.clock(proposed: now + whole, engine: engine)
        } else if !source.hasPace {
            // A core whose clock is its inputs' follows the ones that come another way (HTTP, phones), also once its
            // feed has ended (stdin closed) or while it is paused: boards and the API time the day from here.
            now = source.clock(proposed: now, engine: engine)
        }
        engine.syncIfDue()
        guard engine.halted == nil else { return [] }  // the journal lacks the last step: its messages must not go out
        do { for outbox in outboxes { try outbox.flush() } } catch { return ["\(error)"] }
        return []
    }

    /// Takes the outlook timed since the last call and starts the next when the day has moved on: called by whoever
    /// shows it (a board in process, a server with boards attached), never when nobody looks.
    public func refreshOutlook() {
        outlooks.refresh(engine, at: now, horizon: engine.settings.policy.decisionHorizon)
    }

    /// The latest outlook for boards (timed now if there is none yet).
    public var outlook: TimedOutlook { outlooks.current(engine, at: now, horizon: engine.settings.policy.decisionHorizon) }

    /// The time stamped on an input that arrives without one (a driver app's stop, a phone that sent no time): the
    /// simulated clock in a simulation; else the wall clock, never before the last event.
    public var inputTime: Instant {
        guard !source.hasPace else { return max(now, engine.world.clock ?? now) }
        let wall = Instant(seconds: Int64(Date().timeIntervalSince1970))
        return max(wall, engine.world.clock ?? wall)
    }

    public var status: CoreStatus {
        CoreStatus(now: now.seconds, seq: engine.world.lastSeq, speed: speed, paused: paused, held: held, label: source.label,
                   deadLetters: source.deadLetters, finished: source.isFinished, finishedMessage: source.finishedMessage,
                   halted: engine.halted?.message)
    }

    /// Checks, journals and carries out `command` for `person`; the reply says what was done or why not.
    public func perform(_ command: OperatorCommand, by person: OperatorIdentity) -> CommandReply {
        let world = engine.world
        let at = max(now, world.clock ?? now)
        let body: EventBody
        let done: String
        switch command {
        case let .pace(newSpeed, newPaused):
            return setPace(speed: newSpeed, paused: newPaused, by: person)
        case let .approve(exception, option):
            body = .exceptionApproved(exception: exception, option: option, operator: person.name)
            // Any number may arrive on a socket: only 1... names an option (the engine refuses one that does not exist).
            let summary = option >= 1 ? world.exceptions[exception]?.options.dropFirst(option - 1).first?.summary ?? "" : ""
            done = "approved \(exception) option \(option): \(summary)"
        case let .reject(exception, reason):
            body = .exceptionRejected(exception: exception, operator: person.name, reason: TextSanitizer.clean(reason))
            done = "rejected \(exception)"
        case let .assign(order, rider, confirmed):
            body = .orderPinned(order: order, rider: rider)
            let outcome: RemedyPlanner.Outcome
            do { outcome = try engine.preview(pin: order, to: rider, by: person.name, as: person.role, at: at) } catch {
                return CommandReply(.refused, "cannot assign: \(error.reason)")
            }
            let impact = "cost \(String(format: "%+.2f", outcome.costDelta)) \(world.costUnit), late \(outcome.lateBefore)→\(outcome.lateAfter)"
            // Waiving a channel rule is never done without a second key, whatever it costs.
            let waiving = outcome.remedy.kind == .waive ? world.orders[order].map { RemedyPlanner.waiving(rider, $0, in: world) } ?? "" : ""
            if !confirmed, outcome.costDelta > engine.settings.policy.costLimit || outcome.lateAfter > outcome.lateBefore || !waiving.isEmpty {
                return CommandReply(.confirm, "put \(order) on \(rider)\(waiving): \(impact)? y to confirm")
            }
            done = "\(order) put on \(rider) (\(impact))"
        case .undo:
            guard let last = world.lastDecisions[person.name] else {
                return CommandReply(.refused, "nothing to undo: \(person.name) has made no decision today")
            }
            guard !last.undone else {
                return CommandReply(.refused, "nothing to undo: \(Self.describe(last)) was undone already")
            }
            body = .decisionUndone(decision: last.id, operator: person.name)
            done = "undone: " + Self.describe(last)
        }
        let event = Event(id: "\(person.name)@\(world.lastSeq + 1)", at: at, by: person.name, body: body, role: person.role)
        // A decision is journaled as a person's input and read back as one: what the reader would refuse (a reason
        // past an input's 1,000 bytes, from a socket's client) would leave a journal no restart can read.
        do { _ = try EventCodec.decode(line: EventCodec.encode(event, utcOffsetSeconds: world.utcOffsetSeconds)) } catch {
            return CommandReply(.refused, "refused: \(error.field) \(error.reason)")
        }
        do {
            try engine.submit(event)
            return CommandReply(.done, done)
        } catch {
            return CommandReply(.refused, (command == .undo ? "cannot undo: " : "refused: ") + error.reason)
        }
    }

    private func setPace(speed newSpeed: Double?, paused newPaused: Bool?, by person: OperatorIdentity) -> CommandReply {
        guard source.hasPace else { return CommandReply(.refused, "a feed's clock is its events' time: it has no speed to set") }
        guard person.role >= paceRole else {
            return CommandReply(.refused, "only a \(paceRole.rawValue) sets the pace of this shared core (\(person.name) is a \(person.role.rawValue))")
        }
        if let newSpeed {
            guard newSpeed.isFinite, (0.1...3600).contains(newSpeed) else {
                return CommandReply(.refused, "speed \(newSpeed) is outside 0.1 to 3600 simulated seconds per second")
            }
            speed = newSpeed
        }
        if let newPaused { paused = newPaused }
        return CommandReply(.done, paused ? "paused" : newSpeed != nil ? "speed ×\(formatNumber(speed))" : "running")
    }

    /// An operator's decision in a few words, for the status line.
    static func describe(_ decision: OperatorDecision) -> String {
        switch decision.kind {
        case let .approved(exception, option): return "option \(option) of \(exception) (back in the queue)"
        case let .rejected(exception): return "the rejection of \(exception) (back in the queue)"
        case let .pinned(order, rider): return "\(order) on \(rider)"
        }
    }
}
