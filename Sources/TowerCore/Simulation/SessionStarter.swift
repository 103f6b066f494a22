import Foundation

/// Starts a simulated day, fresh or resumed from the journal of an earlier run of the same scenario and seed.
///
/// Resuming replays the journal up to its last whole checkpoint (`CoreCheckpoint`), takes the engine's and the
/// simulation's state from it and goes on: after a clean stop the checkpoint is the journal's last step, so a resume
/// costs a replay, and a journal goes on under another build of the planner or another policy. After a crash the
/// events past that checkpoint are made again by the deterministic simulation and compared with the journal's lines;
/// a journal without a checkpoint is re-run from the start that way. A journal from another scenario or seed, or one
/// the simulation no longer reproduces, is refused with the first line that differs.
public enum SessionStarter {
    public struct Session {
        public var engine: Engine
        public var simulation: CitySimulation
        /// Events found in the journal (0 for a fresh start).
        public var resumedEvents: Int
        /// Of those, the events past the last checkpoint, re-created by the simulation rather than read.
        public var rerunEvents: Int
        public var tornLastLine: Int?
        /// The step a crash cut short at the journal's end: cut off and made again.
        public var cutShortStep: Replayer.CutShortStep?
    }

    /// - Parameter progress: told, now and then while a journal is being resumed, the share of it re-created.
    /// - Parameter projections: told every event of the day, replayed, re-created or made from here on (until the
    ///   engine's observer is replaced), so a session takes them over without reading the journal again.
    public static func start(scenario: Scenario, seed: UInt64, journalPath: String?, durability: JournalWriter.Durability,
                             mode: EngineSettings.Mode = .continuousAuto, policy: Policy = .standard, eta: ETAModel? = nil,
                             policyName: String = "", ranges: RangeCalibration? = nil, projections: DayProjections? = nil,
                             progress: ((Double) -> Void)? = nil) throws -> Session {
        let settings = EngineSettings(scenario: scenario, mode: mode, policy: policy)
        let simulation = CitySimulation(scenario: scenario, seed: seed)
        guard let journalPath, let size = (try? FileManager.default.attributesOfItem(atPath: journalPath))?[.size] as? Int, size > 0 else {
            let writer = try journalPath.map { try JournalWriter(path: $0, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: durability) }
            let engine = Engine(journal: writer, settings: settings, learner: eta.map(OnlineETA.init))
            projections?.observe(engine)
            try submitSetting(of: simulation, to: engine, eta: eta, policyName: policyName, ranges: ranges)
            return Session(engine: engine, simulation: simulation, resumedEvents: 0, rerunEvents: 0)
        }
        let last = try Replayer.lastCheckpoint(path: journalPath)
        let replayed = try Replayer.replay(path: journalPath, options: .init(keepEvents: true, learning: last == nil ? nil : eta, learnsRanges: last != nil,
                                                                           through: last?.seq,
                                                                           snapshotAt: last?.checkpoint.engine.search?.seq,
                                                                           projections: last == nil ? nil : projections, ranges: last?.ranges))
        if let cut = replayed.cutShortStep { try JournalWriter.cut(path: journalPath, at: cut.offset) }
        let world = replayed.world
        if world.name != scenario.name || world.seed != seed {
            throw ToolError("\(journalPath) was written for scenario \"\(world.name)\" seed \(world.seed.map(String.init) ?? "-"), not \"\(scenario.name)\" seed \(seed); name another journal")
        }
        try ETAModel.check(journal: journalPath, written: world.etaModel, running: eta)
        let writer = try JournalWriter(path: journalPath, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: durability)
        // The events to make again, past the checkpoint (or all of them), checked against the journal's lines.
        let rerun = replayed.events
        let from = last?.seq ?? 0
        let sink: EventSink = rerun.isEmpty ? writer : ResumeSink(expected: rerun, after: from, then: writer)
        let engine: Engine
        if let last {
            engine = Engine(world: world, journal: sink, settings: settings, learner: replayed.learner, ranges: replayed.ranges ?? RangeLearner())
            projections?.observe(engine)
            try engine.restore(last.checkpoint.engine, searchWorld: replayed.snapshot)
            guard let state = last.checkpoint.simulation else {
                throw ToolError("\(journalPath): its checkpoint has no simulated city (the journal was written by a core following a feed)")
            }
            try simulation.restore(state)
        } else {
            engine = Engine(journal: sink, settings: settings, learner: eta.map(OnlineETA.init))
            projections?.observe(engine)
            // The day re-run from its start starts from the ranges its journal says it started from (a journal that
            // starts otherwise differs at its first line).
            var journaled: RangeCalibration?
            if case let .sessionStarted(_, _, _, _, _, _, _, ranges)? = rerun.first?.body { journaled = ranges }
            try submitSetting(of: simulation, to: engine, eta: eta, policyName: policyName, ranges: journaled)
        }
        if let resume = sink as? ResumeSink {
            let end = from + Int64(rerun.count)
            // Inputs from outside (operators' decisions, an order system's or phones' lines over HTTP) are not
            // re-created by the simulation: they go back in where they were taken, after everything the core had run
            // up to their time.
            var inputs = rerun.filter { !$0.isCoreDecision && $0.by != CitySimulation.author }[...]
            while engine.world.lastSeq < end, resume.divergence == nil {
                if let next = inputs.first, simulation.nextActionTime.map({ $0 > next.at }) ?? true {
                    inputs.removeFirst()
                    engine.advance(to: next.at)
                    guard engine.world.lastSeq + 1 == next.seq else { break }
                    var input = next
                    input.seq = nil
                    try? engine.submit(input)
                    continue
                }
                guard simulation.step(engine: engine) else { break }
                if engine.world.lastSeq % 2000 == 0 { progress?(Double(engine.world.lastSeq - from) / Double(rerun.count)) }
            }
            if let divergence = resume.divergence {
                throw ForeignJournal("\(journalPath) line \(divergence): the journal differs from what scenario \"\(scenario.name)\" seed \(seed) produces (written by another version of Tower, or edited); start over with --fresh or name another --journal (a journal resumes only under the policy and --eta-model it was written with)")
            }
            if engine.world.lastSeq < end {
                throw ToolError("\(journalPath): the journal is longer than the simulated day; it was not written by this scenario")
            }
            engine.journal = writer
        }
        return Session(engine: engine, simulation: simulation, resumedEvents: Int(from) + rerun.count,
                       rerunEvents: rerun.count, tornLastLine: replayed.tornLastLine, cutShortStep: replayed.cutShortStep)
    }

