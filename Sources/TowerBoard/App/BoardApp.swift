import Foundation
import TowerCore

/// The live loop: keys in, frames out; the core (in process or over its socket, see `CoreLink`) moves time on and
/// owns every decision. The loop is one thread; the outlook its frames draw is timed by the core, once for every
/// board, on a thread of the core's (`OutlookPublisher`).
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
    /// No bell and no flash when an escalation arrives (`--quiet`).
    public var quiet: Bool {
        get { model.quiet }
        set { model.quiet = newValue }
    }
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
    /// `returnWhenFinished`, also when the source has nothing more to give. Each pass: a key (if any) and the
    /// core's notes and status go to the model's update as messages; the commands it returns are carried out here,
    /// and what comes of them returns as messages.
    public func run(returnWhenFinished: Bool = false) -> Ending {
        var lastTick = Date()
        var lastFrame = Date.distantPast
        var dirty = true
        var toldFinished = false
        var shown = (seq: Int64(-1), now: Int64(-1), label: "", generation: -1, outlook: Int64(-1), outlookSeq: Int64(-1))
        while true {
            let signal = terminal.takeSignal()
            if signal != 0 { return .signal(signal) }
            if link.status.halted != nil { return .halted }
            if returnWhenFinished, link.status.finished { return .sourceFinished }
            let idle = link is LocalLink && (link.status.paused || link.status.finished)
            if let key = terminal.readKey(timeout: idle ? 250 : 50) {
                if key == .resize { terminal.invalidate() } else if send(.key(key)) { return .quit }
                dirty = true
            }
            let wall = Date()
            let elapsed = wall.timeIntervalSince(lastTick)
            lastTick = wall
            for note in link.pump(elapsed: elapsed) {
                switch note {
                case let .note(text): _ = send(.note(text))
                case let .reply(id, reply):
                    let decision = asked.removeValue(forKey: id)
                    _ = send(.replied(text: reply.text, confirm: reply.outcome == .confirm ? decision : nil))
                }
                dirty = true
            }
            let status = link.status
            let before = (model.held, model.flashing)
            let finished = status.finished && !toldFinished ? status.finishedMessage : nil
            if status.finished { toldFinished = true }
            _ = send(.tick(BoardTick(speed: status.speed, paused: status.paused, held: status.held, finishedMessage: finished, wall: wall)))
            if (model.held, model.flashing) != before || finished != nil { dirty = true }
            let outlook = link.outlook
            let now = (status.seq, status.now, status.label, link.generation, outlook.at.seconds, outlook.seq)
            if now != shown { shown = now; dirty = true }
            if let caption = newEscalation() {
                _ = send(.escalated(caption: caption))
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

    /// Hands a message to the model's update and carries out the commands it returns; true when one is to quit.
    private func send(_ message: BoardMessage) -> Bool {
        var pending = model.update(message, rows: rows)
        while !pending.isEmpty {
            let command = pending.removeFirst()
            if command == .quit { return true }
            if let result = carryOut(command) { pending += model.update(result, rows: rows) }
        }
        return false
    }

    /// One command's effect; what comes of it, as a message for the model (nil: nothing to say).
    private func carryOut(_ command: BoardCommand) -> BoardMessage? {
        switch command {
        case let .submit(decision, confirmed): return submit(decision, confirmed: confirmed)
        case let .pace(speed, paused):
            _ = link.send(.pace(speed: speed, paused: paused))
            return nil
        case let .loadTheme(name): return .note(switchTheme(to: name))
        case let .find(id): return BoardApp.find(id, in: link.world)
        case .keepHistory: return keepHistory()
        case .bell:
            terminal.bell()
            return nil
        case .quit: return nil
        }
    }

    /// The caption of the last escalation that arrived since the last pass (nil: none). Those waiting when the
    /// board opened, or reattached, count as announced.
    private func newEscalation() -> String? {
        if announcedGeneration != link.generation {
            announcedGeneration = link.generation
            announced = Set(escalationsWaiting())
            return nil
        }
        let fresh = escalationsWaiting().filter { !announced.contains($0) }
        guard let last = fresh.last, let exception = link.world.exceptions[last] else { return nil }
        announced.formUnion(fresh)
        return BoardApp.caption(exception, world: link.world)
    }

    /// The ids of the escalations waiting for a decision, in id order.
    private func escalationsWaiting() -> [String] {
        let world = link.world
        if waitingCache?.seq != world.lastSeq || waitingCache?.generation != link.generation {
            waitingCache = (link.generation, world.lastSeq, world.escalatedCases.map(\.id))
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
    private func keepHistory() -> BoardMessage? {
        guard let historyFile else { return nil }
        do {
            try WholeFile.write(Data((model.history.entries.joined(separator: "\n") + "\n").utf8), to: historyFile, what: "the command history")
            return nil
        } catch {
            return .note("command history not kept: \(error)")
        }
    }

    /// Sends a decision to the core, which checks it (role, still waiting, not stale), journals it and replies.
    private func submit(_ decision: BoardModel.Decision, confirmed: Bool) -> BoardMessage? {
        let command: OperatorCommand
        switch decision {
        case let .approve(exception, option): command = .approve(exception: exception, option: option)
        case let .reject(exception, reason): command = .reject(exception: exception, reason: reason)
        case let .assign(order, rider): command = .assign(order: order, rider: rider, confirmed: confirmed)
        case .undo: command = .undo
        }
        let id = link.send(command)
        guard id >= 0 else { return .note("not sent: the core is not connected") }
        asked[id] = decision
        return nil
    }

    /// Loads a theme asked for with `:theme`; a broken or missing one leaves the current theme. Returns what to say.
    private func switchTheme(to name: String) -> String {
        if colorForbidden, name != "mono" { return "NO_COLOR is set: staying on mono" }
        let (loaded, warnings) = Theme.load(name, searchDirectories: themeDirectories)
        if let first = warnings.first, loaded.name == "dark", name != "dark" { return first }
        theme = loaded
        terminal.invalidate()
        return "theme \(loaded.name)" + (warnings.first.map { " (\($0))" } ?? "")
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
        let timed = link.outlook
        var snapshot = BoardSnapshot(world: world, outlook: timed.outlook, now: now, source: status.label, deadLetters: status.deadLetters,
                                     recent: link.recent, wallClock: BoardApp.wallClock(wall), costLimit: link.costLimit)
        if showsCaptions { snapshot.caption = link.caption(at: now) }
        if let trend = link.trend {
            if kpiCache?.seq != world.lastSeq { kpiCache = (world.lastSeq, trend.current(world: world)) }
            snapshot.kpis = kpiCache?.kpis
            snapshot.trend = trend.samples
        }
        snapshot.learnedETA = timed.eta
        return snapshot
    }

    static func wallClock(_ date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970) % 86400
        return Format.two(seconds / 3600) + ":" + Format.two(seconds / 60 % 60) + ":" + Format.two(seconds % 60)
    }
}

extension BoardApp {
    /// The screen of the rider, order or case called `id` (its exact id, else the only one it begins), or why none.
    static func find(_ id: String, in world: World) -> BoardMessage {
        if world.riders[id] != nil { return .found(.rider(id)) }
        if world.orders[id] != nil { return .found(.order(id)) }
        if world.exceptions[id] != nil { return .found(.exception(id)) }
        let matches = Completion.openable(world).filter { $0.hasPrefix(id) }
        guard matches.count == 1, let match = matches.first else {
            return .note(TextSanitizer.clean(matches.isEmpty ? "no rider, order or case is called \(id)"
                : "\(matches.count) ids begin with \(id): \(matches.prefix(5).joined(separator: ", "))\(matches.count > 5 ? ", …" : "")"))
        }
        return find(match, in: world)
    }
}
