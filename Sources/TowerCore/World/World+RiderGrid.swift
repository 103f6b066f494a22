extension World {
    /// Where a rider's next route starts from: its position once on shift, its hub before.
    public func anchor(of rider: Rider) -> GeoPoint {
        rider.status == .offShift ? (hubs[rider.profile.hub]?.location ?? rider.position) : rider.position
    }

    /// Keeps `riderGrid` with the riders this event changed (all of them when the grid is not built yet, or a hub
    /// was defined: the anchor of every rider before its shift may have moved). Riders whose shift ended leave it.
    mutating func followRiders(hubsChanged: Bool) {
        if hubsChanged { riderGrid = RiderGrid() }
        if riderGrid.isBuilt {
            for id in riders.changed { placeInGrid(id) }
        } else {
            for id in riders.keys { placeInGrid(id) }
            riderGrid.markBuilt()
        }
    }

    private mutating func placeInGrid(_ id: String) {
        let rider = riders[id]
        riderGrid.place(id, at: rider.flatMap { $0.status == .shiftEnded ? nil : anchor(of: $0) })
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
}
