/// Rebuilds a world from a journal: every line decoded, checked and applied in order.
public enum Replayer {
    public struct Result {
        public var world: World
        public var events: [Event]
        /// The torn last line, if the journal ends with an incomplete line (reported, skipped).
        public var tornLastLine: Int?
        /// The engine step a crash cut short at the journal's end, if any: not applied (see `JournalWriter`).
        public var cutShortStep: CutShortStep?
        /// The online ETA learner fed every event replayed, when one was asked for: what the engine goes on with.
        public var learner: OnlineETA?
        /// The lanes' ranges' learner fed every event replayed after the learner, when asked for
        /// (`Options.learnsRanges`): what the engine goes on with.
        public var ranges: RangeLearner?
        /// The world as it stood after event `snapshotAt`, when that was asked for.
        var snapshot: World?
    }

    /// What to do with the events read besides applying them.
    struct Options {
        var keepEvents = false
        /// The ETA model the engine started from, to feed every event to as the engine did.
        var learning: ETAModel?
        /// Feed every event to a lanes' ranges' learner as the engine did, timing lanes with `learning`'s model or the
        /// travel model (an engine to go on with needs it, whatever its model).
        var learnsRanges = false
        /// Apply events up to this one only; later ones are read and kept (with `keepEvents`) but not applied.
        var through: Int64?
        /// Keep a copy of the world as it stands after this event.
        var snapshotAt: Int64?
        /// Told every event applied, with the world after it.
        var projections: DayProjections?
        /// The lanes' ranges' state a checkpoint holds and its last event: with `learnsRanges`, the ranges are not
        /// learned again up to there, and the learner takes that state there (`RangeLearner`).
        var ranges: (seq: Int64, state: RangeLearner)?
    }

    /// The last step of a journal when it has fewer lines than its first line announced.
    public struct CutShortStep: Sendable, Equatable {
        /// The line it starts on, and its byte offset: a resume cuts the journal there.
        public var line: Int
        public var offset: Int64
        public var written: Int
        public var expected: Int

        public var description: String {
            "line \(line): the last step was cut short by a crash (\(written) of its \(expected) events written); it was left out and is made again"
        }
    }

    /// Replays `path`. A bad line before the end means the journal is damaged: that is an error naming the line.
    /// - Parameter keepEvents: keep the decoded events (for resuming); off for plain replays to save memory.
    /// - Parameter learning: the ETA model the engine started from, to feed every event to as the engine did.
    /// - Parameter learnsRanges: learn the lanes' ranges as the engine did (`Result.ranges`).
    public static func replay(path: String, keepEvents: Bool = false, learning: ETAModel? = nil, learnsRanges: Bool = false) throws -> Result {
        try replay(path: path, options: Options(keepEvents: keepEvents, learning: learning, learnsRanges: learnsRanges))
    }

    static func replay(path: String, options: Options) throws -> Result {
        var result = try replay(path: path, options: options, before: nil)
        if let cut = result.cutShortStep {
            // Rare (a crash mid-step): read again up to the step rather than keep a copy of the world at every step.
            result = try replay(path: path, options: options, before: cut.line)
            result.cutShortStep = cut
        }
        return result
    }

