extension World {
    /// How many points of a route the candidate search keeps (see `routeMarks`).
    static let marksPerRoute = 8

    /// Sets (or, with nil, clears) a rider's route, and the points the candidate search ranks the rider by. Every
    /// change of a route, in `apply` or in a draft, goes through here, so the marks never lag the stops.
    public mutating func setRoute(_ route: Route?, of rider: String) {
        routes[rider] = route
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

    /// Changes the stops of a rider's route in place (its plan time kept), through `setRoute`.
    public mutating func changeStops(of rider: String, _ change: (inout [Stop]) -> Void) {
        guard var route = routes[rider] else { return }
        change(&route.stops)
        setRoute(route, of: rider)
    }
}
