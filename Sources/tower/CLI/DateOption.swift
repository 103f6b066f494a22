import Foundation
import TowerCore

/// `--date`: a scenario folder run on another day than its own. A real operation keeps one folder per city (zones,
/// hubs, the riders and their shifts) and runs it each day with `--date today`; the day's journal is named by its
/// date, so tomorrow's core starts a new one instead of resuming today's.
enum DateOption {
    static let option = CommandSpec.Option(
        name: "date", value: "YYYY-MM-DD",
        help: "Run the scenario on this day instead of its own ('today': today where the city is); the riders' shifts, booked orders and hours move with it.")
    /// The same option for a client: the core's day, to find its default journal.
    static let clientOption = CommandSpec.Option(
        name: "date", value: "YYYY-MM-DD", help: "The day the core runs (its --date), to find its default journal.")

    /// The scenario of `--scenario` (else `fallback`), on the day `--date` names if given.
    static func scenario(_ arguments: ParsedArguments, fallback: String = defaultScenario) throws -> Scenario {
        let scenario = try ScenarioLoader.load(directory: arguments.value("scenario") ?? fallback)
        guard let date = arguments.value("date") else { return scenario }
        return try scenario.on(date, now: Instant(seconds: Int64(Date().timeIntervalSince1970)))
    }

    /// What a default file name carries for the day: `-YYYY-MM-DD` when `--date` moved it, else nothing (the
    /// scenario's own day keeps the names it always had).
    static func suffix(_ arguments: ParsedArguments, scenario: Scenario) -> String {
        guard arguments.value("date") != nil else { return "" }
        return "-" + ISOTime.format(scenario.day, offsetSeconds: scenario.utcOffsetSeconds).prefix(10)
    }
}