    /// Resumes a core that follows a feed from its journal: the world replayed, and, when the journal ends with the
    /// checkpoint of a clean stop, the engine's bookkeeping (waiting orders and the riders they were priced on, the
    /// timed work done, the plan search in flight) as it was. After a crash the bookkeeping starts afresh from the
    /// world (every waiting order retried at the next retry, no search in flight): the inputs are all in the journal,
    /// only how the engine would have gone on differs.
    public static func resumeFeedCore(journal path: String, settings: EngineSettings, eta: ETAModel?, projections: DayProjections? = nil) throws
        -> (engine: Engine, tornLastLine: Int?, cutShortStep: Replayer.CutShortStep?) {
        let last = try Replayer.lastCheckpoint(path: path)
        let replayed = try Replayer.replay(path: path, options: .init(learning: eta, learnsRanges: true, snapshotAt: last?.checkpoint.engine.search?.seq,
                                                                      projections: projections, ranges: last?.ranges))
        try ETAModel.check(journal: path, written: replayed.world.etaModel, running: eta)
        if let cut = replayed.cutShortStep { try JournalWriter.cut(path: path, at: cut.offset) }
        let writer = try JournalWriter(path: path, utcOffsetSeconds: replayed.world.utcOffsetSeconds, durability: .live)
        let engine = Engine(world: replayed.world, journal: writer, settings: settings, learner: replayed.learner, ranges: replayed.ranges ?? RangeLearner())
        projections?.observe(engine)
        if let last, last.seq == replayed.world.lastSeq {
            guard last.checkpoint.simulation == nil else {
                throw ToolError("\(path): its checkpoint holds a simulated city; resume it with the simulation (without --feed)")
            }
            try engine.restore(last.checkpoint.engine, searchWorld: replayed.snapshot)
        }
        return (engine, replayed.tornLastLine, replayed.cutShortStep)
    }

    /// Journals the events that describe the city, the first of a day.
    private static func submitSetting(of simulation: CitySimulation, to engine: Engine, eta: ETAModel?, policyName: String,
                                      ranges: RangeCalibration?) throws {
        for event in simulation.settingEvents(etaModel: eta?.fingerprint ?? "", policy: policyName, ranges: ranges) {
            do { try engine.submit(event) } catch { throw ToolError("the scenario's setting is inconsistent: \(event.type): \(error)") }
        }
    }
}

extension Event {
    /// What a person decided: an approval or rejection (not the core's own default at a deadline), or an order
    /// put on a rider by a dispatcher.
    public var isOperatorDecision: Bool {
        switch body {
        case .exceptionApproved, .exceptionRejected, .orderPinned, .decisionUndone: return true
        default: return false
        }
    }
}

/// While resuming: checks re-created events against the journal and writes only those past its end.
final class ResumeSink: EventSink {
    private let expected: [Event]
    /// The event before the first expected.
    private let base: Int64
    private let next: EventSink?
    private(set) var divergence: Int?

    init(expected: [Event], after base: Int64, then next: EventSink?) {
        self.expected = expected
        self.base = base
        self.next = next
    }

    func append(_ event: Event) throws {
        guard let seq = event.seq, seq > base, seq <= base + Int64(expected.count) else {
            try next?.append(event)
            return
        }
        if divergence == nil, !Self.same(expected[Int(seq - base) - 1], event) { divergence = Int(seq) }
    }

    func endStep() throws { try next?.endStep() }
    func sync() { next?.sync() }
    func syncIfDue() { next?.syncIfDue() }

    /// Whether a re-created event is the journal's: the same, except that the policy named at the start may
    /// differ (a day resumed under another policy; a journal from before the policy was written).
    static func same(_ journaled: Event, _ made: Event) -> Bool {
        guard case let .sessionStarted(name, seed, offset, source, currency, model, _, ranges) = made.body else { return journaled == made }
        var made = made
        if case let .sessionStarted(_, _, _, _, _, _, policy, _) = journaled.body {
            made.body = .sessionStarted(name: name, seed: seed, utcOffsetSeconds: offset, source: source, currency: currency, etaModel: model,
                                        policy: policy, ranges: ranges)
        }
        return journaled == made
    }
}
