import Foundation
import TowerBoard
import TowerCore
import TowerService

/// What `tower board` and `tower serve` share: the options that say which day the core runs, and opening it: the
/// scenario, the journal (resumed, or started), the source (the simulation, caught up to `--from`, or a feed),
/// the projections the core keeps (outbox, KPI trend), the webhook, and the lock that makes this the journal's
/// only core.
struct CoreStart {
    static let options: [CommandSpec.Option] = [
        .init(name: "scenario", value: "DIR", help: "Scenario folder: the city, riders and orders (default \(defaultScenarioName))."),
        DateOption.option,
        .init(name: "seed", value: "N", help: "Seed of the simulation (default 1)."),
        .init(name: "speed", value: "N", help: "Simulated seconds per real second (default 60: a minute a second)."),
        .init(name: "from", value: "HH:MM", help: "Play the simulation headless up to this time before opening (default: the plan lock, for a new day)."),
        .init(name: "paused", value: nil, help: "Start with the simulated clock paused."),
        .init(name: "feed", value: "FILE", help: "Follow this JSON-lines feed instead of simulating ('-' for stdin)."),
        .init(name: "journal", value: "FILE", help: "The journal to append to and resume from (default $XDG_STATE_HOME/tower/NAME.jsonl, else ~/.local/state/tower/NAME.jsonl)."),
        .init(name: "socket", value: "PATH", help: "The core's Unix socket, for `tower attach` and `tower decide` (default: the journal's name with .sock, beside it)."),
        .init(name: "fresh", value: nil, help: "Start the day over: move an existing journal aside as FILE.old."),
        .init(name: "dead-letter", value: "FILE", help: "Where refused inputs go, with their reasons (default: the journal's name with .dead-letter.jsonl, beside it)."),
        PolicyChoice.option,
        .init(name: "eta-model", value: "FILE", help: ETAModelChoice.help),
        CarriedRanges.option,
    ] + NotificationOptions.options

    let session: CoreSession
    let journalPath: String
    let socketPath: String
    /// Where the inputs this core refuses go (`--dead-letter`, else beside the journal).
    let deadLetterPath: String
    let scenario: Scenario
    let eta: ETAModel?
    /// What resuming found and mended (a torn line, a step cut short).
    let notes: [String]
    let outboxes: [Outbox]
    let webhooks: [WebhookWorker]
    let lock: JournalLock

