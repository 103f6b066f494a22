import Foundation
import TowerBoard
import TowerCore

/// `tower bench board`: the board's speed and its traffic to the terminal.
///
/// 1. Frame build at 200x60 on a city of `riders` riders at 10:00: the snapshot (re-timing every route for the
///    outlook, the KPIs; with the travel model and with the learned ETA model) and the render into the cell buffer,
///    measured apart.
/// 2. Keystroke to updated screen: a key through the model, a new frame and its diff against the last one, as the
///    live loop does it: the frame draws the outlook the core timed last (`OutlookPublisher`), so a key press does
///    not re-time the routes (the ncurses write of the changed cells is the third part, measured next).
/// 3. Bytes per second written to a 120x40 terminal at steady state, by the real binary under `script(1)` (a pty),
///    and by `htop` under the same pty at the same refresh when it is installed.
enum BoardBench {
    /// A learned model for the generated city (which names no history): trained on the shipped one, as the sample
    /// city's is, to time the snapshot with a learned model's ETAs.
    static func shippedModel() throws -> ETAModel? {
        let history = Installation.shipped("sample-data/history/rio-history-60d.csv")
        guard FileManager.default.fileExists(atPath: history) else { return nil }
        return try ETAModelChoice.trained(onHistory: history)
    }

    static func run(riders: Int, seconds: Double) throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tower-bench-board-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        try ScenarioGenerator(name: "bench-board", seed: 7, riders: riders, orders: riders * 10).write(to: work + "/city")
        let scenario = try ScenarioLoader.load(directory: work + "/city")
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        var trend = KPITrend(planLock: scenario.planLock)
        let engine = session.engine
        engine.observer = { trend.note($0, world: engine.world) }
        let now = scenario.time(10 * 3600)
        let started = Date()
        session.simulation.run(until: now, engine: engine)
        print("city: \(riders) riders, \(scenario.orders.count) orders, simulated to 10:00 in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")

        func snapshot(learned: ETAModel? = nil) -> BoardSnapshot {
            var snapshot = BoardSnapshot(world: engine.world, outlook: Outlook(world: engine.world, now: now, planner: engine.planner, learned: learned),
                                         now: now,
                                         source: "sim seed 1", deadLetters: 0, recent: [], wallClock: "10:00:00")
            snapshot.kpis = trend.current(world: engine.world)
            snapshot.trend = trend.samples
            return snapshot
        }
        let frame = snapshot()
        var model = BoardModel(speed: 60, readonly: false)
        var buffer = ScreenBuffer(width: 200, height: 60)
        let snapshotTimes = measure(50) { _ = snapshot() }
        if let model = try shippedModel()?.adding(riders: engine.world.riderIDs) {
            let learnedTimes = measure(20) { _ = snapshot(learned: model) }
            print("snapshot with ETAs from the learned model (the board's default): p50 \(ms(learnedTimes, 0.5)) p99 \(ms(learnedTimes, 0.99))")
        }
        let renderTimes = measure(200) { BoardView.render(frame, model: model, theme: .dark, glyphs: .unicode, into: &buffer) }
        print("frame at 200x60: snapshot p50 \(ms(snapshotTimes, 0.5)) p99 \(ms(snapshotTimes, 0.99)); render p50 \(ms(renderTimes, 0.5)) p99 \(ms(renderTimes, 0.99)) (target: 2 ms)")

        var rows = BoardView.render(frame, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        var previous = buffer
        let keys: [Key] = [.down, .down, .tab, .down, .char("m"), .escape, .up, .backTab, .char("M"), .escape]
        var index = 0
        let keyTimes = measure(300) {
            _ = model.update(.key(keys[index % keys.count]), rows: rows)
            index += 1
            var next = ScreenBuffer(width: 200, height: 60)
            rows = BoardView.render(frame, model: model, theme: .dark, glyphs: .unicode, into: &next)
            _ = next.changes(since: previous)
            previous = next
        }
        print("keystroke to new frame and diff at 200x60: p50 \(ms(keyTimes, 0.5)) p99 \(ms(keyTimes, 0.99)) (target: 16 ms)")

        try terminalTraffic(work: work, seconds: seconds)
    }

    /// Runs `body` `count` times; the durations in seconds, sorted.
    private static func measure(_ count: Int, _ body: () -> Void) -> [Double] {
        (0..<count).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }.sorted()
    }

    private static func ms(_ sorted: [Double], _ q: Double) -> String {
        String(format: "%.2f ms", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1000)
    }

    /// Bytes per second the board and htop write to a 120x40 pty, after a two-second warm-up.
    private static func terminalTraffic(work: String, seconds: Double) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else {
            print("terminal traffic: skipped (script(1) from util-linux is not installed)")
            return
        }
        let tower = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().path
        try ScenarioGenerator(name: "bench-traffic", seed: 4, riders: 40, orders: 800).write(to: work + "/traffic")
        let board = "\(tower) board --scenario \(work)/traffic --journal \(work)/traffic.jsonl --speed 60"
        print("terminal traffic at 120x40 over \(Int(seconds)) s (after a 2 s warm-up):")
        print("  tower board (clock running ×60, frames capped at 10/s): \(try bytesPerSecond(board, work: work, seconds: seconds)) bytes/s")
        let htop = ["/usr/bin/htop", "/usr/local/bin/htop"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let htop else {
            print("  htop: not installed (apt-get install htop to compare)")
            return
        }
        print("  htop -d 10 (1 refresh/s): \(try bytesPerSecond("\(htop) -d 10", work: work, seconds: seconds)) bytes/s")
        print("  htop -d 1 (10 refreshes/s): \(try bytesPerSecond("\(htop) -d 1", work: work, seconds: seconds)) bytes/s")
    }

    private static func bytesPerSecond(_ command: String, work: String, seconds: Double) throws -> Int {
        let log = work + "/pty-\(UUID().uuidString).log"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["-q", "-f", "-c", "stty rows 40 cols 120; exec \(command)", log]
        var environment = ProcessInfo.processInfo.environment
        environment["TERM"] = "xterm-256color"
        environment.removeValue(forKey: "NO_COLOR")
        process.environment = environment
        process.standardInput = Pipe()  // kept open, so the program sees no end of input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        func size() -> Int { (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? Int) ?? 0 }
        Thread.sleep(forTimeInterval: 2)
        let before = size()
        Thread.sleep(forTimeInterval: seconds)
        return Int(Double(size() - before) / seconds)
    }
}
