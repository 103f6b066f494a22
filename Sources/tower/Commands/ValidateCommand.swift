import Foundation
import TowerCore

/// `tower validate`: checks a feed and reports every bad line.
enum ValidateCommand: Command {
    static let spec = CommandSpec(
        name: "validate",
        summary: "Check a JSON-lines feed: print every bad line with its number, field and reason.",
        arguments: [.init(name: "FILE", help: "The feed to check ('-' for standard input).")],
        options: [
            .init(name: "scenario", value: "DIR", help: "Check references against this scenario's zones, hubs, riders and orders (for feeds that do not define them)."),
            DateOption.option,
        ],
        discussion: "Exit status 1 when any line is bad. Repaired text (control characters removed) is reported as a warning.")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = arguments.positionals[0]
        var report = FeedValidator()
        if arguments.value("scenario") != nil {
            let scenario = try DateOption.scenario(arguments)
            report = FeedValidator(world: CitySimulation(scenario: scenario, seed: 0).knownWorld(), latestEventTime: scenario.latestEventTime)
        }
        try report.validate(path: path == "-" ? "/dev/stdin" : path)
        let name = path == "-" ? "stdin" : TextSanitizer.clean(path)
        for diagnostic in report.diagnostics { print("\(name):\(diagnostic.line): \(diagnostic.severity.rawValue): \(diagnostic.error)") }
        let bad = report.diagnostics.filter { $0.severity == .error }.count
        print("\(name): \(report.lines) lines, \(report.valid) valid, \(bad) bad, \(report.diagnostics.count - bad) warnings")
        return bad == 0 ? 0 : 1
    }
}
