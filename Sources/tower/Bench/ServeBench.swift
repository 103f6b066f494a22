import Foundation
import Glibc
import Synchronization
import TowerBoard
import TowerCore
import TowerService

/// `tower bench serve`: boards attached over the real Unix socket to a core playing a generated city at ×60.
///
/// The core (session and server) runs on a thread of its own, as `tower serve` runs it; each board is a thread
/// with a `ServiceClient` and a `CoreMirror`, as `tower attach` keeps one, and draws its first frame into a cell
/// buffer. One more client attaches and never reads, to show a stalled board costs the others nothing. Figures:
/// time from an event's commit (journal write, then apply) to each board holding it, p50 and p99; the core
/// thread's CPU; bytes per board per second; the snapshot's size and cost; attach to first frame, first with the
/// boards attaching one after another (a quarter of a second apart, as a team comes in) and following the day, then
/// with them all leaving and attaching again at once (as after a restart of the core); the boards' outlook with its
/// lanes kept, a simulated second after a whole one; then resume against replay of the journal.
enum ServeBench {
    /// What the threads share: commit times by journal position, and the boards' figures.
    private final class Shared: Sendable {
        let committed = Mutex([Int64: UInt64]())
        let latencies = Mutex([Double]())
        let bytes = Mutex(0)
        let stop = Mutex(false)
        let serverCPU = Mutex(0.0)
        let problems = Mutex([String]())
    }

    /// One way of attaching (one after another, or all at once): when its boards leave, and their first frames.
    private final class Phase: Sendable {
        let stop = Mutex(false)
        /// Each board's attach to first frame, by the board's number (the order they attached in).
        let attaches = Mutex([Int: Double]())
        let stages = Mutex([AttachStages]())
        /// Whether its boards' traffic is counted (the phase that follows the day).
        let counts: Bool
        init(counts: Bool) { self.counts = counts }
    }

    /// Where one board's first frame went, in seconds from its connect.
    private struct AttachStages: Sendable {
        var hello = 0.0, snapshotIn = 0.0, copied = 0.0, caughtUp = 0.0, drawn = 0.0
        /// Events since the snapshot applied before the first frame.
        var events = 0
    }

    static func run(riders: Int, clients: Int, seconds: Double) throws {
        let work = "/tmp/tower-bench-serve-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        try ScenarioGenerator(name: "bench-serve", seed: 5, riders: riders, orders: riders * 20).write(to: work + "/city")
        let scenario = try ScenarioLoader.load(directory: work + "/city")
        // Retrained models are kept as `tower serve` keeps them (in its state folder), so the resume takes them.
        var model = try BoardBench.shippedModel()?.adding(riders: scenario.riders.map(\.profile.id))
        model?.source?.cache = ETAModelCache(folder: work + "/models", build: "bench")
        let journal = work + "/j.jsonl"
        var clock = Date()
        let projections = DayProjections(planLock: scenario.planLock)
        let started = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: journal, durability: .live, eta: model,
                                               projections: projections)
        let from = scenario.time(10 * 3600)
        started.simulation.run(until: from, engine: started.engine)
        started.engine.runPlanSearches(on: BackgroundPlanSearch())
        BenchOutput.say("city: \(riders) riders, \(scenario.orders.count) orders; played to 10:00 in \(String(format: "%.1f", Date().timeIntervalSince(clock))) s, "
              + "journal \(started.engine.world.lastSeq) events")
        started.engine.sync()
        let session = CoreSession(engine: started.engine, source: SimulationSource(simulation: started.simulation), start: from, speed: 60)
        session.adopt(projections)
        clock = Date()
        _ = session.outlook
        let outlookTimed = Date().timeIntervalSince(clock)
        clock = Date()
        let timed = CoreSnapshot(session: session)
        let bytes = try timed.encoded()
        let encoded = Date().timeIntervalSince(clock)
        clock = Date()
        let copy = CoreMirror(try CoreSnapshot.decode(bytes), planLock: scenario.planLock)
        let decoded = Date().timeIntervalSince(clock)
        guard copy.world.digest == session.engine.world.digest else { throw ToolError("the snapshot's world differs from the core's") }
        BenchOutput.say(String(format: "the boards' outlook timed by the core in %.0f ms (on a thread of its own, at most every %.1f s while boards follow); snapshot of the core at %d events: %.1f MB, written in %.0f ms (on a thread of its own, when a board needs one and the latest is more than %d events old), read into a board's copy in %.0f ms",
                               outlookTimed * 1000, OutlookPublisher.interval, copy.world.lastSeq, Double(bytes.count) / 1e6, encoded * 1000,
                               CoreServer.defaultFreshEvents, decoded * 1000))
        try sayWhereTheCopyGoes(timed, planLock: scenario.planLock)
        let server = try CoreServer(socketPath: work + "/j.sock", session: session, roster: nil, journalPath: journal, planLock: scenario.planLock)
        let shared = Shared()
        let serverSide = session.onEvent
        session.onEvent = { [unowned session] (event: Event) in
            serverSide?(event)
            shared.committed.withLock { $0[session.engine.world.lastSeq] = DispatchTime.now().uptimeNanoseconds }
        }

