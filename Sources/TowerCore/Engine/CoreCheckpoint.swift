import Foundation

/// What the core needs to go on from a point in its journal that the events alone do not say: the engine's
/// bookkeeping (`EngineState`), on a simulated day where the city has got to (`SimulationState`), and what the
/// lanes' ranges have learned (`RangeLearner`, which a replay would otherwise time every lane of the day again for).
///
/// Written as `core.checkpoint` lines, one engine step: every `CitySimulation.checkpointInterval` of simulated
/// time and at every clean stop. A resume replays the journal up to the last whole checkpoint, takes the state
/// from it and goes on; after a crash it re-runs only what came after that checkpoint.
struct CoreCheckpoint: Codable {
    var engine: EngineState
    var simulation: SimulationState?
    /// The lanes' ranges learning from arrivals (absent in checkpoints written before they were kept, and before a
    /// core without a learned model learned them: a resume then learns them again from the whole journal).
    var ranges: RangeLearner?

    /// The most lines one checkpoint may take (a city of several thousand riders takes tens).
    static let maxParts = 100_000
    /// Bytes of JSON text a line carries: escaped, even a text of nothing but quotes stays under the journal's line limit.
    static let partBytes = 20_000

    /// The state as JSON text, cut into parts at character boundaries.
    func parts() -> [String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same state, the same bytes: a re-run makes the same lines
        let bytes = Array((try? encoder.encode(self)) ?? Data())  // plain values only: encoding cannot fail
        var parts: [String] = []
        var start = 0
        while start < bytes.count {
            var end = min(bytes.count, start + Self.partBytes)
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end -= 1 }  // never inside a UTF-8 sequence
            parts.append(String(decoding: bytes[start..<end], as: UTF8.self))
            start = end
        }
        return parts
    }

    /// The state from its parts, in order.
    static func assemble(_ parts: [String]) throws -> CoreCheckpoint {
        do {
            return try JSONDecoder().decode(CoreCheckpoint.self, from: Data(parts.joined().utf8))
        } catch {
            throw ToolError("the journal's checkpoint cannot be read (\(DecodingFailure.describe(error))); start over with --fresh")
        }
    }
}

/// The engine's bookkeeping between events (see `Engine`): what a checkpoint keeps of it.
struct EngineState: Codable {
    var advancedTo: Instant?
    var waiting: [String]
    var roomFreed: [String]
    var retryEveryone: Bool
    var lastTried: [String: [String]]
    /// Orders held until their window comes within the plan's horizon, or held because the lock's plan ran out of
    /// budget before them (absent in checkpoints written before the horizon).
    var held: [String]?
    /// Of those, the ones placed at another time than their windows say (the lock's plan ran out of budget after they
    /// were due: spread over the half hour after the lock); absent when none.
    var heldReleases: [String: Instant]?
    /// The plan search in flight: when it started, on the world as it stood after event `seq`, with what budget.
    var search: Search?

    struct Search: Codable {
        var started: Instant
        var seq: Int64
        var iterations: Int
    }
}

extension Engine {
    var state: EngineState {
        EngineState(advancedTo: advancedTo, waiting: dispatcher.waiting.sorted(), roomFreed: dispatcher.roomFreed.sorted(),
                    retryEveryone: dispatcher.retryEveryone, lastTried: dispatcher.lastTried.mapValues { $0.sorted() }, held: dispatcher.held.keys.sorted(),
                    heldReleases: dispatcher.heldOffSchedule,
                    search: improver.inFlight.map { .init(started: $0.now, seq: $0.world.lastSeq, iterations: $0.iterations) })
    }

    /// Journals a checkpoint as one step. `advancing`: run the timed work up to `time` first, whatever interrupts
    /// (the periodic checkpoints, so they fall at the same place however time was sliced); a stop's checkpoint
    /// keeps the engine where it is. Written with or without a journal, so a day's events (and its digest) are the
    /// same either way; nothing is written when nothing happened since the last.
    func writeCheckpoint(at time: Instant, simulation: SimulationState?, advancing: Bool = true) {
        guard halted == nil else { return }
        if advancing { advance(to: time, interruptible: false) }
        guard checkpointEnd != world.lastSeq else { return }
        let parts = CoreCheckpoint(engine: state, simulation: simulation, ranges: rangeLearner).parts()
        for (index, text) in parts.enumerated() {
            decide(.checkpoint(part: index + 1, parts: parts.count, state: text), at: time)
        }
        endStep()
        checkpointEnd = world.lastSeq
    }

    /// Goes on from a checkpoint: the engine was just made on the world replayed up to it. `searchWorld` is the
    /// world as it stood when the plan search in flight started (`state.search.seq`), if one was.
    func restore(_ state: EngineState, searchWorld: World?) throws {
        advancedTo = state.advancedTo
        dispatcher.restore(waiting: state.waiting, roomFreed: state.roomFreed, retryEveryone: state.retryEveryone, lastTried: state.lastTried,
                           held: state.held ?? [], offSchedule: state.heldReleases ?? [:])
        checkpointEnd = world.lastSeq
        if let search = state.search {
            guard let searchWorld, searchWorld.lastSeq == search.seq else {
                throw ToolError("the journal's checkpoint names a plan search on the world after event \(search.seq), which the journal does not hold")
            }
            improver.start(on: searchWorld, at: search.started, iterations: search.iterations)
        }
    }
}