    /// Opens the day the arguments name. `interrupted` stops a long catch-up early (a signal).
    /// `progress` is told how far a long start has come (resuming a journal, then catching up to `--from`): the share
    /// done and what is being done, for a bar on stderr or the board's loading screen.
    init(_ arguments: ParsedArguments, command: String, peopleDecide: Bool = true, interrupted: (() -> Bool)? = nil,
         progress: ((Double, String) -> Void)? = nil) throws {
        scenario = try DateOption.scenario(arguments)
        let seed = try arguments.seed()
        let speed = try arguments.double("speed", default: 60, in: 0.1...3600)
        let feedPath = arguments.value("feed")
        let choice = try PolicyChoice.parse(arguments.value("policy"))
        let state = try Installation.stateDirectory()
        let dated = DateOption.suffix(arguments, scenario: scenario)
        let defaultJournal = try feedPath.map { state + "/feed-\(URL(fileURLWithPath: $0 == "-" ? "stdin" : $0).deletingPathExtension().lastPathComponent)\(dated).jsonl" }
            ?? Self.defaultJournal(scenario: scenario, seed: seed, dated: dated)
        journalPath = arguments.value("journal") ?? defaultJournal
        socketPath = arguments.value("socket") ?? Self.socket(forJournal: journalPath)
        lock = try JournalLock(journal: journalPath, holder: "tower \(command), pid \(getpid()), socket \(socketPath)")
        let notifications = try NotificationOptions(arguments, journal: journalPath)
        let files = JournalFiles(journal: journalPath, outbox: notifications.outbox)
        if arguments.has("fresh") { try files.moveAside() }
        deadLetterPath = arguments.value("dead-letter") ?? files.deadLetter

        eta = try ETAModelChoice.model(arguments.value("eta-model"), scenario: scenario, cache: Installation.modelCache())
        let engine: Engine
        let source: EventSource
        var start: Instant
        var notes: [String] = []
        let carried = try CarriedRanges.find(arguments, eta: eta, journal: journalPath, scenario: scenario)
        // The recent log and the KPI trend, noted while the journal replays and the day catches up.
        var projections = DayProjections(planLock: scenario.planLock)
        if let feedPath {
            let opened = try Self.openFeed(feedPath, scenario: scenario, journalPath: journalPath, choice: choice, eta: eta,
                                           ranges: carried?.ranges, deadLetterPath: deadLetterPath, projections: projections)
            (engine, source) = (opened.engine, opened.source)
            notes += (carried.map { [$0.note] } ?? []) + opened.notes
            start = engine.world.clock ?? scenario.dayStart
        } else {
            // Copies of self's, for the closure (an initializer's closure may not capture self).
            let (eta, scenario, journalPath) = (eta, scenario, journalPath)
            let begin = { (projections: DayProjections, ranges: RangeCalibration?) in
                try SessionStarter.start(scenario: scenario, seed: seed, journalPath: journalPath, durability: .live,
                                         mode: choice.mode, policy: choice.policy, eta: eta, policyName: choice.name, ranges: ranges,
                                         projections: projections, progress: { progress?($0, "resuming the journal") })
            }
            let started: SessionStarter.Session
            do {
                started = try begin(projections, carried?.ranges)
                if let carried { notes.append(carried.note) }
            } catch let foreign as ForeignJournal where arguments.value("journal") == nil && arguments.value("eta-model") == nil {
                // A simulated day in the journal nobody named, written by another build (its plans or its trained
                // model differ): playing the day again loses nothing, and the board must open after an upgrade.
                // The old journal is kept beside it, as --fresh keeps it.
                try files.moveAside()
                projections = DayProjections(planLock: scenario.planLock)
                // A new day now, so its ranges start from the day before's as any new day's do.
                let again = try CarriedRanges.find(arguments, eta: eta, journal: journalPath, scenario: scenario)
                started = try begin(projections, again?.ranges)
                // What matters first, for a board's status line: the day started over and where the old one is.
                notes.append("the day started over: its journal, written by another build of Tower, is kept as \(journalPath).old "
                             + "(\(TextSanitizer.clean(String(foreign.message.prefix(300)))))")
                if let again { notes.append(again.note) }
            }
            engine = started.engine
            source = SimulationSource(simulation: started.simulation)
            notes += Self.resumeNotes(torn: started.tornLastLine, cut: started.cutShortStep)
            start = started.simulation.now
            var from: Instant? = started.resumedEvents == 0 ? scenario.planLock : nil
            if let text = arguments.value("from") {
                guard let second = ISOTime.parseClock(text) else { throw UsageError(message: "--from needs a local time HH:MM, got '\(text)'") }
                from = scenario.time(second)
            }
            if let from, from > start {
                // Played in slices of five simulated minutes, so the screen says how far the catch-up has come.
                let begin = start
                engine.interrupted = interrupted
                var time = start
                while time < from, !(interrupted?() ?? false) {
                    time = min(from, time + 300)
                    started.simulation.run(until: time, engine: engine)
                    progress?(Double(time - begin) / Double(from - begin), "catching up to \(ISOTime.clock(from, offsetSeconds: scenario.utcOffsetSeconds)): "
                              + ISOTime.clock(time, offsetSeconds: scenario.utcOffsetSeconds))
                }
                start = from
            }
        }
        engine.interrupted = interrupted
        // From here on the clock follows the wall: plan searches get a thread of their own so the loop never waits.
        engine.runPlanSearches(on: BackgroundPlanSearch())
        engine.sync()
        self.notes = notes
        session = CoreSession(engine: engine, source: source, start: start, speed: speed, paused: arguments.has("paused"), peopleDecide: peopleDecide)
        outboxes = try notifications.openOutboxes(world: engine.world)
        session.outboxes = outboxes
        session.adopt(projections)
        webhooks = try notifications.relays().map { WebhookWorker(relay: $0) }
    }

    /// The core's socket, served from its loop; `roster` gives attached operators their roles.
    func server(roster: Roster?) throws -> CoreServer {
        try CoreServer(socketPath: socketPath, session: session, roster: roster, journalPath: journalPath, planLock: scenario.planLock)
    }

