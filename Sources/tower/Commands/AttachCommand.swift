import Foundation
import TowerBoard
import TowerCore

/// `tower attach`: the board as a client of a running core (`tower serve`, or another operator's `tower`).
enum AttachCommand: Command {
    static let spec = CommandSpec(
        name: "attach",
        summary: "Open a board on a running core (tower serve): the core decides, this board shows and asks.",
        options: SocketOption.options + [SocketOption.roleOption] + BoardCommand.Display.options,
        discussion: """
        Who you are is the login name the kernel gives the core for this connection, never a flag; your role comes
        from the core's roster. Over SSH: `ssh -t host tower attach`. If the core goes away the board says
        `disconnected: retrying` and reattaches when it is back.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        try NcursesTerminal.preflight()
        let socket = try SocketOption.path(arguments)
        let link = try RemoteLink(socketPath: socket, role: try SocketOption.role(arguments, command: spec.name))
        let display = try BoardCommand.Display(themeName: arguments.value("theme"), mouse: !arguments.has("no-mouse"))
        var model = BoardModel(speed: link.status.speed, readonly: arguments.has("readonly"))
        model.message = display.statusWarning ?? "attached to \(socket) as \(link.identity.name) (\(link.identity.role.rawValue))"
        let app = display.app(link: link, model: model)
        app.quiet = arguments.has("quiet")
        app.historyFile = try Installation.stateDirectory() + "/command-history"
        let ending = app.run()
        display.terminal.close()
        display.reportWarnings()
        if case let .signal(number) = ending { return 128 + number }
        return 0
    }
}
