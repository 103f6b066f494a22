import Foundation
import TowerBoard
import TowerCore

/// `tower board` (the default command): the live full-screen board.
enum BoardCommand: Command {
    static let spec = CommandSpec(
        name: "board",
        summary: "Open the live board on a simulated city (the default) or a followed JSON-lines feed.",
        options: [
            .init(name: "scenario", value: "DIR", help: "Scenario folder: the city, riders and orders (default \(defaultScenarioName))."),
            .init(name: "seed", value: "N", help: "Seed of the simulation (default 1)."),
            .init(name: "speed", value: "N", help: "Simulated seconds per real second (default 60: a minute a second)."),
            .init(name: "from", value: "HH:MM", help: "Play the simulation headless up to this time before opening (default: the plan lock, for a new day)."),
            .init(name: "feed", value: "FILE", help: "Follow this JSON-lines feed instead of simulating ('-' for stdin)."),
            .init(name: "journal", value: "FILE", help: "The journal to append to and resume from (default $XDG_STATE_HOME/tower/NAME.jsonl, else ~/.local/state/tower/NAME.jsonl)."),
            .init(name: "fresh", value: nil, help: "Start the day over: move an existing journal aside as FILE.old."),
            .init(name: "dead-letter", value: "FILE", help: "Where refused feed lines go (default dead-letter.jsonl in the state folder, beside the journal)."),
            .init(name: "theme", value: "NAME|PATH", help: "Colour theme from themes/ or a file (default dark; NO_COLOR forces mono)."),
            .init(name: "readonly", value: nil, help: "No action keys (for demos and shared screens)."),
            .init(name: "quiet", value: nil, help: "No bell and no header flash when a new escalation arrives."),
            PolicyChoice.option,
            .init(name: "operator", value: "NAME", help: "Who approves and rejects from this board, for the journal (default: the login name)."),
            .init(name: "eta-model", value: "FILE", help: ETAModelChoice.help),
        ] + RoleOption.options + NotificationOptions.options,
        discussion: """
        Every event and decision is appended to the journal before it takes effect; starting again with the same
        journal resumes where the board stopped. Keys: press ? on the board.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let stdinIsFeed = arguments.value("feed") == "-"
        try NcursesTerminal.preflight(stdinIsFeed: stdinIsFeed)
        let scenarioPath = arguments.value("scenario") ?? defaultScenario
        let scenario = try ScenarioLoader.load(directory: scenarioPath)
        let seed = try arguments.seed()
        let speed = try arguments.double("speed", default: 60, in: 0.1...3600)
        let feedPath = arguments.value("feed")
        let choice = try PolicyChoice.parse(arguments.value("policy"))
        let state = try Installation.stateDirectory()
        let defaultJournal = try feedPath.map { state + "/feed-\(URL(fileURLWithPath: $0 == "-" ? "stdin" : $0).deletingPathExtension().lastPathComponent).jsonl" }
            ?? defaultJournal(scenario: scenario, seed: seed)
        let journalPath = arguments.value("journal") ?? defaultJournal
        let notifications = try NotificationOptions(arguments, journal: journalPath)
        let files = JournalFiles(journal: journalPath, outbox: notifications.outbox)
        if arguments.has("fresh") { try files.moveAside() }

        let eta = try ETAModelChoice.model(arguments.value("eta-model"), scenario: scenario)
        let engine: Engine
        let source: EventSource
        var start: Instant
        // What resuming found and mended (a torn line, a step cut short): said on the status line and at exit.
        var notes: [String] = []
        if let feedPath {
            (engine, source, notes) = try openFeed(feedPath, scenario: scenario, journalPath: journalPath, choice: choice, eta: eta,
                                                   deadLetterPath: arguments.value("dead-letter") ?? state + "/dead-letter.jsonl")
            start = engine.world.clock ?? scenario.dayStart
        } else {
            let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: journalPath, durability: .live,
                                                   mode: choice.mode, policy: choice.policy, eta: eta)
            engine = session.engine
            source = SimulationSource(simulation: session.simulation)
            notes = resumeNotes(torn: session.tornLastLine, cut: session.cutShortStep)
            start = session.simulation.now
            var from: Instant? = session.resumedEvents == 0 ? scenario.planLock : nil
            if let text = arguments.value("from") {
                guard let second = ISOTime.parseClock(text) else { throw UsageError(message: "--from needs a local time HH:MM, got '\(text)'") }
                from = scenario.time(second)
            }
            if let from, from > start {
                start = from
                session.simulation.run(until: start, engine: engine)
            }
        }
        // From here on the clock follows the wall: plan searches get a thread of their own so keys and frames never wait.
        engine.runPlanSearches(on: BackgroundPlanSearch())

        let operatorName = try operatorName(arguments.value("operator"))
        let (role, roster) = try RoleOption.resolve(arguments, operatorName: operatorName, command: spec.name)
        engine.authority = Authority(roster: roster)
        engine.sync()
        let outbox = try notifications.openOutbox(world: engine.world)
        let relay = try notifications.relay()
        let trend = try KPITrend.replaying(journal: journalPath, planLock: scenario.planLock)
        if !FileManager.default.fileExists(atPath: files.inbox), !FileManager.default.createFile(atPath: files.inbox, contents: nil) {
            throw ToolError("cannot create the decision inbox \(files.inbox)")
        }
        let inbox = DecisionInbox(follower: try FeedFollower(path: files.inbox),
                                  deadLetter: try DeadLetterFile(path: arguments.value("dead-letter") ?? state + "/dead-letter.jsonl"))
        // Everything that can fail is open before the terminal is taken over.
        let display = try Display(themeName: arguments.value("theme"), stdinIsFeed: stdinIsFeed)
        var model = BoardModel(speed: speed, readonly: arguments.has("readonly"))
        model.operatorName = operatorName
        model.role = role
        model.message = notes.last ?? display.statusWarning
        let app = display.app(engine: engine, source: source, start: start, model: model)
        app.inbox = inbox
        app.quiet = arguments.has("quiet")
        app.historyFile = state + "/command-history"
        app.trend = trend
        app.outbox = outbox
        let webhook = relay.map { WebhookWorker(relay: $0) }
        let ending = app.run()
        display.terminal.close()
        for note in notes { FileHandle.standardError.write(Data("tower: \(note)\n".utf8)) }
        if let halted = engine.halted {
            webhook?.stop()
            throw ToolError("journal \(journalPath): \(halted)")
        }
        engine.sync()
        try app.outbox?.flush()
        app.outbox?.sync()
        webhook?.stop()
        display.reportWarnings()
        print("journal: \(journalPath) (\(engine.world.lastSeq) events); digest: \(engine.world.digest)")
        if let outbox { print("outbox: \(outbox.path) (\(outbox.count) messages)") }
        if let status = webhook?.status {
            print("webhook: \(status.sent) sent, \(status.dead) dead-lettered, \(status.pending) waiting for the next start")
        }
        if case let .signal(number) = ending { return 128 + number }
        return 0
    }

    /// Sets up a followed feed: resumes the journal if there is one, else starts from the scenario's known world.
    private static func openFeed(_ path: String, scenario: Scenario, journalPath: String, choice: PolicyChoice, eta: ETAModel?,
                                 deadLetterPath: String) throws -> (Engine, EventSource, [String]) {
        var notes: [String] = []
        let settings = EngineSettings(planLock: scenario.planLock, mode: choice.mode, policy: choice.policy,
                                      latestEventTime: scenario.latestEventTime)
        let follower = try FeedFollower(path: path)
        let deadLetter = try DeadLetterFile(path: deadLetterPath)
        let size = (try? FileManager.default.attributesOfItem(atPath: journalPath))?[.size] as? Int ?? 0
        let engine: Engine
        if size > 0 {
            let replayed = try Replayer.replay(path: journalPath, learning: eta)
            try ETAModel.check(journal: journalPath, written: replayed.world.etaModel, running: eta)
            notes = resumeNotes(torn: replayed.tornLastLine, cut: replayed.cutShortStep)
            if let cut = replayed.cutShortStep { try JournalWriter.cut(path: journalPath, at: cut.offset) }
            let writer = try JournalWriter(path: journalPath, utcOffsetSeconds: replayed.world.utcOffsetSeconds, durability: .live)
            engine = Engine(world: replayed.world, journal: writer, settings: settings, learner: replayed.learner)
        } else {
            let writer = try JournalWriter(path: journalPath, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: .live)
            engine = Engine(journal: writer, settings: settings, learner: eta.map(OnlineETA.init))
            for event in CitySimulation(scenario: scenario, seed: 0).knownEvents(etaModel: eta?.fingerprint ?? "") {
                do { try engine.submit(event) } catch { throw ToolError("the scenario's setting is inconsistent: \(event.type): \(error)") }
            }
        }
        return (engine, FeedSource(follower: follower, deadLetter: deadLetter), notes)
    }

    /// What resuming a journal found and mended, for the status line and stderr.
    static func resumeNotes(torn: Int?, cut: Replayer.CutShortStep?) -> [String] {
        [torn.map { "journal line \($0): torn last line cut (an earlier run stopped mid-write)" }, cut.map { "journal \($0.description)" }]
            .compactMap { $0 }
    }

    /// The journal a board on a simulated city keeps by default.
    static func defaultJournal(scenario: Scenario, seed: UInt64) throws -> String {
        try Installation.stateDirectory() + "/\(scenario.name)-seed\(seed).jsonl"
    }

    /// `--operator`, else the login name: who the journal says decided.
    static func operatorName(_ given: String?) throws -> String {
        let name = given ?? ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "operator"
        do { try FieldReader.checkID(name, field: "operator") } catch {
            throw UsageError(message: "--operator '\(TextSanitizer.clean(name))': \(error.reason)", command: "board")
        }
        return name
    }

    /// The terminal and theme a board runs with: the theme named (or dark), mono under `NO_COLOR`.
    struct Display {
        let terminal: NcursesTerminal
        let theme: Theme
        /// Problems with the theme file, shown on the status line and repeated on stderr at exit.
        let warnings: [String]
        let colorForbidden: Bool

        init(themeName: String?, stdinIsFeed: Bool = false) throws {
            var (theme, warnings) = Theme.load(themeName ?? "dark", searchDirectories: BoardCommand.themeDirectories())
            colorForbidden = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            if colorForbidden { theme = .mono }
            self.theme = theme
            self.warnings = warnings
            terminal = try NcursesTerminal(useColor: !colorForbidden, stdinIsFeed: stdinIsFeed)
        }

        func app(engine: Engine, source: EventSource, start: Instant, model: BoardModel) -> BoardApp {
            BoardApp(engine: engine, source: source, start: start, model: model, theme: theme, terminal: terminal,
                     themeDirectories: BoardCommand.themeDirectories(), colorForbidden: colorForbidden)
        }

        /// The first theme problem for the status line, saying how many more there are.
        var statusWarning: String? {
            guard let first = warnings.first else { return nil }
            return warnings.count == 1 ? first : first + " (and \(warnings.count - 1) more, listed when the board closes)"
        }

        func reportWarnings() {
            for warning in warnings { FileHandle.standardError.write(Data("tower: \(warning)\n".utf8)) }
        }
    }

    /// The shipped `themes/` folders (see `Installation`).
    static func themeDirectories() -> [String] { Installation.themeDirectories }
}
