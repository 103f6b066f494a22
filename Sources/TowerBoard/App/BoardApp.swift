import Foundation
import TowerCore

/// The live loop: keys in, time forward, frames out. One thread; the world changes only inside the engine.
public final class BoardApp {
    public let engine: Engine
    public let source: EventSource
    public private(set) var model: BoardModel
    private var theme: Theme
    private let glyphs: Glyphs
    private let themeDirectories: [String]
    /// NO_COLOR is set: themes may change attributes, never colours.
    private let colorForbidden: Bool
    private let terminal: NcursesTerminal
    private var log = RecentLog()
    private var rows = BoardModel.Rows()
    /// The simulated time shown.
    private var now: Instant
    /// Simulated time owed to the clock that has not made a whole second yet.
    private var carried = 0.0
    /// Decisions from `tower decide`, if the board follows an inbox.
    public var inbox: DecisionInbox?
    /// Where customer messages are written, once the journal has them.
    public var outbox: Outbox?
    /// The KPIs through the day (rebuilt from the journal at start by the caller, then fed every event).
    public var trend: KPITrend?
    /// The KPIs of the world as of event `seq`: recomputed when an event arrives, not on every frame.
    private var kpiCache: (seq: Int64, kpis: KPISample)?
    /// The outlook of the last frame, kept while no event arrived and the clock stayed in the same step, so key
    /// presses and idle redraws do not re-time every route.
    private var outlookCache: (seq: Int64, step: Int64, outlook: Outlook)?
    /// Simulated seconds an outlook stays current without events (ETAs are shown to the minute).
    static let outlookStep: Int64 = 15
    /// No bell and no flash when an escalation arrives (`--quiet`).
    public var quiet = false
    /// Where the command line's history is kept across restarts (one command per line); nil: not kept.
    public var historyFile: String? {
        didSet {
            guard let historyFile, let data = FileManager.default.contents(atPath: historyFile) else { return }
            model.history = CommandHistory(entries: String(decoding: data, as: UTF8.self).split(separator: "\n").map { TextSanitizer.clean(String($0)) })
        }
    }
    /// Escalations already announced (those waiting when the board opened count as announced).
    private var announced: Set<String> = []
    /// The escalations waiting, by id, as of event `seq`: counted again only when an event arrives, not on every
    /// pass of the loop (twenty a second).
    private var waitingCache: (seq: Int64, ids: [String])?
    /// Until when the header flashes for the last new escalation.
    private var flashUntil = Date.distantPast

    public init(engine: Engine, source: EventSource, start: Instant, model: BoardModel, theme: Theme, terminal: NcursesTerminal,
                themeDirectories: [String], colorForbidden: Bool) {
        self.themeDirectories = themeDirectories
        self.colorForbidden = colorForbidden
        self.engine = engine
        self.source = source
        self.model = model
        self.theme = theme
        self.terminal = terminal
        self.glyphs = terminal.isUTF8 ? .unicode : .ascii
        self.now = start
        announced = Set(escalationsWaiting())
        engine.interrupted = { [unowned terminal] in terminal.signalPending }
        engine.observer = { [unowned self] event in
            self.log.note(event, world: self.engine.world)
            self.outbox?.take(event, world: self.engine.world)
            self.trend?.note(event, world: self.engine.world)
        }
    }

    /// How a run ended.
    public enum Ending: Equatable, Sendable {
        case quit
        case signal(Int32)
        /// The source finished and the app was asked to return then (demo mode starts over).
        case sourceFinished
        case halted
    }