        let core = Handoff((session, server))
        let coreDone = DispatchSemaphore(value: 0)
        let coreThread = Thread {
            let cpuStart = threadCPU()
            var last = Date()
            while !shared.stop.withLock({ $0 }) {
                core.value.1.serve(timeout: 10)
                let now = Date()
                core.value.0.step(elapsed: now.timeIntervalSince(last))
                last = now
            }
            shared.serverCPU.withLock { $0 = threadCPU() - cpuStart }
            coreDone.signal()
        }
        coreThread.name = "core"
        coreThread.start()

        // Boards attach to a running core: one after another, a quarter of a second apart, then they follow the day.
        Thread.sleep(forTimeInterval: 2)
        let socket = work + "/j.sock"
        let stalled = try ServiceClient(socketPath: socket, request: .init(role: nil, follow: true))
        let boardsDone = DispatchSemaphore(value: 0)
        func attach(_ phase: Phase, stagger: Double) {
            for index in 0..<clients {
                Thread { board(index: index, socket: socket, shared: shared, phase: phase); boardsDone.signal() }.start()
                Thread.sleep(forTimeInterval: stagger)
            }
        }
        clock = Date()
        let oneByOne = Phase(counts: true)
        attach(oneByOne, stagger: 0.25)
        Thread.sleep(forTimeInterval: max(0, seconds - Date().timeIntervalSince(clock)))
        oneByOne.stop.withLock { $0 = true }
        for _ in 0..<clients { boardsDone.wait() }
        let wall = Date().timeIntervalSince(clock)
        // They all leave and come back at once.
        let together = Phase(counts: false)
        attach(together, stagger: 0)
        let deadline = Date().addingTimeInterval(max(10, seconds / 2))
        while together.attaches.withLock({ $0.count }) < clients, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        together.stop.withLock { $0 = true }
        for _ in 0..<clients { boardsDone.wait() }
        shared.stop.withLock { $0 = true }
        coreDone.wait()
        stalled.close()
        for problem in shared.problems.withLock({ $0 }) { BenchOutput.say("problem: \(problem)") }

        let latencies = shared.latencies.withLock { $0 }.sorted()
        let events = session.engine.world.lastSeq
        BenchOutput.say("\(clients) boards and 1 stalled client on one core at ×60 for \(String(format: "%.0f", wall)) s "
              + "(to \(ISOTime.clock(session.now, offsetSeconds: scenario.utcOffsetSeconds)), \(events) events in the journal)")
        BenchOutput.say("commit to each board holding the event: p50 \(BenchOutput.ms(latencies, 0.5)) p99 \(BenchOutput.ms(latencies, 0.99)) over \(latencies.count) deliveries")
        for (phase, how) in [(oneByOne, "one after another, a quarter of a second apart"), (together, "all at once, as after a restart")] {
            let byBoard = phase.attaches.withLock { $0 }
            let attaches = byBoard.values.sorted()
            BenchOutput.say("attach to first frame (hello, snapshot read into a copy, events since, the core's outlook, 200x60 render), \(attaches.count) of \(clients) boards "
                            + "attaching \(how): p50 \(BenchOutput.ms(attaches, 0.5)) max \(BenchOutput.ms(attaches, 1))" + (phase.counts ? " (target: 200 ms)" : ""))
            BenchOutput.say("  each board's, in the order they attached (ms): " + byBoard.keys.sorted().map { String(format: "%.0f", byBoard[$0]! * 1000) }.joined(separator: " "))
            let stages = phase.stages.withLock { $0 }.sorted { $0.drawn < $1.drawn }
            guard !stages.isEmpty else { continue }
            let median = stages[stages.count / 2]
            BenchOutput.say(String(format: "  of the median board's first frame: its hello at %.0f ms, the snapshot's bytes in at %.0f ms, read into a copy by %.0f ms, "
                                   + "%d events since the snapshot applied by %.0f ms, the frame drawn by %.0f ms",
                                   median.hello * 1000, median.snapshotIn * 1000, median.copied * 1000, median.events, median.caughtUp * 1000, median.drawn * 1000))
        }
        let cpu = shared.serverCPU.withLock { $0 }
        BenchOutput.say(String(format: "core thread CPU: %.2f s in %.0f s (%.0f%% of one core), simulation and plan searches included", cpu, wall, cpu / wall * 100))
        BenchOutput.say(String(format: "bytes per board per second once attached: %.0f", Double(shared.bytes.withLock { $0 }) / Double(clients) / wall))

