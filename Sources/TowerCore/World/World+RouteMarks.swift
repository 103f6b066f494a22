extension World {
    /// How many points of a route the candidate search keeps (see `routeMarks`).
    static let marksPerRoute = 8

    /// Sets (or, with nil, clears) a rider's route, and the points the candidate search ranks the rider by. Every
    /// new plan of a route, in `apply` or in a draft, goes through here (a stop done goes through `changeStops`).
    public mutating func setRoute(_ route: Route?, of rider: String) {
        routes[rider] = route
        defer { followRoute(of: rider) }
        guard let route, !route.stops.isEmpty else { routeMarks.removeValue(forKey: rider); return }
        var points: [GeoPoint] = []
        points.reserveCapacity(route.stops.count)
        for stop in route.stops {
            guard let point = location(of: stop), points.last != point else { continue }
            points.append(point)
        }
        if points.count > World.marksPerRoute {
            // Evenly spaced, the last one (where the route ends) included.
            let step = Double(points.count - 1) / Double(World.marksPerRoute - 1)
            points = (0..<World.marksPerRoute).map { points[Int((Double($0) * step).rounded())] }
        }
        routeMarks[rider] = points
    }

    /// Changes the stops of a rider's route in place (its plan time kept): a stop done or taken off. The marks stay
    /// as they were until the route is next planned (they only rank candidates, and a route's next plan comes soon),
    /// so a delivery costs no walk over the route; an emptied route loses them.
    public mutating func changeStops(of rider: String, _ change: (inout [Stop]) -> Void) {
        guard routes[rider] != nil else { return }
        change(&routes[rider]!.stops)
        if routes[rider]!.stops.isEmpty {
            routeMarks.removeValue(forKey: rider)
            followRoute(of: rider)
        }
    }
}
