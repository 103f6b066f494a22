extension World {
    /// Where a rider's next route starts from: its position once on shift, its hub before.
    public func anchor(of rider: Rider) -> GeoPoint {
        rider.status == .offShift ? (hubs[rider.profile.hub]?.location ?? rider.position) : rider.position
    }

    /// Keeps `riderGrid` and `idleGrid` with the riders this event changed (all of them when the grids are not built
    /// yet, or a hub was defined: the anchor of every rider before its shift may have moved). Riders whose shift
    /// ended leave them.
    mutating func followRiders(hubsChanged: Bool) {
        if hubsChanged { riderGrid = RiderLayers() }
        if riderGrid.isBuilt {
            for id in riders.changed { placeInGrids(id) }
        } else {
            idleGrid = RiderLayers()
            for id in riders.keys { placeInGrids(id) }
            riderGrid.markBuilt()
            idleGrid.markBuilt()
        }
    }

    private mutating func placeInGrids(_ id: String) {
        let rider = riders[id].flatMap { $0.status == .shiftEnded ? nil : $0 }
        riderGrid.place(id, layer: rider.map { Self.layer(of: $0.profile.channel) } ?? 0, rank: 0, at: rider.map { anchor(of: $0) },
                        marks: routeMarks[id] ?? [])
        placeInIdleGrid(id, rider)
    }

    /// Keeps the grids with a rider whose route was planned or emptied (see `setRoute` and `changeStops`): its
    /// marks, and whether the idle grid holds it.
    mutating func followRoute(of id: String) {
        guard idleGrid.isBuilt else { return }
        riderGrid.setMarks(id, routeMarks[id] ?? [])
        placeInIdleGrid(id, riders[id].flatMap { $0.status == .shiftEnded ? nil : $0 })
    }

    /// Leaves only `kept` to the candidate search (`visitRiders`, `visitIdleRiders`), in a draft of the world that
    /// plans for them alone (a hub's pass of the plan at the lock, `LockPlan`, which excludes every other rider):
    /// its searches then find the same riders without walking past the others, who stand at the other hubs at the
    /// lock, five hundred to a cell at 2,000 riders (once a hub's own riders have routes, every search for an idle
    /// one walked them all). The riders stay in the world; only the grids forget them.
    mutating func narrowCandidates(to kept: Set<String>) {
        guard riderGrid.isBuilt else { return }
        riderGrid.keepOnly(kept)
        idleGrid.keepOnly(kept)
    }

    /// The idle grid's layers: a channel's riders by the hour their shift starts, each layer ranked by the earliest
    /// start in it, so the search for idle riders whose shift starts before a window ends passes over the later ones.
    private mutating func placeInIdleGrid(_ id: String, _ rider: Rider?) {
        let idle = rider.flatMap { (routeMarks[id] ?? []).isEmpty ? $0 : nil }
        let start = idle?.profile.shift.start.seconds ?? 0
        let hour = Int((start / 3600) & 0xFFFFF)
        idleGrid.place(id, layer: idle.map { Self.layer(of: $0.profile.channel) << 20 | hour } ?? 0, rank: start, at: idle.map { anchor(of: $0) })
    }

    private static func layer(of channel: Channel) -> Int { Channel.allCases.firstIndex(of: channel)! }

    /// Visits riders of `channels` nearest first by their anchors' cells around `point` (see `RiderGrid.visit`),
    /// each with its way (anchor and marks): every such rider whose shift has not ended is visited unless `enough`
    /// stops the walk, given the least distance (`flatKm`) from `point` any rider not yet visited can have. A world
    /// whose grid is not built yet (decoded, no event applied since) visits every rider.
    func visitRiders(around point: GeoPoint, of channels: Set<Channel>, kmPerDegreeLon: Double, enough: (Double) -> Bool,
                     _ body: (RiderGrid.Entry) -> Void) {
        guard riderGrid.isBuilt else {
            visitAll(body)
            return
        }
        riderGrid.visit(around: point, kmPerDegreeLon: kmPerDegreeLon, layers: { layer, _ in channels.contains(Channel.allCases[layer]) },
                        enough: enough, body)
    }

    /// `visitRiders` over the riders with no route whose shift starts before `deadline` (at least: a layer's
    /// riders are visited when its earliest start is before it; a world whose grid is not built visits every rider).
    func visitIdleRiders(around point: GeoPoint, of channels: Set<Channel>, startingBefore deadline: Instant, kmPerDegreeLon: Double,
                         enough: (Double) -> Bool, _ body: (RiderGrid.Entry) -> Void) {
        guard idleGrid.isBuilt else {
            visitAll(body)
            return
        }
        idleGrid.visit(around: point, kmPerDegreeLon: kmPerDegreeLon,
                       layers: { layer, earliest in earliest < deadline.seconds && channels.contains(Channel.allCases[layer >> 20]) },
                       enough: enough, body)
    }

    private func visitAll(_ body: (RiderGrid.Entry) -> Void) {
        for id in riders.keys {
            if let at = riders.withValue(id, { anchor(of: $0) }) { body(RiderGrid.Entry(id: id, anchor: at, marks: routeMarks[id] ?? [])) }
        }
    }
}