        server.close()
        if let simulation = (session.source as? SimulationSource)?.simulation, let now = session.engine.world.clock {
            sayWhatAKeptOutlookCosts(session.engine, simulation: simulation, at: now)
        }
        // As a SIGTERM stops it (`CoreStart.close`): a checkpoint, and a training in flight finished into the cache.
        (session.source as? SimulationSource)?.simulation.checkpoint(engine: session.engine)
        session.engine.learner?.waitForTraining()
        session.engine.sync()
        clock = Date()
        _ = try Replayer.replay(path: journal)
        let replay = Date().timeIntervalSince(clock)
        clock = Date()
        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: journal, durability: .batch, eta: model,
                                                   projections: DayProjections(planLock: scenario.planLock))
        let resume = Date().timeIntervalSince(clock)
        BenchOutput.say(String(format: "resume of the journal (%d events, %d re-run from the last checkpoint): %.2f s; replay: %.2f s (%.1f×; target ≤ 2×)",
                               resumed.resumedEvents, resumed.rerunEvents, resume, replay, resume / replay))
    }

    /// The boards' outlook between two timings at real time (the publisher times one about every half second): every
    /// lane timed, then one simulated second of the day later with the lanes kept (`OutlookLanes`).
    private static func sayWhatAKeptOutlookCosts(_ engine: Engine, simulation: CitySimulation, at now: Instant) {
        var kept: OutlookLanes? = OutlookLanes()
        var clock = Date()
        _ = engine.outlookInputs(at: now).outlook(onEveryCore: false, keeping: &kept)
        let whole = Date().timeIntervalSince(clock)
        simulation.run(until: now + 1, engine: engine)
        clock = Date()
        _ = engine.outlookInputs(at: now + 1).outlook(onEveryCore: false, keeping: &kept)
        let part = Date().timeIntervalSince(clock)
        BenchOutput.say(String(format: "the outlook with its lanes kept: every lane timed in %.0f ms; one simulated second later (what a timing sees at real time) %d of %d lanes re-timed, in %.1f ms",
                               whole * 1000, kept?.retimed ?? 0, engine.world.riderIDs.count, part * 1000))
    }

    /// One board: attach, build the copy and a first frame, then hold every event as it comes, until told to stop.
    private static func board(index: Int, socket: String, shared: Shared, phase: Phase) {
        let start = DispatchTime.now().uptimeNanoseconds
        let client: ServiceClient
        do { client = try ServiceClient(socketPath: socket, request: .init(role: nil, follow: true)) } catch {
            shared.problems.withLock { $0.append("board \(index): \(error)") }
            return
        }
        defer { client.close() }
        var mirror: CoreMirror?
        var planLock = Instant(seconds: 0)
        var framed = false
        var received = 0
        var stages = AttachStages()
        let since = { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        while !phase.stop.withLock({ $0 }) {
            let (frames, ended) = client.receive(timeout: 20)
            let now = DispatchTime.now().uptimeNanoseconds
            var held: [Int64] = []
            for frame in frames {
                switch frame {
                case let .hello(hello):
                    planLock = Instant(seconds: hello.planLock)
                    if !framed { stages.hello = since() }
                case let .snapshot(bytes):
                    if !framed { stages.snapshotIn = since() }
                    do { mirror = CoreMirror(try CoreSnapshot.decode(bytes), planLock: planLock) } catch {
                        shared.problems.withLock { $0.append("board \(index): \(error)") }
                        return
                    }
                    if !framed { stages.copied = since() }
                case let .event(line):
                    if framed { received += line.count + 7 }
                    guard let mirror else { continue }
                    do { try mirror.apply(EventCodec.decode(line: line).event) } catch {
                        shared.problems.withLock { $0.append("board \(index): \(error)") }
                        return
                    }
                    if framed { held.append(mirror.world.lastSeq) } else { stages.events += 1 }
                case let .outlook(bytes):
                    if framed { received += bytes.count }
                    do { mirror?.take(try TimedOutlook.decode(bytes)) } catch {
                        shared.problems.withLock { $0.append("board \(index): \(error)") }
                        return
                    }
                case let .status(status):
                    if framed { received += 200 }
                    guard let mirror, !framed else { continue }
                    stages.caughtUp = since()
                    // As `tower attach` draws its first frame: the world, the core's outlook, the KPIs.
                    var buffer = ScreenBuffer(width: 200, height: 60)
                    var snapshot = BoardSnapshot(world: mirror.world, outlook: mirror.outlook.outlook, now: status.instant, source: status.label,
                                                 deadLetters: 0, recent: mirror.log.lines, wallClock: "")
                    snapshot.kpis = mirror.trend.current(world: mirror.world)
                    snapshot.trend = mirror.trend.samples
                    snapshot.learnedETA = mirror.outlook.eta
                    _ = BoardView.render(snapshot, model: BoardModel(speed: 60, readonly: false), theme: .dark, glyphs: .unicode, into: &buffer)
                    let seconds = since()
                    stages.drawn = seconds
                    phase.attaches.withLock { $0[index] = seconds }
                    phase.stages.withLock { [stages] in $0.append(stages) }
                    framed = true
                default:
                    continue
                }
            }
            if !held.isEmpty, phase.counts {
                let committed = shared.committed.withLock { times in held.compactMap { times[$0] } }
                shared.latencies.withLock { $0 += committed.map { Double(now - min(now, $0)) / 1e9 } }
            }
            if let ended {
                shared.problems.withLock { $0.append("board \(index): \(ended)") }
                return
            }
        }
        if phase.counts { shared.bytes.withLock { $0 += received } }
    }


    private static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }


    /// Where a board's first frame goes: reading the snapshot's world, the core's outlook, the log and the trend.
    private static func sayWhereTheCopyGoes(_ snapshot: CoreSnapshot, planLock: Instant) throws {
        func timed(_ work: () throws -> Void) rethrows -> Double {
            let clock = Date()
            try work()
            return Date().timeIntervalSince(clock) * 1000
        }
        let world = try CompactEncoder().encode(snapshot.world)
        let coreOutlook = try snapshot.outlook.encoded()
        let readWorld = try timed { _ = try CompactDecoder().decode(World.self, from: world) }
        let readOutlook = try timed { _ = try TimedOutlook.decode(coreOutlook) }
        let rest = try CompactEncoder().encode([try CompactEncoder().encode(snapshot.log), try CompactEncoder().encode(snapshot.trend)])
        let readRest = try timed {
            _ = try CompactDecoder().decode(RecentLog.self, from: try CompactEncoder().encode(snapshot.log))
            _ = try CompactDecoder().decode(KPITrend?.self, from: try CompactEncoder().encode(snapshot.trend))
        }
        let whole = try snapshot.encoded()
        var decoded: CoreSnapshot?
        let readWhole = try timed { decoded = try CoreSnapshot.decode(whole) }
        let built = timed { _ = CoreMirror(decoded!, planLock: planLock) }
        BenchOutput.say(String(format: "  of a copy's reading, the world (%.1f MB) %.0f ms, the core's outlook (%.1f MB) %.0f ms, the log and the KPI trend (%.1f MB) %.0f ms (with their writing); the whole snapshot read in %.0f ms, the copy made of it in %.0f ms",
                               Double(world.count) / 1e6, readWorld, Double(coreOutlook.count) / 1e6, readOutlook, Double(rest.count) / 1e6, readRest,
                               readWhole, built))
    }
}
