/// Ruin and recreate on the live plan, as SISR does on benchmark instances, within what the live plan allows.
///
/// Each iteration removes a handful of orders not yet picked up whose drops lie close together (strings of
/// neighbours from one or several routes), re-inserts them one by one, most urgent first, at the cheapest
/// feasible place over the candidate riders (the live planner: capacity, skills, shifts, windows priced by tier,
/// the leg a rider is driving frozen), and keeps the result when the touched routes cost less than before.
/// Picked-up orders stay with their rider; pinned orders are not moved. Deterministic for a seed and a budget.
public struct LiveImprover: Sendable {
    public let planner: InsertionPlanner
    /// Orders removed per iteration, at most.
    public var maxRemoved = 8

    public init(planner: InsertionPlanner) { self.planner = planner }

    /// The improved plan: the riders whose routes changed, and the orders that changed rider.
    public struct Outcome: Sendable {
        public var routes: [(rider: String, stops: [Stop], costBefore: Double, costAfter: Double)] = []
        public var moves: [(order: String, from: String, to: String)] = []
        public var costBefore = 0.0
        public var costAfter = 0.0
        public var iterations = 0
        public var accepted = 0
        public var isEmpty: Bool { routes.isEmpty }
    }

    /// Runs up to `iterations` ruin-and-recreate steps (stopping early when `stop` says so) on a copy of `world`.
    public func improve(_ world: World, now: Instant, seed: UInt64, iterations: Int, stop: () -> Bool = { false }) -> Outcome {
        var draft = world
        var random = SeededRandom(seed: seed, stream: "improve")
        var outcome = Outcome()
        let riderIDs = world.riderIDs.filter { !(world.routes[$0]?.stops.isEmpty ?? true) }
        outcome.costBefore = riderIDs.reduce(0) { $0 + cost(of: $1, in: world, now: now) }
        // Who is movable does not change between iterations: a re-inserted order goes after any frozen stop.
        let movable = movableOrders(in: world)
        var touched: Set<String> = []
        while outcome.iterations < iterations, !stop() {
            outcome.iterations += 1
            guard movable.count >= 2 else { break }
            let seedOrder = movable[Int(random.next() % UInt64(movable.count))]
            guard let centre = draft.orders[seedOrder]?.drop else { continue }
            let count = 2 + Int(random.next() % UInt64(max(1, min(maxRemoved, movable.count) - 1)))
            let removed = nearest(count, of: movable, to: centre, in: draft)
            if let better = recreate(removed, in: draft, now: now) {
                draft = better.world
                touched.formUnion(better.riders)
                outcome.accepted += 1
            }
        }
        for id in world.riderIDs where touched.contains(id) {
            let before = world.routes[id]?.stops ?? [], after = draft.routes[id]?.stops ?? []
            guard before.map(\.order) != after.map(\.order) || before.map(\.kind) != after.map(\.kind), let rider = draft.riders[id] else { continue }
            let timed = planner.retimed(rider, in: draft, now: now)
            outcome.routes.append((id, timed.stops, cost(of: id, in: world, now: now), timed.cost))
        }
        for id in movable {
            if let from = world.orders[id]?.rider, let to = draft.orders[id]?.rider, from != to { outcome.moves.append((id, from, to)) }
        }
        outcome.costAfter = outcome.costBefore + outcome.routes.reduce(0) { $0 + $1.costAfter - $1.costBefore }
        return outcome
    }

    /// Orders on a route another rider could take instead (see `InsertionPlanner.movableOrders(of:in:)`).
    private func movableOrders(in world: World) -> [String] {
        world.riderIDs.flatMap { id in world.riders[id].map { planner.movableOrders(of: $0, in: world) } ?? [] }
    }

    /// The `count` orders of `orders` whose drops lie nearest `centre` (ties by id), nearest first: one pass that
    /// keeps the best few, rather than sorting a city's orders for a handful.
    private func nearest(_ count: Int, of orders: [String], to centre: GeoPoint, in world: World) -> [String] {
        orders.compactMap { id in world.orders[id].map { (km: $0.drop.distanceKm(to: centre), id: id) } }
            .smallest(count) { ($0.km, $0.id) < ($1.km, $1.id) }.map(\.id)
    }

    /// The world with `removed` taken off their routes and put back at their cheapest places, with the riders whose
    /// routes that touched, when it costs less over those routes; nil otherwise (or when one of them fits nowhere).
    private func recreate(_ removed: [String], in world: World, now: Instant) -> (world: World, riders: Set<String>)? {
        var draft = world
        var touched = Set(removed.compactMap { world.orders[$0]?.rider })
        for id in removed {
            guard let rider = draft.orders[id]?.rider else { return nil }
            draft.changeStops(of: rider) { $0.removeAll { $0.order == id } }
            if var order = draft.orders[id] { order.rider = nil; draft.putOrder(order) }  // off the 3PL's waves while it looks for a place
        }
        let urgent = removed.sorted {
            let a = draft.orders[$0]!, b = draft.orders[$1]!
            return (-a.tier.rank, a.window.end, a.id) < (-b.tier.rank, b.window.end, b.id)
        }
        for id in urgent {
            guard let order = draft.orders[id], let insertion = planner.bestInsertion(of: order, in: draft, now: now) else { return nil }
            draft.setRoute(Route(stops: insertion.stops, plannedAt: draft.routes[insertion.rider]?.plannedAt ?? now), of: insertion.rider)
            var placed = order
            placed.rider = insertion.rider
            draft.putOrder(placed)
            touched.insert(insertion.rider)
        }
        let before = touched.reduce(0) { $0 + cost(of: $1, in: world, now: now) }
        let after = touched.reduce(0) { $0 + cost(of: $1, in: draft, now: now) }
        return after < before - 1e-6 ? (draft, touched) : nil
    }

    private func cost(of rider: String, in world: World, now: Instant) -> Double {
        guard let r = world.riders[rider] else { return 0 }
        return planner.retimed(r, in: world, now: now).cost
    }
}
