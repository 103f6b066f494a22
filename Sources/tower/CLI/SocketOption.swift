import TowerCore

/// Which core a client (`tower attach`, `tower decide`) talks to: `--socket PATH`, else the socket beside
/// `--journal`, else beside the default journal of `--scenario` and `--seed`.
enum SocketOption {
    static let options: [CommandSpec.Option] = [
        .init(name: "socket", value: "PATH", help: "The core's socket (default: beside the journal, NAME.sock)."),
        .init(name: "journal", value: "FILE", help: "The core's journal, to find its socket (default NAME-seedN.jsonl in the state folder)."),
        .init(name: "scenario", value: "DIR", help: "Scenario of the core, to find its default journal (default \(defaultScenarioName))."),
        .init(name: "seed", value: "N", help: "Seed of the core, to find its default journal (default 1)."),
        DateOption.clientOption,
    ]

    static let roleOption = CommandSpec.Option(
        name: "role", value: "ROLE", help: "Act in a lower role than the roster gives you (without a roster: the role, on trust; default dispatcher).")

    static func path(_ arguments: ParsedArguments) throws -> String {
        if let socket = arguments.value("socket") { return socket }
        if let journal = arguments.value("journal") { return CoreStart.socket(forJournal: journal) }
        let scenario = try DateOption.scenario(arguments)
        return CoreStart.socket(forJournal: try CoreStart.defaultJournal(scenario: scenario, seed: try arguments.seed(),
                                                                         dated: DateOption.suffix(arguments, scenario: scenario)))
    }

    /// `--role`, when given.
    static func role(_ arguments: ParsedArguments, command: String) throws -> Role? {
        guard let text = arguments.value("role") else { return nil }
        guard let role = Role(rawValue: text) else {
            throw UsageError(message: "--role is dispatcher or supervisor, got '\(TextSanitizer.clean(text))'", command: command)
        }
        return role
    }
}