    /// Runs until the user quits, a signal arrives or the engine halts (see `Engine.halted`); with
    /// `returnWhenFinished`, also when the source has nothing more to give.
    public func run(returnWhenFinished: Bool = false) -> Ending {
        var lastTick = Date()
        var lastFrame = Date.distantPast
        var dirty = true
        var toldFinished = false
        while true {
            let signal = terminal.takeSignal()
            if signal != 0 { return .signal(signal) }
            if engine.halted != nil { return .halted }
            if returnWhenFinished, source.isFinished { return .sourceFinished }
            let idle = model.paused || source.isFinished
            if let key = terminal.readKey(timeout: idle ? 1000 : 50) {
                let remembered = model.history.entries
                if key == .resize { terminal.invalidate() } else { model.handle(key, rows: rows) }
                if model.history.entries != remembered { keepHistory() }
                if let name = model.themeRequest { switchTheme(to: name) }
                if let decision = model.decisionRequest { submit(decision) }
                if model.quitRequested { return .quit }
                dirty = true
            }
            let wall = Date()
            let elapsed = wall.timeIntervalSince(lastTick)
            lastTick = wall
            let waiting = escalationsWaiting().count
            let undoOpen = engine.world.lastDecisions[model.operatorName].map { !$0.undone && now - $0.at <= World.undoWindow } ?? false
            let pace = BoardPace(requested: model.speed, waiting: waiting, undoOpen: undoOpen, mode: engine.settings.policy.humanTime,
                                 readonly: model.readonly)
            if model.held != pace.held { model.held = pace.held; dirty = true }
            if !model.paused, !source.isFinished {
                // Whole simulated seconds pass; the fraction is carried, so ×1 moves the clock one second a second.
                carried += elapsed * pace.speed
                let step = Int64(carried)
                carried -= Double(step)
                let proposed = now + step
                source.advance(to: proposed, engine: engine)
                now = source.clock(proposed: proposed, engine: engine)
                dirty = true
            }
            if let notes = inbox?.poll(engine: engine, now: now), let last = notes.last {
                model.message = last
                dirty = true
            }
            if announceEscalations(wall: wall) { dirty = true }
            if source.isFinished, !toldFinished {
                toldFinished = true
                model.message = source.finishedMessage
                dirty = true
            }
            engine.syncIfDue()
            writeOutbox()
            // Frames are capped at 10 a second while the clock runs; input redraws at once; idle redraws once a second.
            if dirty && wall.timeIntervalSince(lastFrame) >= 0.1 || wall.timeIntervalSince(lastFrame) >= 1 {
                render(wall: wall)
                lastFrame = wall
                dirty = false
            }
        }
    }

    /// A new escalation rings the bell and flashes the header (unless quiet); on a read-only board (a demo) its
    /// first option and its default are the caption on the status line. Returns whether the screen changed.
    private func announceEscalations(wall: Date) -> Bool {
        var changed = false
        if model.flashing, wall >= flashUntil { model.flashing = false; changed = true }
        let fresh = escalationsWaiting().filter { !announced.contains($0) }
        guard let last = fresh.last, let exception = engine.world.exceptions[last] else { return changed }
        announced.formUnion(fresh)
        if model.readonly {
            model.message = BoardApp.caption(exception, world: engine.world)
        } else if !quiet {
            terminal.bell()
            model.flashing = true
            flashUntil = wall.addingTimeInterval(1.5)
        }
        return true
    }

    /// The ids of the escalations waiting for a decision, in id order.
    private func escalationsWaiting() -> [String] {
        let world = engine.world
        if waitingCache?.seq != world.lastSeq {
            waitingCache = (world.lastSeq, world.exceptions.values.filter { $0.state == .escalated }.map(\.id).sorted())
        }
        return waitingCache!.ids
    }

    /// "E-0012 rider stalled R05 goes to a supervisor: best of 2: …; unanswered at 10:30, the core takes: …".
    static func caption(_ exception: ExceptionCase, world: World) -> String {
        let what = "\(exception.id) \(exception.kind.replacingOccurrences(of: "_", with: " ")) \(exception.subject)"
        let best = exception.options.first.map { "best of \(exception.options.count): \($0.summary)" } ?? "no options"
        let fallback = exception.options.first { $0.action == exception.defaultAction }?.summary ?? "do nothing"
        let deadline = exception.deadline.map { ISOTime.clock($0, offsetSeconds: world.utcOffsetSeconds) } ?? "its deadline"
        return TextSanitizer.clean("\(what) goes to a supervisor: \(best); unanswered at \(deadline), the core takes: \(fallback)")
    }

    /// Writes the command history out (it is small: rewritten whole); a failure is said, never fatal.
    private func keepHistory() {
        guard let historyFile else { return }
        do {
            try Data((model.history.entries.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: historyFile), options: .atomic)
        } catch {
            model.message = "command history not kept: \(error.localizedDescription)"
        }
    }

    /// Writes the messages of events the journal now holds (it is written first, so a crash loses none).
    private func writeOutbox() {
        guard engine.halted == nil else { return }  // the journal lacks the last step: its messages must not go out
        do { try outbox?.flush() } catch {
            model.message = "\(error)"
        }
    }

