// libFuzzer entry for the core's feed: each input, split into lines, goes through `Ingestion` (decode, check, apply)
// into an engine holding the sample city at 10:00 (lines dated after 10:30 refused), which then runs its clock on
// for five minutes (scans, desk, plan search). Every line must be taken or refused with a reason, and every event the
// core commits must read back from its journal line; never a crash, a hang or an unbounded allocation. Built and run by `bench/fuzz/run SECONDS feed` (swiftc -sanitize=fuzzer,address),
// not by `swift build`; run from the project's root (the city is read from sample-data/rio).
import Foundation

/// The city at 10:00, made once: every input starts from this world.
struct FuzzCity: Sendable {
    let world: World
    let settings: EngineSettings
    let start: Instant

    static let shared: FuzzCity = {
        do {
            let scenario = try ScenarioLoader.load(directory: "sample-data/rio")
            let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
            let start = scenario.planLock + 4 * 3600
            session.simulation.run(until: start, engine: session.engine)
            // Lines dated more than half an hour on are refused, as the core refuses lines past the day's end: each
            // input then costs at most half an hour of the day's scans, not the rest of the day.
            var settings = EngineSettings(scenario: scenario, mode: .continuousAuto, policy: .standard)
            settings.latestEventTime = start + 1800
            return FuzzCity(world: session.engine.world, settings: settings, start: start)
        } catch {
            fatalError("the fuzz city could not be made (run from the project's root): \(error)")
        }
    }()
}

/// Every event the core commits, written as its journal line and read back: what the core writes, a replay or a
/// restart must read (a window ending in the year 9999 at another offset was once journaled as the year 10000).
final class ReadBackSink: EventSink {
    let offsetSeconds: Int
    init(offsetSeconds: Int) { self.offsetSeconds = offsetSeconds }

    func append(_ event: Event) throws {
        let line = EventCodec.encode(event, utcOffsetSeconds: offsetSeconds)
        if case let .bad(error) = line.withUnsafeBufferPointer({ JournalReader.decode($0) }) {
            preconditionFailure("a journaled \(event.type) does not read back: \(error)")
        }
    }
    func endStep() throws {}
    func sync() {}
    func syncIfDue() {}
}

/// Makes the city before the first input, so the simulation of its morning is not timed as an input's.
@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    _ = FuzzCity.shared
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let city = FuzzCity.shared
    let engine = Engine(world: city.world, journal: ReadBackSink(offsetSeconds: city.world.utcOffsetSeconds), settings: city.settings)
    let ingestion = Ingestion(source: "fuzz", deadLetter: nil)
    let bytes = UnsafeBufferPointer(start: data, count: size)
    var taken = 0
    for (number, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
        let long = line.count > EventCodec.maxLineBytes
        let outcome = ingestion.take(Array(long ? line.prefix(EventCodec.maxLineBytes) : line), line: number + 1,
                                     overlongBytes: long ? line.count : nil, engine: engine)
        switch outcome {
        case .accepted: taken += 1
        case let .refused(error): precondition(!error.reason.isEmpty, "a refusal without a reason")
        case .repeated, .skippedCoreDecision, .blank: break
        case .stopped: preconditionFailure("the engine stopped without a journal")
        }
    }
    if taken > 0 { engine.advance(to: max(engine.world.clock ?? city.start, city.start) + 300) }
    return 0
}
