import Foundation

/// Starts a simulated day, fresh or resumed from the journal of an earlier run of the same scenario and seed.
///
/// Resuming re-runs the deterministic simulation, comparing each event with the journal's line of the same
/// number, until it has caught up; then it appends to the journal from there. A journal from another scenario
/// or seed, or one the simulation no longer reproduces, is refused with the first line that differs.
public enum SessionStarter {
    public struct Session {
        public var engine: Engine
        public var simulation: CitySimulation
        /// Events found in the journal and re-created rather than written (0 for a fresh start).
        public var resumedEvents: Int
        public var tornLastLine: Int?
        /// The step a crash cut short at the journal's end: cut off and made again.
        public var cutShortStep: Replayer.CutShortStep?
    }

    /// - Parameter progress: told, now and then while a journal is being resumed, the share of it re-created.
    public static func start(scenario: Scenario, seed: UInt64, journalPath: String?, durability: JournalWriter.Durability,
                             mode: EngineSettings.Mode = .continuousAuto, policy: Policy = .standard, eta: ETAModel? = nil,
                             policyName: String = "", progress: ((Double) -> Void)? = nil) throws -> Session {
        let settings = EngineSettings(planLock: scenario.planLock, mode: mode, policy: policy, latestEventTime: scenario.latestEventTime)
        let simulation = CitySimulation(scenario: scenario, seed: seed)
        var previous: [Event] = []
        var torn: Int?
        var cutShort: Replayer.CutShortStep?
        if let journalPath, let size = (try? FileManager.default.attributesOfItem(atPath: journalPath))?[.size] as? Int, size > 0 {
            let replayed = try Replayer.replay(path: journalPath, keepEvents: true)
            previous = replayed.events
            torn = replayed.tornLastLine
            cutShort = replayed.cutShortStep
            if let cut = replayed.cutShortStep { try JournalWriter.cut(path: journalPath, at: cut.offset) }
            if case let .sessionStarted(name, journalSeed, _, _, _, journalModel, _)? = previous.first?.body {
                if name != scenario.name || journalSeed != seed {
                    throw ToolError("\(journalPath) was written for scenario \"\(name)\" seed \(journalSeed.map(String.init) ?? "-"), not \"\(scenario.name)\" seed \(seed); name another journal")
                }
                try ETAModel.check(journal: journalPath, written: journalModel, running: eta)
            }
        }
        let writer = try journalPath.map { try JournalWriter(path: $0, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: durability) }
        let sink: EventSink? = previous.isEmpty ? writer : ResumeSink(expected: previous, then: writer)
        let engine = Engine(journal: sink, settings: settings, learner: eta.map(OnlineETA.init))
        for event in simulation.settingEvents(etaModel: eta?.fingerprint ?? "", policy: policyName) {
            do { try engine.submit(event) } catch { throw ToolError("the scenario's setting is inconsistent: \(event.type): \(error)") }
        }
        if let resume = sink as? ResumeSink {
            // Operator decisions are not re-created by the simulation: they go back in where they were taken,
            // after everything the board had run up to their time.
            var decisions = previous.filter(\.isOperatorDecision)[...]
            while engine.world.lastSeq < Int64(previous.count), resume.divergence == nil {
                if let decision = decisions.first, simulation.nextActionTime.map({ $0 > decision.at }) ?? true {
                    decisions.removeFirst()
                    engine.advance(to: decision.at)
                    guard engine.world.lastSeq + 1 == decision.seq else { break }
                    var input = decision
                    input.seq = nil
                    try? engine.submit(input)
                    continue
                }
                guard simulation.step(engine: engine) else { break }
                if engine.world.lastSeq % 2000 == 0 { progress?(Double(engine.world.lastSeq) / Double(previous.count)) }
            }
            if let divergence = resume.divergence {
                throw ToolError("\(journalPath!) line \(divergence): the journal differs from what scenario \"\(scenario.name)\" seed \(seed) produces (written by another version of Tower, or edited); start over with --fresh or name another --journal (a journal resumes only under the policy and --eta-model it was written with)")
            }
            if engine.world.lastSeq < Int64(previous.count) {
                throw ToolError("\(journalPath!): the journal is longer than the simulated day; it was not written by this scenario")
            }
            engine.journal = writer
        }
        return Session(engine: engine, simulation: simulation, resumedEvents: previous.count, tornLastLine: torn,
                       cutShortStep: cutShort)
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
    private let next: EventSink?
    private(set) var divergence: Int?

    init(expected: [Event], then next: EventSink?) {
        self.expected = expected
        self.next = next
    }

    func append(_ event: Event) throws {
        guard let seq = event.seq, seq <= Int64(expected.count) else {
            try next?.append(event)
            return
        }
        if divergence == nil, !Self.same(expected[Int(seq) - 1], event) { divergence = Int(seq) }
    }

    func endStep() throws { try next?.endStep() }
    func sync() { next?.sync() }
    func syncIfDue() { next?.syncIfDue() }

    /// Whether a re-created event is the journal's: the same, except that the policy named at the start may
    /// differ (a day resumed under another policy; a journal from before the policy was written).
    static func same(_ journaled: Event, _ made: Event) -> Bool {
        guard case let .sessionStarted(name, seed, offset, source, currency, model, _) = made.body else { return journaled == made }
        var made = made
        if case let .sessionStarted(_, _, _, _, _, _, policy) = journaled.body {
            made.body = .sessionStarted(name: name, seed: seed, utcOffsetSeconds: offset, source: source, currency: currency, etaModel: model, policy: policy)
        }
        return journaled == made
    }
}
