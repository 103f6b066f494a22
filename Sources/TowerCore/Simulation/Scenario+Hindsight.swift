extension Scenario {
    /// When the parcels of the orders a day books late are ready at their hubs, in a day that knows those orders
    /// from its start.
    public enum ParcelReadiness: Sendable {
        /// When the live day books each order: no policy could collect a parcel earlier (the hindsight bound).
        case whenBooked
        /// From the day's start, as if every order had been booked the day before: a looser day than any policy could
        /// play, since none can collect a parcel nobody has ordered yet (shown beside the bound, named as such).
        case fromDayStart
    }

    /// The same day with every order known from the day's start: the hindsight day `tower bench hindsight` sets each
    /// policy against. An order booked later is created at `dayStart`; its parcel is ready at the hub as `parcels`
    /// says (when booked, or later if it was ready later): knowing an order early lets the plan keep room for it,
    /// it does not put in a rider's hands a parcel no policy could have collected yet.
    public func everyOrderKnown(parcels: ParcelReadiness = .whenBooked) -> Scenario {
        var known = self
        for index in known.orders.indices {
            let order = known.orders[index]
            guard order.createdAt > dayStart else { continue }
            if parcels == .whenBooked { known.orders[index].readyAt = max(order.readyAt ?? order.createdAt, order.createdAt) }
            known.orders[index].createdAt = dayStart
        }
        return known
    }
}
