import Foundation
import TowerBoard
import TowerCore

/// `tower demo`: the tuesday morning on a loop, for a wall screen or `ssh -t host tower demo`.
enum DemoCommand: Command {
    static let spec = CommandSpec(
        name: "demo",
        summary: "Play the tuesday scenario on a loop: the morning in about five minutes, read-only.",
        options: [
            .init(name: "scenario", value: "DIR", help: "Scenario folder (default the shipped sample-data/tuesday)."),
            .init(name: "speed", value: "N", help: "Simulated seconds per real second (default 60: 06:00 to 11:00 in five minutes)."),
            .init(name: "interactive", value: nil, help: "Allow action keys (the demo is read-only without it)."),
            .init(name: "theme", value: "NAME|PATH", help: "Colour theme (default dark; NO_COLOR forces mono)."),
            .init(name: "no-mouse", value: nil, help: "Leave the mouse to the terminal: no clicks or wheel on the board."),
            .init(name: "policy", value: "NAME|FILE", help: "As for the board; the demo's default is continuous-auto with every case touching a critical order put to a supervisor (escalate_critical = yes)."),
            .init(name: "eta-model", value: "FILE", help: ETAModelChoice.help),
        ],
        discussion: "Each pass starts a fresh day (journaled to demo-NAME.jsonl in $XDG_STATE_HOME/tower, else ~/.local/state/tower) at the plan lock; when the day ends it starts over. q quits.")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        try NcursesTerminal.preflight()
        let scenario = try ScenarioLoader.load(directory: arguments.value("scenario") ?? Installation.shipped("sample-data/tuesday"))
        let speed = try arguments.double("speed", default: 60, in: 0.1...3600)
        var choice = try PolicyChoice.parse(arguments.value("policy"))
        if arguments.value("policy") == nil {
            // Nobody answers a read-only demo: an escalation takes its default at the deadline, and a caption says so.
            choice.policy = .demo
            choice.name = "continuous-auto, critical cases to a supervisor"
        }
        let journalPath = try Installation.stateDirectory() + "/demo-\(scenario.name).jsonl"
        // The first frame at once: what the demo is doing while it learns ETAs and makes the day's plan.
        LoadingScreen().show(nil, "learning ETAs from \(scenario.name)'s delivery history")
        let etaModel = try ETAModelChoice.model(arguments.value("eta-model"), scenario: scenario, cache: Installation.modelCache())
        let display = try BoardCommand.Display(themeName: arguments.value("theme"), mouse: !arguments.has("no-mouse"))
        defer {
            display.terminal.close()
            display.reportWarnings()
        }
        var firstMessage = display.statusWarning
        var pass = 0
        let interactive = arguments.has("interactive")
        let identity = OperatorIdentity(name: try BoardCommand.operatorName(nil), role: .dispatcher)
        let searches = BackgroundPlanSearch()
        while true {
            pass += 1
            try? FileManager.default.removeItem(atPath: journalPath)
            var frame = ScreenBuffer(width: display.terminal.size.width, height: display.terminal.size.height)
            BoardView.renderLoading("day \(pass): the core makes the 06:00 plan: \(scenario.orders.filter { $0.createdAt <= scenario.planLock }.count) orders known, \(scenario.riders.count) riders",
                                    theme: display.theme, into: &frame)
            display.terminal.draw(frame)
            let projections = DayProjections(planLock: scenario.planLock)
            let session = try SessionStarter.start(scenario: scenario, seed: UInt64(pass), journalPath: journalPath, durability: .live,
                                                   mode: choice.mode, policy: choice.policy, eta: etaModel, policyName: choice.name,
                                                   projections: projections)
            session.simulation.run(until: scenario.planLock, engine: session.engine)
            session.engine.runPlanSearches(on: searches)
            session.engine.sync()
            let core = CoreSession(engine: session.engine, source: SimulationSource(simulation: session.simulation), start: scenario.planLock,
                                   speed: speed, peopleDecide: interactive)
            core.adopt(projections)
            var model = BoardModel(speed: speed, readonly: !interactive)
            model.message = firstMessage ?? "demo: \(scenario.name), pass \(pass); q quits"
            firstMessage = nil
            let app = display.app(link: LocalLink(session: core, identity: identity), model: model)
            app.showsCaptions = true
            let ending = app.run(returnWhenFinished: true)
            session.engine.sync()
            switch ending {
            case .sourceFinished:
                display.terminal.invalidate()
                continue
            case .quit:
                return 0
            case let .signal(number):
                return 128 + number
            case .halted:
                throw ToolError("journal \(journalPath): \(session.engine.halted?.message ?? "halted")")
            }
        }
    }
}
