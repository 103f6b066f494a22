extension Scenario {
    /// The same scenario `days` later: every time moves, nothing else changes. Used to simulate many days.
    public func shifted(days: Int) -> Scenario {
        let delta = Int64(days) * 86400
        var copy = self
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
