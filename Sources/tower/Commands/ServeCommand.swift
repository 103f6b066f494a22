import CTerminalSignals
import Foundation
import Glibc
import TowerCore
import TowerService

/// `tower serve`: the core headless, for a team. It runs the day (the simulation or a feed), owns the journal,
/// timers, customer messages and plan searches, and listens on its Unix socket for boards (`tower attach`) and
/// `tower decide`.
enum ServeCommand: Command {
    static let spec = CommandSpec(
        name: "serve",
        summary: "Run the core as a service: boards attach with `tower attach`, decisions come by `tower decide`.",
        options: CoreStart.options + [
            .init(name: "roster", value: "FILE", help: "Users and their roles, NAME = ROLE per line (default $TOWER_ROSTER, else /etc/tower/roster.conf if present)."),
            .init(name: "http", value: "HOST:PORT", help: "Also serve the HTTP API here (alone: 127.0.0.1:8480; port 0 takes a free one, named on stderr).",
                  bare: "127.0.0.1:8480"),
            .init(name: "osmand", value: "HOST:PORT", help: "Also take drivers' phones' positions in the OsmAnd protocol here (alone: 127.0.0.1:5055, Traccar's port).",
                  bare: "127.0.0.1:5055"),
            .init(name: "tokens", value: "FILE", help: "Bearer tokens for the HTTP API, NAME TOKEN SCOPES [RATE] per line (mode 0600; without it the API is open to whoever reaches the port)."),
            .init(name: "order-mapping", value: "FILE", help: "How an order system's CSV export maps to orders, FIELD = Column per line (shipped: sample-data/mappings/shopify-orders.conf)."),
            .init(name: "devices", value: "FILE", help: "Which rider carries which phone, DEVICE = RIDER per line (for --osmand; added to riders.csv's device column)."),
        ],
        discussion: """
        The socket is created with mode 0660: the owner and the group may connect. Each client is the Unix user the
        kernel says it is (the socket's peer credentials), with the role the roster gives that login name; without a
        roster, a client's asked role is taken on trust. In a simulation only a supervisor sets the pace. One core per
        journal: a second is refused, naming the first. SIGTERM or SIGINT flushes the journal and stops cleanly.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        tower_signals_install()
        let roster = try RoleOption.roster(arguments)
        let bar = ProgressBar("serve")
        let core = try CoreStart(arguments, command: spec.name, interrupted: { tower_signals_peek() != 0 }, progress: { bar.update($0, detail: $1) })
        bar.finish()
        core.session.engine.authority = Authority(roster: roster)
        core.session.paceRole = .supervisor
        let server = try core.server(roster: roster)
        let api = try CoreAPI(session: core.session, deadLetter: try DeadLetterFile(path: core.deadLetterPath),
                          devices: try devices(arguments, scenario: core.scenario),
                          tokens: try arguments.value("tokens").map { try AccessTokens.load(path: $0) },
                          orderMapping: try arguments.value("order-mapping").map {
                              try OrderMapping.load(path: FileManager.default.fileExists(atPath: $0) ? $0 : Installation.shipped($0))
                          })
        let http = try arguments.value("http").map { try HTTPServer(address: $0, handler: api.handle) }
        http?.screen = api.refusal(beforeBody:)
        let osmand = try arguments.value("osmand").map { try HTTPServer(address: $0, respond: api.osmand) }
        if osmand != nil, api.devices.riders.isEmpty { log("--osmand with no device column in riders.csv and no --devices: every phone is an unknown device (404)") }
        for endpoint in [http, osmand].compactMap({ $0 }) { endpoint.gate = api.commits }
        for note in core.notes { log(note) }
        log("serving \(core.journalPath) on \(server.socketPath) (\(core.session.source.label))")
        if let http { log("http on port \(http.port)") }
        if let osmand { log("osmand on port \(osmand.port)") }
        var last = Date()
        var signal: Int32 = 0
        while signal == 0 {
            var fds = server.descriptors()
            let socketEnd = fds.count
            fds += http?.descriptors() ?? []
            let httpEnd = fds.count
            fds += osmand?.descriptors() ?? []
            // A request answered a share each pass (a long body of orders) brings the next pass at once.
            _ = poll(&fds, nfds_t(fds.count), (http?.busy ?? false) ? 0 : 50)
            let passStart = Date()
            server.handle(fds[0..<socketEnd])
            http?.handle(fds[socketEnd..<httpEnd])
            osmand?.handle(fds[httpEnd...])
            let now = Date()
            for problem in core.session.step(elapsed: now.timeIntervalSince(last)) { log(problem) }
            last = now
            api.notePass(seconds: Date().timeIntervalSince(passStart))
            if let halted = core.session.engine.halted {
                server.close()
                throw ToolError("journal \(core.journalPath): \(halted)")
            }
            signal = tower_signals_take()
        }
        log("signal \(signal): stopping")
        server.close()
        api.commits.finish()  // replies still waiting for a sync go out before the connections close
        for endpoint in [http, osmand].compactMap({ $0 }) { endpoint.handle([]) }
        http?.close()
        osmand?.close()
        try core.close()
        return 0
    }

    /// Riders' phones: riders.csv's `device` column, plus a `--devices` file. A phone the file gives to a rider the
    /// scenario does not have is kept (a feed may register the rider later) and said at start: until then each of its
    /// positions is refused as an unknown rider's.
    private static func devices(_ arguments: ParsedArguments, scenario: Scenario) throws -> DeviceMap {
        let listed = DeviceMap(scenario: scenario)
        guard let path = arguments.value("devices") else { return listed }
        let file = try DeviceMap.load(path: path)
        let known = Set(scenario.riders.map(\.profile.id))
        for (device, rider) in file.riders.sorted(by: { $0.key < $1.key }) where !known.contains(rider) {
            log("\(path): device \(device) is \(rider)'s, a rider the scenario does not have: its positions are refused until \(rider) is registered")
        }
        return try listed.merged(with: file, from: path)
    }

    private static func log(_ line: String) {
        FileHandle.standardError.write(Data("tower serve: \(TextSanitizer.clean(line))\n".utf8))
    }
}