    private static func replay(path: String, options: Options, before stopLine: Int?) throws -> Result {
        var world = World()
        var learner = options.learning.map(OnlineETA.init)
        var ranges = options.learnsRanges ? RangeLearner() : nil
        // Up to the checkpoint that holds the ranges' state, they are not learned again.
        var skipsRanges = options.ranges != nil
        options.projections?.reset()
        var retraining = RetrainCheck()
        var snapshot: World?
        var events: [Event] = []
        var failure: (any Error)?
        var torn: Int?
        // The step being read: where it started and how many lines it still owes.
        var step: (line: Int, offset: Int64, expected: Int, owed: Int)?
        try JournalReader.scan(path: path) { number, offset, bytes, complete in
            if let stopLine, number >= stopLine { return false }
            let decoded: EventCodec.Decoded
            do { decoded = try EventCodec.decode(line: bytes) } catch {
                if !complete {
                    torn = number
                    return false
                }
                failure = ToolError("\(path) line \(number): \(error) (the journal is damaged here; lines before it are intact)")
                return false
            }
            if let size = decoded.stepSize {
                if let open = step, open.owed > 0 {
                    failure = ToolError("\(path) line \(number): a step starts before the one at line \(open.line) has its \(open.expected) events (the journal is damaged here)")
                    return false
                }
                step = (number, offset, size, size)
            }
            if let through = options.through, let seq = decoded.event.seq, seq > through {
                if options.keepEvents { events.append(decoded.event) }
            } else {
                do {
                    try World.checkAndReplay(decoded.event, into: &world)
                } catch {
                    failure = ToolError("\(path) line \(number): \(error)")
                    return false
                }
                Self.follow(decoded.event, in: &world, learner: &learner, ranges: &ranges, skipsRanges: skipsRanges, projections: options.projections)
                if let kept = options.ranges, decoded.event.seq == kept.seq, ranges != nil {
                    ranges = kept.state
                    skipsRanges = false
                }
                if learner != nil, let refusal = retraining.check(decoded.event, line: number) {
                    failure = ForeignJournal("\(path) line \(number): \(refusal) (a journal goes on only under the models it was written with, so this build cannot resume it: start the day over with --fresh, or name another --journal)")
                    return false
                }
                if let retrained = learner?.takeRetrained() { retraining.expected = retrained.version }
                if options.keepEvents, options.through == nil { events.append(decoded.event) }
                if let at = options.snapshotAt, world.lastSeq == at {
                    // The world a plan search in flight searched: its grids built, as the world it copies had them.
                    snapshot = world
                    snapshot?.buildGrids()
                }
            }
            if let open = step {
                step!.owed = open.owed - 1
                if step!.owed == 0 { step = nil }
            }
            return true
        }
        if let failure { throw failure }
        if ranges != nil, skipsRanges, let ranges = options.ranges {
            throw ToolError("\(path): its checkpoint ends at event \(ranges.seq), which the journal does not reach (the journal is damaged; start over with --fresh)")
        }
        world.buildGrids()
        let cut = step.flatMap { $0.owed > 0 && stopLine == nil
            ? CutShortStep(line: $0.line, offset: $0.offset, written: $0.expected - $0.owed, expected: $0.expected) : nil }
        return Result(world: world, events: events, tornLastLine: torn, cutShortStep: cut, learner: learner, ranges: ranges, snapshot: snapshot)
    }
}

extension Replayer {
    /// The learners and the projections told an event applied to `world`, in the engine's order (the ranges' learner,
    /// unless `skipsRanges`, after the ETA learner, timing lanes with its model). The world is lent `inout`: read
    /// from the replay's own variable it was copied whole for each of them, at every event (a fifth of a resume).
    static func follow(_ event: Event, in world: inout World, learner: inout OnlineETA?, ranges: inout RangeLearner?, skipsRanges: Bool,
                       projections: DayProjections?) {
        learner?.note(event, world: world)
        if !skipsRanges { ranges?.note(event, world: world, model: learner?.model) }
        projections?.note(event, world: world)
    }
}

/// On replay, each time the learner's retrained model takes over (`OnlineETA`) the journal's next line must be the
/// core's record of it with the same version, and the journal may record no other: else the day was timed by
/// models this build does not make.
private struct RetrainCheck {
    var expected: String?

    mutating func check(_ event: Event, line: Int) -> String? {
        defer { expected = nil }
        if case let .etaRetrained(version, _) = event.body {
            guard let expected else { return "the ETA model was trained again here when this was written (version \(version)); this build does not train it again at this leg" }
            return version == expected ? nil : "the ETA model was trained again to version \(version) when this was written; this build trains it to \(expected)"
        }
        return expected.map { "this build trains the ETA model again before this line (version \($0)); the journal does not record it" }
    }
}
