import Foundation
import TowerCore
import TowerService

/// `tower bench`: measurements that back the figures in BENCHMARKS.md. Run with `swift run -c release`.
enum BenchCommand: Command {
    static let spec = CommandSpec(
        name: "bench",
        summary: "Measure performance (build with -c release): 'events', 'routing [DIR]', 'insert', 'replan', 'eta [HISTORY]', 'risk', 'board', 'serve', 'http', 'queue', 'hindsight', 'resume' or 'scale'.",
        arguments: [.init(name: "WHAT", help: "What to measure: events (ingestion, replay, memory), routing (Solomon), insert (live insertion latency), replan (a full live re-plan in a budget), eta (learned ETAs on held-out days, training time), risk (recall and precision of the at-risk list), board (frame, keystroke, terminal bytes), serve (boards attached over the socket: delivery latency, attach time, core CPU, the outlook with its lanes kept, resume against replay), http (phones' positions per second over keep-alive, each journaled before its reply), queue (the exception desk's cases per hour), hindsight (promises kept by each policy against the day planned with every order known at the plan lock), resume (a restart of a day stopped at --at, default 14:00, against a replay of its journal), scale (cities of 100, 400 and 2,000 riders played to --at, default 12:00: the 06:00 plan, CPU per simulated hour, p99 of an event, a scan, a plan search and a board frame, memory, growth)."),
                    .init(name: "DIR", help: "For routing: a folder of Solomon instances with bks.csv (default bench/solomon); for eta: a history CSV (default sample-data/history/rio-history-60d.csv), or 'synthetic' for a history with known effects (--seed).", optional: true)],
        options: [
            .init(name: "time-limit", value: "S", help: "For routing: seconds per instance (default 1); for replan: the budget (default 2)."),
            .init(name: "seed", value: "N", help: "For routing: the solver's seed (default 1)."),
            .init(name: "riders", value: "N", help: "Riders in the generated city (default 2000; board, serve and http: 500)."),
            .init(name: "scenario", value: "DIR", help: "For replan, risk, queue, hindsight and resume: the city (default \(defaultScenarioName))."),
            .init(name: "runs", value: "K", help: "For risk: simulated days (seeds N, N+1, ...; default 3); for hindsight: default 1."),
            .init(name: "json", value: nil, help: "For hindsight: one JSON object instead of the table."),
            .init(name: "at", value: "HH:MM", help: "For replan: when the re-plan happens (default 10:00); for resume: where the day stops (default 14:00); for scale: how far each city plays (default 12:00)."),
            .init(name: "seconds", value: "S", help: "For board: how long to count terminal bytes (default 10); for serve: how long the boards watch (default 20); for http: how long the phones post (default 10)."),
            .init(name: "clients", value: "N", help: "For serve: boards attached (default 20); for http: connections (default 50)."),
            .init(name: "orders", value: "N", help: "Orders over the day (default 50000)."),
            .init(name: "plan-horizon", value: "MIN", help: "For scale: plan each order this many minutes before its window opens (default 180; 'none': the whole day at 06:00)."),
            .init(name: "sizes", value: "N,N,...", help: "For scale: riders per city, each with 20 orders per rider (default 100,400,2000; --riders N runs one size)."),
            .init(name: "eta-model", value: "FILE", help: "For queue, hindsight and resume: " + ETAModelChoice.help),
            .init(name: "closure", value: "ZONE", help: "For eta on a history: the zone a change closed (with --from); measures only the closure: trained on the days before it, then online on the legs driven through the zone, against their noise floor."),
            .init(name: "from", value: "YYYY-MM-DD", help: "For eta with --closure: the day the closure began."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        switch arguments.positionals[0] {
        case "events":
            try events(riders: try arguments.int("riders", default: 2000, in: 1...100_000),
                       orders: try arguments.int("orders", default: 50_000, in: 1...2_000_000))
            return 0
        case "insert":
            try insert()
            return 0
        case "replan":
            try ReplanBench.run(scenarioPath: arguments.value("scenario") ?? defaultScenario, at: arguments.value("at") ?? "10:00",
                                seconds: try arguments.double("time-limit", default: 2, in: 0.01...3600), seed: try arguments.seed())
            return 0
        case "risk":
            let runs = try arguments.int("runs", default: 3, in: 1...100)
            let first = try arguments.seed()
            try RiskBench.run(scenarioPath: arguments.value("scenario") ?? defaultScenario, seeds: (0..<UInt64(runs)).map { first + $0 })
            return 0
        case "eta":
            if arguments.positionals.count > 1, arguments.positionals[1] == "synthetic" {
                guard arguments.value("closure") == nil, arguments.value("from") == nil else {
                    throw UsageError(message: "--closure and --from measure a closure in a history file; the synthetic history has its own", command: spec.name)
                }
                try ETABench.synthetic(seed: try arguments.seed())
                return 0
            }
            let history = arguments.positionals.count > 1 ? arguments.positionals[1] : Installation.shipped("sample-data/history/rio-history-60d.csv")
            switch (arguments.value("closure"), arguments.value("from")) {
            case let (zone?, date?): try ETABench.closure(history: history, zone: zone, from: date)
            case (nil, nil): try ETABench.run(history: history)
            default: throw UsageError(message: "--closure and --from go together: the zone closed and the day it closed", command: spec.name)
            }
            return 0
        case "board":
            try BoardBench.run(riders: try arguments.int("riders", default: 500, in: 1...100_000),
                               seconds: try arguments.double("seconds", default: 10, in: 1...600))
            return 0
        case "serve":
            try ServeBench.run(riders: try arguments.int("riders", default: 500, in: 1...100_000),
                               clients: try arguments.int("clients", default: 20, in: 1...CoreServer.maxClients - 1),
                               seconds: try arguments.double("seconds", default: 20, in: 1...3600))
            return 0
        case "http":
            try HTTPBench.run(riders: try arguments.int("riders", default: 500, in: 1...100_000),
                              clients: try arguments.int("clients", default: 50, in: 1...HTTPServer.maxConnections),
                              seconds: try arguments.double("seconds", default: 10, in: 1...3600))
            return 0
        case "queue":
            try QueueBench.run(scenarioPath: arguments.value("scenario") ?? defaultScenario, seed: try arguments.seed(),
                               etaOption: arguments.value("eta-model"))
            return 0
        case "hindsight":
            try HindsightBench.run(scenarioPath: arguments.value("scenario") ?? defaultScenario, seed: try arguments.seed(),
                                   runs: try arguments.int("runs", default: 1, in: 1...100), json: arguments.has("json"),
                                   etaOption: arguments.value("eta-model"))
            return 0
        case "resume":
            try ResumeBench.run(scenarioPath: arguments.value("scenario") ?? defaultScenario, seed: try arguments.seed(),
                                at: arguments.value("at") ?? "14:00", etaOption: arguments.value("eta-model"))
            return 0
        case "scale":
            let horizon = arguments.value("plan-horizon") == "none" ? nil : try arguments.int("plan-horizon", default: 180, in: 60...1440)
            if arguments.value("riders") != nil {
                try ScaleBench.one(riders: try arguments.int("riders", default: 100, in: 1...100_000), until: arguments.value("at") ?? "12:00",
                                   planHorizon: horizon)
            } else {
                let sizes = try (arguments.value("sizes") ?? "100,400,2000").split(separator: ",").map { text in
                    guard let n = Int(text), (1...100_000).contains(n) else {
                        throw UsageError(message: "--sizes needs riders per city like 100,400,2000, got '\(TextSanitizer.clean(String(text)))'", command: spec.name)
                    }
                    return n
                }
                try ScaleBench.run(sizes: sizes, until: arguments.value("at") ?? "12:00", planHorizon: horizon, executable: CommandLine.arguments[0])
            }
            return 0
        case "routing":
            try routing(directory: arguments.positionals.count > 1 ? arguments.positionals[1] : "bench/solomon",
                        timeLimit: try arguments.double("time-limit", default: 1, in: 0.01...3600), seed: try arguments.seed())
            return 0
        case let other:
            throw UsageError(message: "unknown benchmark '\(TextSanitizer.clean(other))'; expected events, routing, insert, replan, eta, risk, board, serve, http, queue, hindsight, resume or scale", command: spec.name)
        }
    }

    /// Latency of placing one new order into a live plan of 200 riders and about 2,000 open stops.
    private static func insert() throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tower-bench-insert-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        try ScenarioGenerator(name: "insert", seed: 5, riders: 200, orders: 1900).write(to: work)
        var scenario = try ScenarioLoader.load(directory: work)
        // Every order is booked, so the 06:00 plan holds them all; 400 more arrive later and are only priced.
        let arriving = Array(scenario.orders.suffix(400))
        scenario.orders.removeLast(400)
        for index in scenario.orders.indices { scenario.orders[index].createdAt = scenario.dayStart }
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        let now = scenario.time(9 * 3600)
        session.simulation.run(until: now, engine: session.engine)
        let world = session.engine.world
        let openStops = world.routes.values.reduce(0) { $0 + $1.stops.count }
        var latencies: [Double] = []
        var placed = 0
        for var order in arriving {
            order.createdAt = now
            order.window = TimeWindow(start: now + 3600, end: now + 3 * 3600)
            order.promised = order.window
            var probe = world
            probe.apply(Event(id: "probe-\(order.id)", at: now, by: "bench", body: .orderCreated(order)))
            let start = DispatchTime.now().uptimeNanoseconds
            let insertion = session.engine.planner.bestInsertion(of: order, in: probe, now: now)
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            if insertion != nil { placed += 1 }
        }
        latencies.sort()
        func percentile(_ p: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * p))] }
        print("plan: \(world.riders.count) riders, \(openStops) open stops at 09:00; \(latencies.count) new orders priced, \(placed) placed")
        print(String(format: "insert latency: p50 %.2f ms, p99 %.2f ms, max %.2f ms", percentile(0.5), percentile(0.99), latencies.last ?? 0))
    }

    /// Solves every instance of a folder and compares with the best-known solutions in its bks.csv.
    private static func routing(directory: String, timeLimit: Double, seed: UInt64) throws {
        let bksPath = directory + "/bks.csv"
        guard let text = try? String(contentsOfFile: bksPath, encoding: .utf8) else { throw ToolError("cannot read \(bksPath)") }
        let table = try CSVTable.parse(text, file: bksPath)
        try table.require(["instance", "vehicles", "distance"], file: bksPath)
        print("instance  vehicles  distance   bks veh  bks dist   veh gap  dist gap   time  feasible")
        var totals = (vehicles: 0, distance: 0.0, bksVehicles: 0, bksDistance: 0.0, seconds: 0.0)
        var allFeasible = true
        for row in table.rows {
            let name = row.fields[table.column("instance")!]
            guard let bksVehicles = Int(row.fields[table.column("vehicles")!]), let bksDistance = Double(row.fields[table.column("distance")!]) else {
                throw ToolError("\(bksPath) line \(row.line): vehicles and distance must be numbers")
            }
            let instance = try InstanceReader.read(path: "\(directory)/\(name).txt", format: "solomon")
            let start = Date()
            var solver = RuinRecreateSolver(instance: instance, settings: .init(seed: seed, timeLimit: timeLimit))
            let solution = try solver.solve()
            let seconds = Date().timeIntervalSince(start)
            let feasible: Bool
            if case .success = SolutionChecker.check(solution.routes, instance: instance) { feasible = true } else { feasible = false; allFeasible = false }
            print(String(format: "%-8@  %8d  %8.2f  %7d  %8.2f  %+8d  %+7.2f%%  %5.2f  %@", name, solution.vehicles, solution.distance, bksVehicles,
                         bksDistance, solution.vehicles - bksVehicles, (solution.distance / bksDistance - 1) * 100, seconds, feasible ? "yes" : "NO"))
            totals.vehicles += solution.vehicles; totals.distance += solution.distance
            totals.bksVehicles += bksVehicles; totals.bksDistance += bksDistance; totals.seconds += seconds
        }
        print(String(format: "total     %8d  %8.1f  %7d  %8.1f  %+8d  %+7.2f%%  %5.1f  %@", totals.vehicles, totals.distance, totals.bksVehicles,
                     totals.bksDistance, totals.vehicles - totals.bksVehicles, (totals.distance / totals.bksDistance - 1) * 100, totals.seconds,
                     allFeasible ? "all" : "NOT ALL"))
    }

    private static func events(riders: Int, orders: Int) throws {
        #if DEBUG
        print("warning: a debug build; figures mean little (use swift run -c release tower bench events)")
        #endif
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("tower-bench-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        try ScenarioGenerator(name: "bench", seed: 1, riders: riders, orders: orders).write(to: work + "/city")
        let scenario = try ScenarioLoader.load(directory: work + "/city")
        let feed = work + "/feed.jsonl", journal = work + "/journal.jsonl"
        let count = try SyntheticDay(scenario: scenario).write(to: feed)
        let feedBytes = (try FileManager.default.attributesOfItem(atPath: feed)[.size] as? Int) ?? 0
        print("city: \(riders) riders, \(orders) orders; feed: \(count) events, \(feedBytes / 1_000_000) MB")

        // Ingestion: every line decoded, checked against the world, journaled, applied.
        var ingestSeconds = 0.0
        var accepted = 0
        do {
            let writer = try JournalWriter(path: journal, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: .batch)
            let engine = Engine(journal: writer, settings: EngineSettings(planLock: scenario.dayEnd + 86400))
            var refused = 0
            var firstRefused: (line: Int, error: EventError)?
            let start = Date()
            try JournalReader.read(path: feed) { number, line in
                var error: EventError?
                switch line {
                case let .bad(bad): error = bad
                case let .event(event, _):
                    do throws(EventError) { try engine.submit(event); accepted += 1 } catch let refusal { error = refusal }
                }
                if let error {
                    refused += 1
                    if firstRefused == nil { firstRefused = (number, error) }
                }
                return true
            }
            engine.sync()
            ingestSeconds = Date().timeIntervalSince(start)
            // The feed is the bench's own: a refused line is a fault of the bench (or of the core), said with its reason.
            if let first = firstRefused { print("warning: \(refused) lines refused; the first, line \(first.line): \(first.error)") }
            print(String(format: "ingest: %d events in %.2f s = %.0f events/s (decode, check, journal, apply, the core's reactions; one core)",
                         accepted, ingestSeconds, Double(accepted) / ingestSeconds))
            print(String(format: "memory: peak resident %.0f MB with the whole day's world in memory (%d riders, %d orders)",
                         Double(peakResidentBytes()) / 1_048_576, engine.world.riders.count, engine.world.orders.count))
        }

        let start = Date()
        let replayed = try Replayer.replay(path: journal)
        let replaySeconds = Date().timeIntervalSince(start)
        print(String(format: "replay: %d events in %.2f s = %.0f events/s", replayed.world.eventCount, replaySeconds,
                     Double(replayed.world.eventCount) / replaySeconds))
        print("digest: \(replayed.world.digest)")
    }
}
