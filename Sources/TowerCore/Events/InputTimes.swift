/// The times an input may carry: from the year 0002 to the year 9997 (UTC). The journal writes every time as a
/// four-digit year in the city's offset (`ISOTime`), and the core writes times it derives from an input's (an ETA, a
/// deadline, the end of a day): an input near the year 0 or 9999 would leave lines no replay or restart can read (a
/// window ending at 9999-12-31T23:00-05:00 is 10000-01-01 in Rio). A year each side keeps every time derived readable.
/// A scenario's day is held to the same years (`ScenarioLoader`, `Scenario.on`).
public enum InputTimes {
    public static let earliest = ISOTime.parse("0002-01-01T00:00:00Z")!.instant
    public static let latest = ISOTime.parse("9997-12-31T23:59:59Z")!.instant

    public static func contains(_ time: Instant) -> Bool { time >= earliest && time <= latest }

    /// Why an input's times are not ones Tower takes (the first field outside the years, named), or nil.
    public static func refusal(of event: Event) -> EventError? {
        if let refusal = refusal("at", event.at) { return refusal }
        switch event.body {
        case let .orderCreated(order):
            return refusal("window_start", order.window.start) ?? refusal("window_end", order.window.end) ?? order.readyAt.flatMap { refusal("ready_at", $0) }
        case let .orderUpdated(_, changes):
            return changes.window.flatMap { refusal("window_start", $0.start) ?? refusal("window_end", $0.end) }
                ?? changes.readyAt.flatMap { refusal("ready_at", $0) }
        case let .trafficIncident(_, _, _, until, _):
            return refusal("until", until)
        default:
            return nil
        }
    }

    private static func refusal(_ field: String, _ time: Instant) -> EventError? {
        contains(time) ? nil : EventError(field: field, reason: "\(ISOTime.format(time, offsetSeconds: 0)) in UTC is outside the years 0002 to 9997 that Tower takes")
    }
}
