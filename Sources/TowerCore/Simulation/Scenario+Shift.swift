extension Scenario {
    /// The scenario on the day `date` names (`YYYY-MM-DD`, or `today`: the day it is at `now` where the city is),
    /// moved by whole days (`shifted`): a real operation runs its city's folder each day on that day.
    public func on(_ date: String, now: Instant) throws(ToolError) -> Scenario {
        // Days are counted between local midnights written as if they were UTC, so a change of the clocks between
        // the scenario's day and the target does not make a day of 23 or 25 hours count short.
        let targetMidnight: Int64
        if date == "today" {
            let offset = timeZone.flatMap { Scenario.offset(zone: $0, at: now) } ?? utcOffsetSeconds
            targetMidnight = ISOTime.startOfDay(now, offsetSeconds: offset).seconds + Int64(offset)
        } else {
            guard date.utf8.count == 10, let midnight = ISOTime.parse(date + "T00:00:00Z")?.instant else {
                throw ToolError("--date needs a day YYYY-MM-DD or 'today', got '\(TextSanitizer.clean(String(date.prefix(40))))'")
            }
            guard InputTimes.contains(midnight) else { throw ToolError("--date \(date) is outside the years 0002 to 9997 that Tower takes") }
            targetMidnight = midnight.seconds
        }
        let days = (targetMidnight - (day.seconds + Int64(utcOffsetSeconds))) / 86400
        guard abs(days) <= 36_525 else { throw ToolError("--date \(date) is more than a century from the scenario's day") }
        return shifted(days: Int(days))
    }

    /// The same scenario `days` later: every time moves, nothing else changes. Used to simulate many days. In a city
    /// whose clocks change (`timeZone`), the day takes its own offset and every time keeps its local hour.
    public func shifted(days: Int) -> Scenario {
        let offset = timeZone.flatMap { Scenario.offset(zone: $0, at: day + Int64(days) * 86400 + 12 * 3600) } ?? utcOffsetSeconds
        let delta = Int64(days) * 86400 + Int64(utcOffsetSeconds - offset)
        var copy = self
        copy.utcOffsetSeconds = offset
        copy.day = day + delta
        copy.planLock = planLock + delta
        copy.dayStart = dayStart + delta
        copy.dayEnd = dayEnd + delta
        copy.riders = riders.map { rider in
            var moved = rider
            moved.profile.shift = TimeWindow(start: rider.profile.shift.start + delta, end: rider.profile.shift.end + delta)
            return moved
        }
        copy.orders = orders.map { order in
            var moved = order
            moved.createdAt = order.createdAt + delta
            moved.readyAt = order.readyAt.map { $0 + delta }
            moved.window = TimeWindow(start: order.window.start + delta, end: order.window.end + delta)
            moved.promised = TimeWindow(start: order.promised.start + delta, end: order.promised.end + delta)
            moved.booked = TimeWindow(start: order.booked.start + delta, end: order.booked.end + delta)
            return moved
        }
        copy.disruptions = disruptions.map { disruption in
            var moved = disruption
            moved.at = disruption.at + delta
            if case let .traffic(zone, slowdown, until, note) = disruption.kind {
                moved.kind = .traffic(zone: zone, slowdown: slowdown, until: until + delta, note: note)
            }
            return moved
        }
        return copy
    }
}
