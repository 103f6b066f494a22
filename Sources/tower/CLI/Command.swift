/// One `tower` subcommand.
protocol Command {
    static var spec: CommandSpec { get }
    /// Runs with parsed arguments; returns the exit status.
    static func run(_ arguments: ParsedArguments) throws -> Int32
}

/// Every command, in the order `tower --help` lists them (computed: metatypes are not `Sendable`, so a stored
/// global of them would be shared mutable state to the compiler).
var commands: [any Command.Type] {
    [BoardCommand.self, ServeCommand.self, AttachCommand.self, DemoCommand.self, SimulateCommand.self, DecideCommand.self, AuditCommand.self, ReportCommand.self, ETACommand.self,
     ReplayCommand.self, ValidateCommand.self, OutboxCommand.self, GenerateCommand.self, HistoryCommand.self, SolveCommand.self, BenchCommand.self]
}

/// The scenario the board and `simulate` use when none is named.
/// The city `tower` opens without `--scenario`, as the help names it.
let defaultScenarioName = "sample-data/rio"
/// Where that city is (see `Installation`).
var defaultScenario: String { Installation.shipped(defaultScenarioName) }
