import Foundation
import TowerBoard
import TowerCore

/// `tower bench scale`: what a city costs as it grows (issue 18). For each size, a generated city of N riders and
/// 20·N orders (seed 1), each order planned `planHorizon` minutes before its window opens (nil: all at 06:00),
/// played with continuous-auto from the start of the day to `until`, in a process of its own (so its peak memory is
/// its own): the 06:00 plan's time, CPU seconds per simulated hour after the plan, the p99 of one input through the
/// engine, of an exception scan, of a plan search, of a waiting-order retry and of a held-order release, a board
/// frame at 200x60 with its snapshot, the outlook it draws (timed off the frame's thread), and peak memory; then
/// the growth exponent of each between sizes.
enum ScaleBench {
    struct Figures: Codable {
        var riders: Int
        var orders: Int
        var planSeconds: Double
        /// Orders the 06:00 plan held for their waves: beyond its horizon, or past its budget (`plan_budget_s`).
        var heldAtLock: Int
        var cpuPerHour: Double
        var hours: Double
        var eventP99: Double
        var events: Int
        var scanP99: Double
        /// The longest exception scan: the core does nothing else while one runs.
        var scanMax: Double
        var searchP99: Double
        var retryP99: Double
        /// Seconds per simulated hour in scans, plan searches and retries (part of `cpuPerHour`).
        var scanPerHour: Double
        var searchPerHour: Double
        var retryPerHour: Double
        /// A board frame at 200x60: its snapshot (the latest outlook, the KPIs) and render.
        var frameP99: Double
        /// Timing the outlook a frame draws (every route re-timed), which the board does off the frame's thread.
        var outlookP99: Double
        var peakMB: Double
        var onTime: Double
        var delivered: Int
        /// Orders no rider could take, and orders held for their windows (the plan's horizon), at the end.
        var unassigned: Int
        var held: Int
        var releaseP99: Double
        var releasePerHour: Double
    }

