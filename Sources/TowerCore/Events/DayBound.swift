/// The last moment a core's day takes inputs for (a scenario's `latestEventTime`): an event dated later, or an order
/// whose window opens later, belongs to another day's core. Taken, the first would carry the clock past the day;
/// the second would wait all day for a window that never comes and count as a promise broken.
public struct DayBound: Sendable {
    public let latest: Instant

    public init(latest: Instant) { self.latest = latest }

    /// Why `event` is not this day's, or nil when it is.
    public func refusal(of event: Event, offsetSeconds: Int) -> EventError? {
        let time = { (instant: Instant) in ISOTime.format(instant, offsetSeconds: offsetSeconds) }
        if event.at > latest {
            return EventError(field: "at", reason: "\(time(event.at)) is past the day this core runs (events up to \(time(latest)))")
        }
        let window: TimeWindow?
        switch event.body {
        case let .orderCreated(order): window = order.window
        case let .orderUpdated(_, changes): window = changes.window
        default: window = nil
        }
        if let window, window.start > latest {
            return EventError(field: "window_start", reason: "\(time(window.start)) is past the day this core runs (windows opening up to \(time(latest))): an order for another day goes to that day's core")
        }
        return nil
    }
}
