import Foundation
import TowerCore

/// The live loop: keys in, frames out; the core (in process or over its socket, see `CoreLink`) moves time on and
/// owns every decision. One thread.
public final class BoardApp {
    public let link: CoreLink
    public private(set) var model: BoardModel
    private var theme: Theme
    private let glyphs: Glyphs
    private let themeDirectories: [String]
    /// NO_COLOR is set: themes may change attributes, never colours.
    private let colorForbidden: Bool
    private let terminal: NcursesTerminal
    private var rows = BoardModel.Rows()
    /// The KPIs of the world as of event `seq`: recomputed when an event arrives, not on every frame.
    private var kpiCache: (seq: Int64, kpis: KPISample)?
    /// The outlook of the last frame, kept while no event arrived and the clock stayed in the same step, so key
    /// presses and idle redraws do not re-time every route.
    private var outlookCache: (generation: Int, seq: Int64, step: Int64, outlook: Outlook)?
    /// Simulated seconds an outlook stays current without events (ETAs are shown to the minute).
    static let outlookStep: Int64 = 15
    /// No bell and no flash when an escalation arrives (`--quiet`).
    public var quiet = false
    /// The core's story captions on the status line (the demo).
    public var showsCaptions = false
    /// Where the command line's history is kept across restarts (one command per line); nil: not kept.
    public var historyFile: String? {
        didSet {
            guard let historyFile, let data = FileManager.default.contents(atPath: historyFile) else { return }
            model.history = CommandHistory(entries: String(decoding: data, as: UTF8.self).split(separator: "\n").map { TextSanitizer.clean(String($0)) })
        }
    }
    /// Escalations already announced (those waiting when the board opened, or reattached, count as announced).
    private var announced: Set<String> = []
    /// The snapshot `announced` was taken from.
    private var announcedGeneration: Int
    /// The escalations waiting, by id, as of event `seq`: counted again only when an event arrives, not on every
    /// pass of the loop (twenty a second).
    private var waitingCache: (generation: Int, seq: Int64, ids: [String])?
    /// Until when the header flashes for the last new escalation.
    private var flashUntil = Date.distantPast
    /// Commands sent to the core and what the board asked, by id, until the reply comes.
    private var asked: [Int: BoardModel.Decision] = [:]

    public init(link: CoreLink, model: BoardModel, theme: Theme, terminal: NcursesTerminal, themeDirectories: [String], colorForbidden: Bool) {
        self.themeDirectories = themeDirectories
        self.colorForbidden = colorForbidden
        self.link = link
        self.model = model
        self.theme = theme
        self.terminal = terminal
        self.glyphs = terminal.isUTF8 ? .unicode : .ascii
        announcedGeneration = link.generation
        self.model.operatorName = link.identity.name
        self.model.role = link.identity.role
        announced = Set(escalationsWaiting())
    }

    /// How a run ended.
    public enum Ending: Equatable, Sendable {
        case quit
        case signal(Int32)
        /// The source finished and the app was asked to return then (demo mode starts over).
        case sourceFinished
        case halted
    }

    /// Runs until the user quits, a signal arrives or the core halts (its journal failed); with
    /// `returnWhenFinished`, also when the source has nothing more to give.
    public func run(returnWhenFinished: Bool = false) -> Ending {
        var lastTick = Date()
        var lastFrame = Date.distantPast
        var dirty = true
        var toldFinished = false
        var shown = (seq: Int64(-1), now: Int64(-1), label: "", generation: -1)
        while true {
            let signal = terminal.takeSignal()
            if signal != 0 { return .signal(signal) }
            if link.status.halted != nil { return .halted }
            if returnWhenFinished, link.status.finished { return .sourceFinished }
            let idle = link is LocalLink && (link.status.paused || link.status.finished)
            if let key = terminal.readKey(timeout: idle ? 250 : 50) {
                let remembered = model.history.entries
                let pace = (model.speed, model.paused)
                if key == .resize { terminal.invalidate() } else { model.handle(key, rows: rows) }
                if model.history.entries != remembered { keepHistory() }
                if let name = model.themeRequest { switchTheme(to: name) }
                if let decision = model.decisionRequest { submit(decision) }
                if (model.speed, model.paused) != pace {
                    _ = link.send(.pace(speed: model.speed != pace.0 ? model.speed : nil, paused: model.paused != pace.1 ? model.paused : nil))
                }
                if model.quitRequested { return .quit }
                dirty = true
            }
            let wall = Date()
            let elapsed = wall.timeIntervalSince(lastTick)
            lastTick = wall
            for note in link.pump(elapsed: elapsed) {
                take(note)
                dirty = true
            }
            let status = link.status
            (model.speed, model.paused) = (status.speed, status.paused)
            if model.held != status.held { model.held = status.held; dirty = true }
            let now = (status.seq, status.now, status.label, link.generation)
            if now != shown { shown = now; dirty = true }
            if announceEscalations(wall: wall) { dirty = true }
            if status.finished, !toldFinished {
                toldFinished = true
                model.message = status.finishedMessage
                dirty = true
            }
            // Frames are capped at 10 a second while the clock runs; input redraws at once; idle redraws once a second.
            if dirty && wall.timeIntervalSince(lastFrame) >= 0.1 || wall.timeIntervalSince(lastFrame) >= 1 {
                render(wall: wall)
                lastFrame = wall
                dirty = false
            }
        }
    }