    static func run(sizes: [Int], until: String, planHorizon: Int?, executable: String) throws {
        BenchOutput.say(planHorizon.map { "orders planned \($0) minutes before their windows open (plan_horizon_min)" } ?? "the whole day planned at 06:00")
        var all: [Figures] = []
        for riders in sizes {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: executable)
            child.arguments = ["bench", "scale", "--riders", String(riders), "--at", until, "--plan-horizon", planHorizon.map(String.init) ?? "none"]
            let pipe = Pipe()
            child.standardOutput = pipe
            try child.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            child.waitUntilExit()
            guard child.terminationStatus == 0, let line = String(decoding: output, as: UTF8.self).split(separator: "\n").last,
                  let figures = try? JSONDecoder().decode(Figures.self, from: Data(line.utf8)) else {
                throw ToolError("the \(riders)-rider run failed (exit \(child.terminationStatus))")
            }
            all.append(figures)
            say(figures)
        }
        for (small, large) in zip(all, all.dropFirst()) {
            let ratio = log(Double(large.riders) / Double(small.riders))
            func exponent(_ a: Double, _ b: Double) -> String { a > 0 && b > 0 ? String(format: "n^%.2f", log(b / a) / ratio) : "n/a" }
            BenchOutput.say("growth \(small.riders) → \(large.riders) riders: CPU per simulated hour \(exponent(small.cpuPerHour, large.cpuPerHour)), "
                            + "06:00 plan \(exponent(small.planSeconds, large.planSeconds)), event p99 \(exponent(small.eventP99, large.eventP99)), "
                            + "scan p99 \(exponent(small.scanP99, large.scanP99)), frame p99 \(exponent(small.frameP99, large.frameP99)), "
                            + "outlook p99 \(exponent(small.outlookP99, large.outlookP99)), "
                            + "memory \(exponent(small.peakMB, large.peakMB))")
        }
    }

    private static func say(_ f: Figures) {
        BenchOutput.say(String(format: "%d riders, %d orders, played %.1f h after the 06:00 plan: 06:00 plan %.1f s (%d orders held for their waves); %.1f CPU s per simulated hour (scans %.1f, plan searches %.1f, retries %.1f, releases %.1f); "
                               + "p99: event %.2f ms (%d events), exception scan %.0f ms (the longest %.0f ms), plan search %.0f ms, waiting-order retry %.0f ms, "
                               + "held-order release %.0f ms, board frame %.1f ms (its outlook timed off the frame's thread %.0f ms); peak memory %.0f MB; %d delivered, %.1f%% in the booked window; "
                               + "%d orders waiting for a rider, %d held for their windows",
                               f.riders, f.orders, f.hours, f.planSeconds, f.heldAtLock, f.cpuPerHour, f.scanPerHour, f.searchPerHour, f.retryPerHour, f.releasePerHour, f.eventP99, f.events, f.scanP99, f.scanMax, f.searchP99,
                               f.retryP99, f.releaseP99, f.frameP99, f.outlookP99, f.peakMB, f.delivered, f.onTime, f.unassigned, f.held))
    }

    /// One size, in this process: human lines on stderr, the figures as one JSON line on stdout.
    static func one(riders: Int, until: String, planHorizon: Int?) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tower-bench-scale-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        var generator = ScenarioGenerator(name: "scale-\(riders)", seed: 1, riders: riders, orders: riders * 20)
        generator.planHorizonMinutes = planHorizon
        try generator.write(to: work + "/city")
        let scenario = try ScenarioLoader.load(directory: work + "/city")
        guard let second = ISOTime.parseClock(until) else { throw UsageError(message: "--at needs HH:MM, got '\(until)'") }
        let end = scenario.time(second)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, mode: .continuousAuto)
        let engine = session.engine
        let stopwatch = EngineStopwatch()
        engine.stopwatch = stopwatch
        var trend = KPITrend(planLock: scenario.planLock)
        engine.observer = { trend.note($0, world: engine.world) }
        session.simulation.run(until: scenario.planLock, engine: engine)
        let heldAtLock = engine.backlog.held
        progress("\(riders) riders: 06:00 plan in \(String(format: "%.1f", (stopwatch.samples[.planDay]?.first ?? 0) / 1000)) s, \(heldAtLock) orders held for their waves")
        let cpuStart = ETABench.cpuSeconds()
        // Hour by hour, with progress on stderr (a large city takes a while; the figures are the last line on stdout).
        var clock = scenario.planLock
        while clock < end {
            clock = min(end, Instant(seconds: (clock.seconds / 3600 + 1) * 3600))
            session.simulation.run(until: clock, engine: engine)
            let spent = Int((ETABench.cpuSeconds() - cpuStart).rounded())
            progress("\(riders) riders: \(ISOTime.clock(clock, offsetSeconds: scenario.utcOffsetSeconds)) reached, \(spent) CPU s since the plan lock")
        }
        let cpu = ETABench.cpuSeconds() - cpuStart
        let hours = Double(end - scenario.planLock) / 3600

        func p99(_ work: EngineStopwatch.Work) -> Double { (stopwatch.samples[work] ?? []).sorted().quantileValue(0.99) }
        func perHour(_ work: EngineStopwatch.Work) -> Double { (stopwatch.samples[work] ?? []).reduce(0, +) / 1000 / hours }
        // The day's figures at `until`, before the frames below move it on.
        let orders = engine.world.orders.values
        let delivered = orders.filter { $0.status == .delivered }
        let onTime = delivered.filter { order in order.completedAt.map { !order.isLate(deliveredAt: $0) } ?? false }.count
        var figures = Figures(riders: riders, orders: scenario.orders.count, planSeconds: (stopwatch.samples[.planDay]?.first ?? 0) / 1000, heldAtLock: heldAtLock,
                              cpuPerHour: cpu / hours, hours: hours, eventP99: p99(.event), events: stopwatch.samples[.event]?.count ?? 0,
                              scanP99: p99(.scan), scanMax: stopwatch.samples[.scan]?.max() ?? 0, searchP99: p99(.planSearch), retryP99: p99(.retry),
                              scanPerHour: perHour(.scan), searchPerHour: perHour(.planSearch), retryPerHour: perHour(.retry), frameP99: 0, outlookP99: 0,
                              peakMB: 0, onTime: delivered.isEmpty ? 0 : Double(onTime) / Double(delivered.count) * 100, delivered: delivered.count,
                              unassigned: engine.backlog.waiting, held: engine.backlog.held, releaseP99: p99(.release),
                              releasePerHour: perHour(.release))
        var buffer = ScreenBuffer(width: 200, height: 60)
        let model = BoardModel(speed: 60, readonly: false)
        // As a board at ×60 drawing 10 frames a second: the day moves 6 s between frames; each frame takes the latest
        // outlook (timed here beside it; the board times it on a thread of its own) and the KPIs, and renders.
        var frames: [Double] = [], outlooks: [Double] = []
        func milliseconds(since start: UInt64) -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
        for index in 0..<20 {
            let now = end + Int64(6 * index)
            session.simulation.run(until: now, engine: engine)
            let timing = DispatchTime.now().uptimeNanoseconds
            let outlook = engine.outlookInputs(at: now).outlook()
            outlooks.append(milliseconds(since: timing))
            let start = DispatchTime.now().uptimeNanoseconds
            var snapshot = BoardSnapshot(world: engine.world, outlook: outlook, now: now, source: "sim seed 1", deadLetters: 0,
                                         recent: [], wallClock: until)
            snapshot.kpis = trend.current(world: engine.world)
            snapshot.trend = trend.samples
            BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
            frames.append(milliseconds(since: start))
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        figures.frameP99 = frames.sorted().quantileValue(0.99)
        figures.outlookP99 = outlooks.sorted().quantileValue(0.99)
        figures.peakMB = Double(usage.ru_maxrss) / 1024
        let encoder = JSONEncoder()
        BenchOutput.say(String(decoding: try encoder.encode(figures), as: UTF8.self))
    }
}

private func progress(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }

private extension Array where Element == Double {
    /// The value at quantile `q` of an array sorted ascending (nearest rank); 0 when empty.
    func quantileValue(_ q: Double) -> Double { isEmpty ? 0 : self[Swift.min(count - 1, Int(Double(count - 1) * q + 0.5))] }
}
