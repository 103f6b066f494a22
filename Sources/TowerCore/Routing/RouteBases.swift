/// What pricing an order into a rider's route first works out about the route alone, kept per rider for as long as
/// nothing it reads changes: the day's plan at the lock prices each route for hundreds of orders between two
/// insertions into it, and a pass that places the orders coming due at one tick prices a hub's riders for each of
/// them; resolving a route's stops, walking it for its cost and scanning it were most of each pricing.
///
/// A basis is worked out again when its rider or the rider's route differ from those it was worked out on (an
/// insertion, a 3PL slot freed). The caller owns the rest of the validity: one instant, one set of travel conditions,
/// and no change to the orders on a route that leaves the route as it was. The plan at the lock and one pass of
/// placements at a tick are such callers; a live event is not.
final class RouteBases {
    private var bases: [String: Basis] = [:]

    /// One rider's route resolved (see `InsertionPlanner.fit`).
    final class Basis {
        /// The rider as it was when this was worked out.
        let rider: Rider
        let routeStops: [Stop]
        let route: [StopInfo]
        let start: RouteEvaluator.Start
        /// The route's cost as it is.
        let before: Double
        let frozen: Int
        private var routeScan: RouteScan?

        init(_ rider: Rider, in world: borrowing World, now: Instant, planner: InsertionPlanner, conditions: TravelConditions) {
            self.rider = rider
            routeStops = world.routes[rider.id]?.stops ?? []
            route = StopInfo.resolve(routeStops, in: world, now: now)
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

    /// The rider's basis, worked out on first need and again once the rider or its route changed.
    func basis(of rider: Rider, in world: World, now: Instant, planner: InsertionPlanner, conditions: TravelConditions) -> Basis {
        if let kept = bases[rider.id], kept.rider == rider, kept.routeStops == (world.routes[rider.id]?.stops ?? []) { return kept }
        let made = Basis(rider, in: world, now: now, planner: planner, conditions: conditions)
        bases[rider.id] = made
        return made
    }
}
