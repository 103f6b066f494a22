/// What pricing an order into a rider's route first works out about the route alone, kept per rider for as long as
/// nothing it reads changes: the day's plan at the lock prices each route for hundreds of orders between two
/// insertions into it, and resolving its stops, walking it for its cost and scanning it were most of each pricing.
///
/// The caller owns the validity: one world at one instant, whose riders do not move, and `forget` for every rider
/// whose route (or whose stops' orders) changed. The plan at the lock is such a caller; a live event is not.
final class RouteBases {
    private var bases: [String: Basis] = [:]

    /// One rider's route resolved (see `InsertionPlanner.fit`).
    final class Basis {
        let routeStops: [Stop]
        let route: [StopInfo]
        let start: RouteEvaluator.Start
        /// The route's cost as it is.
        let before: Double
        let frozen: Int
        private var routeScan: RouteScan?

        init(_ rider: Rider, in world: World, now: Instant, planner: InsertionPlanner, conditions: TravelConditions) {
            routeStops = world.routes[rider.id]?.stops ?? []
            route = routeStops.enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
            start = planner.start(of: rider, now: now, in: world)
            before = planner.evaluator.evaluate(route, profile: rider.profile, from: start, conditions: conditions, wantETAs: false).cost
            frozen = planner.frozenPrefix(of: rider, route: routeStops)
        }

        /// The route's own scan, made on first need (an order already picked up needs none).
        func scan(profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) -> RouteScan {
            if let routeScan { return routeScan }
            let made = RouteScan(route, start: start, profile: profile, travel: travel, conditions: conditions)
            routeScan = made
            return made
        }
    }

    /// The rider's basis, worked out on first need.
    func basis(of rider: Rider, in world: World, now: Instant, planner: InsertionPlanner, conditions: TravelConditions) -> Basis {
        if let kept = bases[rider.id] { return kept }
        let made = Basis(rider, in: world, now: now, planner: planner, conditions: conditions)
        bases[rider.id] = made
        return made
    }

    /// Drops what was kept of a rider's route (it changed).
    func forget(_ rider: String) { bases[rider] = nil }
}
