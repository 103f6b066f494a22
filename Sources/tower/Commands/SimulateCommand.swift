import Foundation
import TowerCore
import TowerService

/// `tower simulate`: plays a scenario headless as fast as it can.
enum SimulateCommand: Command {
    static let spec = CommandSpec(
        name: "simulate",
        summary: "Run a scenario headless, as fast as possible; print a summary and the world's digest.",
        options: [
            .init(name: "scenario", value: "DIR", help: "Scenario folder (default \(defaultScenarioName))."),
            DateOption.option,
            .init(name: "seed", value: "N", help: "Seed of the simulation's random draws (default 1)."),
            .init(name: "until", value: "HH:MM", help: "Stop at this local time (default: the end of the day)."),
            .init(name: "journal", value: "FILE", help: "Append every event to this JSON-lines journal; an existing journal of the same scenario and seed is resumed."),
            .init(name: "policy", value: "P[,P...]", help: "static, continuous, continuous-auto (the default) or a policy file; several, comma-separated, are compared on the same seeds."),
            .init(name: "runs", value: "K", help: "Play K seeds (N, N+1, ...) per policy and print means with 95% intervals (default 1)."),
            .init(name: "inbox", value: "FILE", help: "Operator decisions (exception.approved, exception.rejected and order.pinned lines) applied at their times."),
            .init(name: "json", value: nil, help: "Print one JSON object with the run's figures instead of the summary."),
            .init(name: "eta-model", value: "FILE", help: ETAModelChoice.help),
            CarriedRanges.option,
            .init(name: "failed-cost", value: "X", help: "What a failed delivery costs, counted in the cost per delivery (default \(Int(RunReport.failedDeliveryCost)))."),
        ] + NotificationOptions.options,
        discussion: "The same scenario and seed always give the same events and the same digest (unless the 06:00 plan reaches its budget, plan_budget_s, which depends on the machine's speed); 'tower replay' of the journal prints it again.")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let scenario = try DateOption.scenario(arguments)
        let seed = try arguments.seed()
        var until = scenario.dayEnd + 4 * 3600
        if let text = arguments.value("until") {
            guard let second = ISOTime.parseClock(text) else {
                throw UsageError(message: "--until needs a local time HH:MM, got '\(text)'", command: spec.name)
            }
            until = scenario.time(second)
        }
        let choices = try (arguments.value("policy")?.split(separator: ",").map(String.init) ?? [nil]).map { try PolicyChoice.parse($0) }
        // A comparison's columns are its policies' names: one named twice would pool both columns' runs as one.
        var named = Set<String>()
        if let twice = choices.map(\.name).first(where: { !named.insert($0).inserted }) {
            throw UsageError(message: "--policy names '\(TextSanitizer.clean(twice))' twice", command: spec.name)
        }
        let runs = try arguments.int("runs", default: 1, in: 1...1000)
        let failedCost = try arguments.double("failed-cost", default: RunReport.failedDeliveryCost, in: 0...1_000_000)
        let eta = try ETAModelChoice.model(arguments.value("eta-model"), scenario: scenario, cache: Installation.modelCache())
        if choices.count > 1 || runs > 1 {
            for single in ["journal", "inbox", "outbox", "webhook", "rider-webhook", CarriedRanges.option.name] where arguments.value(single) != nil {
                throw UsageError(message: "--\(single) belongs to a single run; a comparison (--runs, several policies) keeps no journal", command: spec.name)
            }
            let comparison = try PolicyComparison(scenario: scenario, choices: choices, seeds: (0..<UInt64(runs)).map { seed + $0 }, until: until,
                                                failedCost: failedCost, eta: eta)
            if arguments.has("json") { print(comparison.json) } else { comparison.table.forEach { print($0) } }
            return 0
        }
        let choice = choices[0]
        // One core per journal: a board or a server writing it now would interleave with this run.
        let lock = try arguments.value("journal").map { try JournalLock(journal: $0, holder: "tower simulate, pid \(getpid())") }
        defer { withExtendedLifetime(lock) {} }
        let carried = try CarriedRanges.find(arguments, eta: eta, journal: arguments.value("journal"), scenario: scenario)
        if let carried { FileHandle.standardError.write(Data("tower: \(carried.note)\n".utf8)) }
        let session = try SessionStarter.start(scenario: scenario, seed: seed, journalPath: arguments.value("journal"), durability: .batch,
                                               mode: choice.mode, policy: choice.policy, eta: eta, policyName: choice.name, ranges: carried?.ranges)
        if let torn = session.tornLastLine {
            FileHandle.standardError.write(Data("tower: \(TextSanitizer.clean(arguments.value("journal")!)) line \(torn): torn last line skipped (an earlier run stopped mid-write)\n".utf8))
        }
        if session.resumedEvents > 0 {
            print("resumed: \(session.resumedEvents) events from \(TextSanitizer.clean(arguments.value("journal")!))")
        }
        var recorder = KPIRecorder(planLock: scenario.planLock)
        let engine = session.engine
        engine.sync()
        let notifications = try NotificationOptions(arguments, journal: arguments.value("journal"))
        let outboxes = try notifications.openOutboxes(world: engine.world)
        engine.observer = { [unowned engine] event in
            recorder.note(event)
            for outbox in outboxes { outbox.take(event, world: engine.world) }
        }
        for decision in try inboxDecisions(arguments.value("inbox")) where decision.at <= until && !engine.world.hasSeen(eventID: decision.id) {
            session.simulation.run(until: decision.at, engine: engine)
            var input = decision
            input.at = max(decision.at, engine.world.clock ?? decision.at)
            do {
                try engine.submit(input)
            } catch {
                FileHandle.standardError.write(Data("tower: \(arguments.value("inbox")!): \(decision.id) refused: \(error.reason)\n".utf8))
            }
        }
        play(session.simulation, engine: engine, until: until, offset: scenario.utcOffsetSeconds)
        session.simulation.checkpoint(engine: engine)  // the next run with this journal goes on from here
        engine.learner?.waitForTraining()  // into the model cache, so that run takes the model instead of training it
        engine.sync()
        if let halted = engine.halted { throw ToolError("journal \(arguments.value("journal") ?? "-"): \(halted)") }
        for outbox in outboxes {
            try outbox.flush()
            outbox.sync()
        }
        for relay in try notifications.relays() { drain(relay) }
        for (event, error) in session.simulation.refused.prefix(5) {
            FileHandle.standardError.write(Data("tower: the simulation made an event the core refused: \(event.type) \(event.id): \(error)\n".utf8))
        }
        if arguments.has("json") {
            print(RunReport(world: engine.world, recorder: recorder, policy: choice.name, seed: seed, failedCost: failedCost,
                            playedTo: session.simulation.now).json)
            return session.simulation.refused.isEmpty ? 0 : 1
        }
        for line in WorldSummary.lines(engine.world) { print(line) }
        print("digest: \(session.engine.world.digest)")
        return session.simulation.refused.isEmpty ? 0 : 1
    }

    /// Plays the simulation to `until` in steps of a quarter of an hour, showing the simulated time on a progress
    /// bar when stderr is a terminal (the engine's decisions do not depend on how time is sliced).
    private static func play(_ simulation: CitySimulation, engine: Engine, until: Instant, offset: Int) {
        let bar = ProgressBar("simulate")
        let first = simulation.now
        var time = first
        while time < until {
            time = min(until, time + 900)
            simulation.run(until: time, engine: engine)
            bar.update(Double(time - first) / Double(max(1, until - first)), detail: ISOTime.clock(time, offsetSeconds: offset))
        }
        bar.finish()
    }

    /// Sends the outbox to the webhook before exiting, for at most `drainSeconds`; what is left waits for the next
    /// run with the same outbox.
    private static func drain(_ relay: WebhookRelay, drainSeconds: Double = 60) {
        let start = Date()
        while let wait = relay.step() {
            if Date().timeIntervalSince(start) + wait > drainSeconds { break }
            Thread.sleep(forTimeInterval: wait)
        }
        relay.close()
        let left = relay.pending > 0 ? "; \(relay.pending) still waiting (sent on the next run with this outbox)" : ""
        FileHandle.standardError.write(Data("tower: webhook: \(relay.sent) sent, \(relay.deadLettered) dead-lettered\(left)\n".utf8))
    }

    /// The decisions of an inbox file, in time order; any line that is not one is an error naming it.
    private static func inboxDecisions(_ path: String?) throws -> [Event] {
        guard let path else { return [] }
        var decisions: [Event] = []
        try JournalReader.read(path: path) { number, line in
            switch line {
            case let .bad(error): throw ToolError("\(path) line \(number): \(error)")
            case let .event(event, _):
                guard event.isOperatorDecision else { throw ToolError("\(path) line \(number): only exception.approved, exception.rejected and order.pinned belong in an inbox") }
                decisions.append(event)
            }
            return true
        }
        return decisions.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
    }
}
