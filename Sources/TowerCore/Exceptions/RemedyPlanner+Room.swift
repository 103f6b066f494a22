/// Room made on a full rider: an order no rider has room for goes on a rider once some of that rider's orders not
/// collected yet go to other riders (`make_room`). A dispatcher does this by hand when a critical order arrives late
/// in the day and every rider who may take it is booked to the end of the shift: a standard order or two move to a
/// courier, the critical one takes their place.
extension RemedyPlanner {
    /// The order placed, the orders that make room for it, and where each goes.
    struct Room {
        /// The order's place on the rider, with the displaced orders off that rider's route.
        var placed: InsertionPlanner.Insertion
        /// Each displaced order's place on another rider, in the order they are placed (each on the routes the ones
        /// before it leave).
        var moved: [(order: String, to: InsertionPlanner.Insertion)]
        /// What the routes cost more than before (the order placed counts nothing before: it had no place).
        var costDelta: Double
    }

    /// Riders tried for room, nearest the order first: of those the planner's candidate search asks.
    static let roomRiders = 16
    /// Orders moved off one rider to make room, at most.
    static let displacedAtMost = 3

    /// The cheapest room for `order` (open, with no rider) on one of `riders`, or, when nil, on the riders nearest
    /// it that may take it (the candidate search's); nil when the order fits somewhere as things are (no room needs
    /// making) or when no rider's room can be made with every order it displaces placed elsewhere.
    func room(for order: Order, on riders: [String]? = nil, in world: World, now: Instant) -> Room? {
        guard order.status == .open, order.rider == nil else { return nil }
        let tried: [String]
        if let riders {
            tried = riders
        } else {
            let allocation = planner.allocation(of: order, in: world, now: now)
            guard allocation.best == nil else { return nil }
            tried = Array(allocation.tried.prefix(Self.roomRiders))
        }
        var best: Room?
        for id in tried {
            guard let rider = world.riders[id], planner.canServe(rider, order, now: now, in: world),
                  let room = room(for: order, on: rider, in: world, now: now) else { continue }
            if best.map({ (room.costDelta, room.placed.rider) < ($0.costDelta, $0.placed.rider) }) ?? true { best = room }
        }
        return best
    }

    /// The cheapest room on one rider: one order displaced, whichever costs least; when no single one makes room,
    /// the orders whose removal saves the route most, one more at a time, up to `displacedAtMost`.
    private func room(for order: Order, on rider: Rider, in world: World, now: Instant) -> Room? {
        let before = planner.retimed(rider, in: world, now: now).cost
        let movable = planner.movableOrders(of: rider, in: world)
        var best: Room?
        for displaced in movable {
            guard let room = room(for: order, on: rider, displacing: [displaced], costBefore: before, in: world, now: now) else { continue }
            if best.map({ room.costDelta < $0.costDelta }) ?? true { best = room }
        }
        guard best == nil, movable.count >= 2 else { return best }
        let saving = Dictionary(uniqueKeysWithValues: movable.map { id in
            (id, before - planner.retimed(rider, in: without([id], on: rider.id, world), now: now).cost)
        })
        let bySaving = movable.sorted { (saving[$0]!, $1) > (saving[$1]!, $0) }
        for count in 2...min(Self.displacedAtMost, movable.count) {
            if let room = room(for: order, on: rider, displacing: Array(bySaving.prefix(count)), costBefore: before, in: world, now: now) {
                return room
            }
        }
        return nil
    }

    /// `order` on `rider` with `displaced` off its route, each then placed on the cheapest other rider, most urgent
    /// first; nil unless all of them fit.
    private func room(for order: Order, on rider: Rider, displacing displaced: [String], costBefore: Double, in world: World,
                      now: Instant) -> Room? {
        var draft = without(displaced, on: rider.id, world)
        guard let emptied = draft.riders[rider.id],
              let placed = planner.bestInsertion(of: order, into: emptied, in: draft, now: now, conditions: TravelConditions(draft)) else { return nil }
        draft.setRoute(Route(stops: placed.stops, plannedAt: now), of: rider.id)
        var taken = order
        taken.rider = rider.id
        taken.status = .assigned
        draft.putOrder(taken)
        var room = Room(placed: placed, moved: [], costDelta: placed.costAfter - costBefore)
        let urgent = displaced.compactMap { draft.orders[$0] }.sorted { ($0.tier.rank, $1.window.end, $1.id) > ($1.tier.rank, $0.window.end, $0.id) }
        for away in urgent {
            guard let moved = planner.bestInsertion(of: away, in: draft, now: now, excluding: [rider.id]) else { return nil }
            draft.setRoute(Route(stops: moved.stops, plannedAt: now), of: moved.rider)
            var placedAway = away
            placedAway.rider = moved.rider
            draft.putOrder(placedAway)
            room.moved.append((away.id, moved))
            room.costDelta += moved.delta
        }
        // Only room that keeps the promise: the order in its booked window, and no delivery on the routes touched
        // late that was not late before. (Placed late, the order is a broken promise anyway, and the orders moved
        // for it would pay: measured over 30 sample days, such room broke more promises than it kept.)
        let riders = [rider.id] + room.moved.map(\.to.rider)
        guard lateDeliveries(of: riders, in: draft, now: now).isSubset(of: lateDeliveries(of: riders, in: world, now: now)) else { return nil }
        return room
    }

    /// The orders on `riders`' routes predicted past the window their customer booked.
    private func lateDeliveries(of riders: [String], in world: World, now: Instant) -> Set<String> {
        var late: Set<String> = []
        for id in riders {
            guard let rider = world.riders[id] else { continue }
            for stop in planner.retimed(rider, in: world, now: now).stops where stop.kind == .delivery {
                if let order = world.orders[stop.order], stop.eta > order.booked.end { late.insert(stop.order) }
            }
        }
        return late
    }

    /// `world` with `orders` off `rider`'s route and without a rider (off the 3PL's waves while they look for a place).
    private func without(_ orders: [String], on rider: String, _ world: World) -> World {
        var draft = world
        draft.changeStops(of: rider) { $0.removeAll { orders.contains($0.order) } }
        for id in orders {
            guard var order = draft.orders[id] else { continue }
            order.rider = nil
            draft.putOrder(order)
        }
        return draft
    }
}
