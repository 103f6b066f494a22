import Foundation
import TowerCore

/// `tower bench resume`: plays a city to `--at` with a journal and stops cleanly, then times what a restart costs
/// against `tower replay` of the same journal: after the clean stop (the journal ends with a checkpoint), and after
/// a crash just before that stop (the minutes since the last periodic checkpoint are made again), with the recent log
/// and the KPI trend noted on the way as a restarted core notes them. Each figure is the
/// median of three.
enum ResumeBench {
    static func run(scenarioPath: String, seed: UInt64, at: String, etaOption: String?) throws {
        let scenario = try ScenarioLoader.load(directory: scenarioPath)
        guard let second = ISOTime.parseClock(at) else { throw ToolError("--at needs a local time HH:MM, got '\(TextSanitizer.clean(at))'") }
        var model = try ETAModelChoice.model(etaOption, scenario: scenario)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tower-bench-resume-\(getpid())").path
        // Retrained models are kept as a restarted core keeps them (in its state folder), so a resume takes them.
        model?.source?.cache = ETAModelCache(folder: folder + "/models", build: "bench")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/day.jsonl", crashed = folder + "/crashed.jsonl"

        var clock = Date()
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: journal, durability: .batch, eta: model)
        session.simulation.run(until: scenario.time(second), engine: session.engine)
        let beforeStop = session.engine.world.lastSeq
        session.simulation.checkpoint(engine: session.engine)
        session.engine.sync()
        let played = Date().timeIntervalSince(clock)
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(Int(beforeStop)).joined(separator: "\n") + "\n").write(toFile: crashed, atomically: true, encoding: .utf8)
        let size = (try FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int) ?? 0
        let checkpoints = lines.filter { $0.contains(#""type":"core.checkpoint""#) }
        BenchOutput.say("\(scenario.name) seed \(seed) played to \(at) in \(String(format: "%.1f", played)) s: \(lines.count) events, "
                        + "\(size / 1024) KiB, of which \(checkpoints.count) checkpoint lines (\(checkpoints.reduce(0) { $0 + $1.utf8.count } / 1024) KiB)")

        // The ETA model's training in flight (started on a thread every 400 legs) is waited for after each timing, so
        // one run's training does not share the machine with the next run's timing.
        session.engine.learner?.waitForTraining()
        func median(_ work: () throws -> OnlineETA?) rethrows -> Double {
            var times: [Double] = []
            for _ in 0..<3 {
                clock = Date()
                let learner = try work()
                times.append(Date().timeIntervalSince(clock))
                learner?.waitForTraining()
            }
            return times.sorted()[1]
        }
        let replay = try median { _ = try Replayer.replay(path: journal); return nil }
        var rerun = 0
        let clean = try median {
            let resumed = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: journal, durability: .batch, eta: model,
                                                   projections: DayProjections(planLock: scenario.planLock))
            rerun = resumed.rerunEvents
            return resumed.engine.learner
        }
        let cleanRerun = rerun
        let afterCrash = try median {
            let resumed = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: crashed, durability: .batch, eta: model,
                                                   projections: DayProjections(planLock: scenario.planLock))
            rerun = resumed.rerunEvents
            return resumed.engine.learner
        }
        BenchOutput.say(String(format: "replay: %.3f s", replay))
        BenchOutput.say(String(format: "resume after a clean stop: %.3f s (%.2f× replay; target ≤ 2×), %d events re-run", clean, clean / replay, cleanRerun))
        BenchOutput.say(String(format: "resume after a crash just before the stop: %.3f s (%.2f× replay), %d events re-run from the last periodic checkpoint",
                               afterCrash, afterCrash / replay, rerun))
    }
}