    /// Makes everything durable and says where it is; throws if the journal failed during the run.
    func close() throws {
        let engine = session.engine
        if let halted = engine.halted {
            for webhook in webhooks { webhook.stop() }
            throw ToolError("journal \(journalPath): \(halted)")
        }
        // Where the day stands, so the next start goes on from here at the cost of a replay; and the ETA model's
        // training in flight, if any, finished into the state folder's cache, so the next start takes that model
        // where its replay reaches it instead of training it again (seconds at a large city).
        session.source.writeCheckpoint(engine: engine)
        engine.learner?.waitForTraining()
        engine.sync()
        for outbox in outboxes {
            try outbox.flush()
            outbox.sync()
        }
        for webhook in webhooks { webhook.stop() }
        print("journal: \(journalPath) (\(engine.world.lastSeq) events); digest: \(engine.world.digest)")
        for outbox in outboxes { print("\(outbox.kind == .customers ? "outbox" : "riders' outbox"): \(outbox.path) (\(outbox.count) messages)") }
        for (webhook, name) in zip(webhooks, outboxes.map { $0.kind == .customers ? "webhook" : "rider webhook" }) {
            let status = webhook.status
            print("\(name): \(status.sent) sent, \(status.dead) dead-lettered, \(status.pending) waiting for the next start")
        }
    }

    /// The socket beside a journal: `NAME.jsonl` has `NAME.sock`.
    static func socket(forJournal journal: String) -> String {
        (journal.hasSuffix(".jsonl") ? String(journal.dropLast(6)) : journal) + ".sock"
    }

    /// Sets up a followed feed: resumes the journal if there is one, else starts from the scenario's known world.
    private static func openFeed(_ path: String, scenario: Scenario, journalPath: String, choice: PolicyChoice, eta: ETAModel?,
                                 ranges: RangeCalibration?, deadLetterPath: String, projections: DayProjections) throws
        -> (engine: Engine, source: EventSource, notes: [String]) {
        var notes: [String] = []
        let settings = EngineSettings(scenario: scenario, mode: choice.mode, policy: choice.policy)
        let follower = try FeedFollower(path: path)
        let deadLetter = try DeadLetterFile(path: deadLetterPath)
        let size = (try? FileManager.default.attributesOfItem(atPath: journalPath))?[.size] as? Int ?? 0
        let engine: Engine
        if size > 0 {
            let resumed = try SessionStarter.resumeFeedCore(journal: journalPath, settings: settings, eta: eta, projections: projections)
            engine = resumed.engine
            notes = resumeNotes(torn: resumed.tornLastLine, cut: resumed.cutShortStep)
        } else {
            let writer = try JournalWriter(path: journalPath, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: .live)
            engine = Engine(journal: writer, settings: settings, learner: eta.map(OnlineETA.init))
            projections.observe(engine)
        }
        // The scenario's known world first; on a resume, what of it the journal lacks (a journal that a full disk
        // stopped while it was being written).
        for event in CitySimulation(scenario: scenario, seed: 0).knownEvents(etaModel: eta?.fingerprint ?? "", policy: choice.name, ranges: ranges)
        where !engine.world.hasSeen(eventID: event.id) {
            do { try engine.submit(event) } catch { throw ToolError("the scenario's setting is inconsistent: \(event.type): \(error)") }
        }
        return (engine, FeedSource(follower: follower, deadLetter: deadLetter), notes)
    }

    /// What resuming a journal found and mended, for the status line and stderr.
    static func resumeNotes(torn: Int?, cut: Replayer.CutShortStep?) -> [String] {
        [torn.map { "journal line \($0): torn last line cut (an earlier run stopped mid-write)" }, cut.map { "journal \($0.description)" }]
            .compactMap { $0 }
    }

    /// The journal a core on a simulated city keeps by default:
    /// `NAME-seedN.jsonl` in the state folder (`NAME-YYYY-MM-DD-seedN.jsonl` for a day `--date` moved: `dated`).
    static func defaultJournal(scenario: Scenario, seed: UInt64, dated: String = "") throws -> String {
        try Installation.stateDirectory() + "/\(scenario.name)\(dated)-seed\(seed).jsonl"
    }
}
