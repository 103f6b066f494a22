import Foundation
import CTerminalSignals
import TowerBoard
import TowerCore

/// `tower board` (the default command): the live full-screen board.
enum BoardCommand: Command {
    static let spec = CommandSpec(
        name: "board",
        summary: "Open the live board on a simulated city (the default) or a followed JSON-lines feed: core and board in one process.",
        options: CoreStart.options + Display.options + [
            .init(name: "operator", value: "NAME", help: "Who decides from this board, for the journal (default: the login name)."),
        ] + RoleOption.options,
        discussion: """
        Every event and decision is appended to the journal before it takes effect; starting again with the same
        journal resumes where the board stopped. The core also listens on its socket, so other operators can
        `tower attach` to it and `tower decide` reaches it. Keys: press ? on the board.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let stdinIsFeed = arguments.value("feed") == "-"
        try NcursesTerminal.preflight(stdinIsFeed: stdinIsFeed)
        let operatorName = try operatorName(arguments.value("operator"))
        let (role, roster) = try RoleOption.resolve(arguments, operatorName: operatorName, command: spec.name)
        let loading = LoadingScreen()
        let core = try CoreStart(arguments, command: spec.name, interrupted: { tower_signals_peek() != 0 }, progress: { loading.show($0, $1) })
        core.session.engine.authority = Authority(roster: roster)
        let link = LocalLink(session: core.session, identity: OperatorIdentity(name: operatorName, role: role))
        var notes = core.notes
        do { link.server = try core.server(roster: roster) } catch {
            notes.append("no socket, so no `tower attach` or `tower decide`: \(error)")
        }
        // Everything that can fail is open before the terminal is taken over.
        let display = try Display(themeName: arguments.value("theme"), stdinIsFeed: stdinIsFeed, mouse: !arguments.has("no-mouse"))
        var model = BoardModel(speed: core.session.speed, readonly: arguments.has("readonly"))
        model.message = notes.last ?? display.statusWarning
        let app = display.app(link: link, model: model)
        app.quiet = arguments.has("quiet")
        app.historyFile = try Installation.stateDirectory() + "/command-history"
        let ending = app.run()
        display.terminal.close()
        link.server?.close()
        for note in notes { FileHandle.standardError.write(Data("tower: \(note)\n".utf8)) }
        display.reportWarnings()
        try core.close()
        if case let .signal(number) = ending { return 128 + number }
        return 0
    }

    /// `--operator`, else the login name: who the journal says decided.
    static func operatorName(_ given: String?) throws -> String {
        let name = given ?? ProcessInfo.processInfo.environment["USER"] ?? ProcessInfo.processInfo.environment["LOGNAME"] ?? "operator"
        if let problem = OperatorIdentity.problem(name: name) {
            throw UsageError(message: "--operator '\(TextSanitizer.clean(name))': \(problem)", command: "board")
        }
        return name
    }

    /// The terminal and theme a board runs with: the theme named (or dark), mono under `NO_COLOR`.
    struct Display {
        /// How a board looks and whether it acts: shared by `board` and `attach`.
        static let options: [CommandSpec.Option] = [
            .init(name: "theme", value: "NAME|PATH", help: "Colour theme from themes/ or a file (default dark; NO_COLOR forces mono)."),
            .init(name: "readonly", value: nil, help: "No action keys (for demos and shared screens)."),
            .init(name: "quiet", value: nil, help: "No bell and no header flash when a new escalation arrives."),
            .init(name: "no-mouse", value: nil, help: "Leave the mouse to the terminal (its own text selection): no clicks or wheel on the board."),
        ]

        let terminal: NcursesTerminal
        let theme: Theme
        /// Problems with the theme file, shown on the status line and repeated on stderr at exit.
        let warnings: [String]
        let colorForbidden: Bool

        init(themeName: String?, stdinIsFeed: Bool = false, mouse: Bool = true) throws {
            var (theme, warnings) = Theme.load(themeName ?? "dark", searchDirectories: BoardCommand.themeDirectories())
            colorForbidden = !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
            if colorForbidden { theme = .mono }
            self.theme = theme
            self.warnings = warnings
            terminal = try NcursesTerminal(useColor: !colorForbidden, stdinIsFeed: stdinIsFeed, mouse: mouse)
        }

        func app(link: CoreLink, model: BoardModel) -> BoardApp {
            BoardApp(link: link, model: model, theme: theme, terminal: terminal, themeDirectories: BoardCommand.themeDirectories(),
                     colorForbidden: colorForbidden)
        }

        /// The first theme problem for the status line, saying how many more there are.
        var statusWarning: String? {
            guard let first = warnings.first else { return nil }
            return warnings.count == 1 ? first : first + " (and \(warnings.count - 1) more, listed when the board closes)"
        }

        func reportWarnings() {
            for warning in warnings { FileHandle.standardError.write(Data("tower: \(warning)\n".utf8)) }
        }
    }

    /// The shipped `themes/` folders (see `Installation`).
    static func themeDirectories() -> [String] { Installation.themeDirectories }
}