    /// A reply or note from the core, on the status line; an assignment that needs confirming asks for `y`.
    private func take(_ note: LinkNote) {
        switch note {
        case let .note(text):
            model.message = text
        case let .reply(id, reply):
            let decision = asked.removeValue(forKey: id)
            if reply.outcome == .confirm, let decision { model.confirming = decision }
            model.message = reply.text
        }
    }

    /// A new escalation rings the bell and flashes the header (unless quiet); on a read-only board (a demo) its
    /// first option and its default are the caption on the status line. Returns whether the screen changed.
    private func announceEscalations(wall: Date) -> Bool {
        var changed = false
        if model.flashing, wall >= flashUntil { model.flashing = false; changed = true }
        if announcedGeneration != link.generation {
            announcedGeneration = link.generation
            announced = Set(escalationsWaiting())
            return true
        }
        let fresh = escalationsWaiting().filter { !announced.contains($0) }
        guard let last = fresh.last, let exception = link.world.exceptions[last] else { return changed }
        announced.formUnion(fresh)
        if model.readonly {
            model.message = BoardApp.caption(exception, world: link.world)
        } else if !quiet {
            terminal.bell()
            model.flashing = true
            flashUntil = wall.addingTimeInterval(1.5)
        }
        return true
    }

    /// The ids of the escalations waiting for a decision, in id order.
    private func escalationsWaiting() -> [String] {
        let world = link.world
        if waitingCache?.seq != world.lastSeq || waitingCache?.generation != link.generation {
            waitingCache = (link.generation, world.lastSeq, world.exceptions.values.filter { $0.state == .escalated }.map(\.id).sorted())
        }
        return waitingCache!.ids
    }

    /// "E-0012 rider stalled R05 goes to a supervisor: best of 2: …; unanswered at 10:30, the core takes: …".
    static func caption(_ exception: ExceptionCase, world: World) -> String {
        let what = "\(exception.id) \(exception.kind.words) \(exception.subject)"
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

    /// Sends a decision to the core, which checks it (role, still waiting, not stale), journals it and replies.
    private func submit(_ decision: BoardModel.Decision) {
        model.decisionRequest = nil
        let confirmed = model.decisionConfirmed
        model.decisionConfirmed = false
        let command: OperatorCommand
        switch decision {
        case let .approve(exception, option): command = .approve(exception: exception, option: option)
        case let .reject(exception, reason): command = .reject(exception: exception, reason: reason)
        case let .assign(order, rider): command = .assign(order: order, rider: rider, confirmed: confirmed)
        case .undo: command = .undo
        }
        let id = link.send(command)
        if id < 0 {
            model.message = "not sent: the core is not connected"
        } else {
            asked[id] = decision
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
        let world = link.world
        let status = link.status
        let now = status.instant
        let step = now.seconds / BoardApp.outlookStep
        if outlookCache?.seq != world.lastSeq || outlookCache?.step != step || outlookCache?.generation != link.generation {
            outlookCache = (link.generation, world.lastSeq, step, link.outlook(at: now))
        }
        var snapshot = BoardSnapshot(world: world, outlook: outlookCache!.outlook, now: now, source: status.label, deadLetters: status.deadLetters,
                                     recent: link.recent, wallClock: BoardApp.wallClock(wall), costLimit: link.costLimit)
        if showsCaptions { snapshot.caption = link.caption(at: now) }
        if let trend = link.trend {
            if kpiCache?.seq != world.lastSeq { kpiCache = (world.lastSeq, trend.current(world: world)) }
            snapshot.kpis = kpiCache?.kpis
            snapshot.trend = trend.samples
        }
        if let eta = link.learner, let recent = eta.recentMAE {
            snapshot.learnedETA = BoardSnapshot.LearnedETA(mae: recent.model, baselineMAE: recent.baseline, legs: recent.legs, learned: eta.learned)
        }
        return snapshot
    }

    static func wallClock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) % 86400
        return Format.two(seconds / 3600) + ":" + Format.two(seconds / 60 % 60) + ":" + Format.two(seconds % 60)
    }
}
