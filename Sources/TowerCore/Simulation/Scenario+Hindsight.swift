extension Scenario {
    /// The same day with every order known from the day's start: the hindsight day `tower bench hindsight` sets each
    /// policy against. An order booked later is created at `dayStart`, but its parcel is ready at the hub only from
    /// when it was booked (or later, if it was ready later): knowing an order early lets the plan keep room for it;
    /// it does not put in a rider's hands a parcel no policy could have collected yet.
    public func everyOrderKnown() -> Scenario {
        var known = self
        for index in known.orders.indices {
            let order = known.orders[index]
            guard order.createdAt > dayStart else { continue }
            known.orders[index].readyAt = max(order.readyAt ?? order.createdAt, order.createdAt)
            known.orders[index].createdAt = dayStart
        }
        return known
    }
}
