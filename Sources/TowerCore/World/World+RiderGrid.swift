extension World {
    /// Where a rider's next route starts from: its position once on shift, its hub before.
    public func anchor(of rider: Rider) -> GeoPoint {
        rider.status == .offShift ? (hubs[rider.profile.hub]?.location ?? rider.position) : rider.position
    }

    /// Keeps `riderGrid` and `idleGrid` with the riders this event changed (all of them when the grids are not built
    /// yet, or a hub was defined: the anchor of every rider before its shift may have moved). Riders whose shift
    /// ended leave them.
    mutating func followRiders(hubsChanged: Bool) {
        if hubsChanged { riderGrid = RiderGrid() }
        if riderGrid.isBuilt {
            for id in riders.changed { placeInGrids(id) }
        } else {
            idleGrid = RiderGrid()
            for id in riders.keys { placeInGrids(id) }
            riderGrid.markBuilt()
            idleGrid.markBuilt()
        }
    }

    private mutating func placeInGrids(_ id: String) {
        let place = gridPlace(of: id)
        riderGrid.place(id, at: place)
        idleGrid.place(id, at: hasRoute(id) ? nil : place)
    }

    /// Where a rider goes in the grids: its anchor, or nowhere once its shift has ended (or it is not known).
    private func gridPlace(of id: String) -> GeoPoint? {
        guard let rider = riders[id], rider.status != .shiftEnded else { return nil }
        return anchor(of: rider)
    }

    /// Whether the candidate search sees a route to rank a rider by (see `routeMarks`).
    private func hasRoute(_ id: String) -> Bool { !(routeMarks[id] ?? []).isEmpty }

    /// Keeps `idleGrid` with a rider whose route was planned or emptied (see `setRoute` and `changeStops`).
    mutating func followRoute(of id: String) {
        guard idleGrid.isBuilt else { return }
        idleGrid.place(id, at: hasRoute(id) ? nil : gridPlace(of: id))
    }

    /// Visits riders nearest first by their anchors' cells around `point` (see `RiderGrid.visit`): every rider
    /// whose shift has not ended is visited unless `enough` stops the walk, given the least distance (`flatKm`)
    /// from `point` any rider not yet visited can have. A world whose grid is not built yet (decoded, no event
    /// applied since) visits every rider.
    func visitRiders(around point: GeoPoint, kmPerDegreeLon: Double, enough: (Double) -> Bool, _ body: (String) -> Void) {
        guard riderGrid.isBuilt else {
            for id in riders.keys { body(id) }
            return
        }
        riderGrid.visit(around: point, kmPerDegreeLon: kmPerDegreeLon, enough: enough, body)
    }

    /// `visitRiders` over the riders with no route (at least: a world whose grid is not built visits every rider).
    func visitIdleRiders(around point: GeoPoint, kmPerDegreeLon: Double, enough: (Double) -> Bool, _ body: (String) -> Void) {
        guard idleGrid.isBuilt else {
            for id in riders.keys { body(id) }
            return
        }
        idleGrid.visit(around: point, kmPerDegreeLon: kmPerDegreeLon, enough: enough, body)
    }
}