    /// Sends a supervisor's decision to the core as an event by the operator; a refusal (already decided,
    /// stale) is shown on the status line.
    private func submit(_ decision: BoardModel.Decision) {
        model.decisionRequest = nil
        let confirmed = model.decisionConfirmed
        model.decisionConfirmed = false
        let at = max(now, engine.world.clock ?? now)
        let id = "\(model.operatorName)@\(engine.world.lastSeq + 1)"
        let body: EventBody
        let done: String
        switch decision {
        case let .approve(exception, option):
            body = .exceptionApproved(exception: exception, option: option, operator: model.operatorName)
            let summary = engine.world.exceptions[exception]?.options.dropFirst(option - 1).first?.summary ?? ""
            done = "approved \(exception) option \(option): \(summary)"
        case let .reject(exception, reason):
            body = .exceptionRejected(exception: exception, operator: model.operatorName, reason: TextSanitizer.clean(reason))
            done = "rejected \(exception)"
        case let .assign(order, rider):
            body = .orderPinned(order: order, rider: rider)
            let outcome: RemedyPlanner.Outcome
            do { outcome = try engine.preview(pin: order, to: rider, by: model.operatorName, at: at) } catch {
                model.message = "cannot assign: \(error.reason)"
                return
            }
            let impact = "cost \(String(format: "%+.2f", outcome.costDelta)) \(engine.world.costUnit), late \(outcome.lateBefore)→\(outcome.lateAfter)"
            if !confirmed, outcome.costDelta > rows.costLimit || outcome.lateAfter > outcome.lateBefore {
                model.confirming = decision
                model.message = "put \(order) on \(rider): \(impact)? y to confirm"
                return
            }
            done = "\(order) put on \(rider) (\(impact))"
        case .undo:
            guard let last = engine.world.lastDecisions[model.operatorName] else {
                model.message = "nothing to undo: \(model.operatorName) has made no decision today"
                return
            }
            guard !last.undone else {
                model.message = "nothing to undo: \(BoardApp.describe(last)) was undone already"
                return
            }
            body = .decisionUndone(decision: last.id, operator: model.operatorName)
            done = "undone: " + BoardApp.describe(last)
        }
        do {
            try engine.submit(Event(id: id, at: at, by: model.operatorName, body: body, role: model.role))
            model.message = done
        } catch {
            model.message = (decision == .undo ? "cannot undo: " : "refused: ") + error.reason
        }
    }

    /// An operator's decision in a few words, for the status line.
    static func describe(_ decision: OperatorDecision) -> String {
        switch decision.kind {
        case let .approved(exception, option): return "option \(option) of \(exception) (back in the queue)"
        case let .rejected(exception): return "the rejection of \(exception) (back in the queue)"
        case let .pinned(order, rider): return "\(order) on \(rider)"
        }
    }

    /// Loads a theme asked for with `:theme`; a broken or missing one leaves the current theme, with the reason.
    private func switchTheme(to name: String) {
        model.themeRequest = nil
        if colorForbidden, name != "mono" {
            model.message = "NO_COLOR is set: staying on mono"
            return
        }
        let (loaded, warnings) = Theme.load(name, searchDirectories: themeDirectories)
        if let first = warnings.first, loaded.name == "dark", name != "dark" {
            model.message = first
            return
        }
        theme = loaded
        terminal.invalidate()
        model.message = "theme \(loaded.name)" + (warnings.first.map { " (\($0))" } ?? "")
    }

    private func render(wall: Date) {
        let size = terminal.size
        var buffer = ScreenBuffer(width: size.width, height: size.height)
        rows = BoardView.render(snapshot(wall: wall), model: model, theme: theme, glyphs: glyphs, into: &buffer)
        terminal.draw(buffer)
    }

    private func snapshot(wall: Date) -> BoardSnapshot {
        let world = engine.world
        let step = now.seconds / BoardApp.outlookStep
        if outlookCache?.seq != world.lastSeq || outlookCache?.step != step {
            outlookCache = (world.lastSeq, step, engine.outlook(at: now, horizon: engine.settings.policy.decisionHorizon))
        }
        let outlook = outlookCache!.outlook
        var snapshot = BoardSnapshot(world: world, outlook: outlook, now: now, source: source.label, deadLetters: source.deadLetters,
                                     recent: log.lines, wallClock: BoardApp.wallClock(wall), costLimit: engine.settings.policy.costLimit)
        if let trend {
            if kpiCache?.seq != world.lastSeq { kpiCache = (world.lastSeq, trend.current(world: world)) }
            snapshot.kpis = kpiCache?.kpis
            snapshot.trend = trend.samples
        }
        if let eta = engine.learner, let recent = eta.recentMAE {
            snapshot.learnedETA = BoardSnapshot.LearnedETA(mae: recent.model, baselineMAE: recent.baseline, legs: recent.legs, learned: eta.learned)
        }
        return snapshot
    }

    static func wallClock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) % 86400
        return Format.two(seconds / 3600) + ":" + Format.two(seconds / 60 % 60) + ":" + Format.two(seconds % 60)
    }
}
