/// The live planner's repair step: cheapest feasible insertion of an order into the riders' routes, at once.
///
/// It respects skills, capacity (parcels and kg), shifts, the channel rules and the leg a rider is driving (never
/// moved), and prices lateness by tier and drops by channel. The plan it repairs keeps improving through
/// `LiveImprover` (ruin and recreate, which re-inserts through this planner); both decide by the same events.
public struct InsertionPlanner: Sendable {
    public let evaluator: RouteEvaluator
    /// Riders considered per order, nearest first, to keep insertion cheap in large cities.
    public var candidateRiders = 12

    public init(evaluator: RouteEvaluator = RouteEvaluator()) { self.evaluator = evaluator }

    /// Where and when a rider's route starts now: its position if on shift, else its hub at shift start.
    public func start(of rider: Rider, now: Instant, in world: World) -> RouteEvaluator.Start {
        let origin: GeoPoint
        let time: Instant
        if rider.status == .offShift {
            origin = world.hubs[rider.profile.hub]?.location ?? rider.position
            time = max(now, rider.profile.shift.start)
        } else {
            origin = rider.position
            time = now
        }
        return RouteEvaluator.Start(origin: origin, time: time, parcels: rider.loadParcels, kg: rider.loadKg)
    }

    /// How many leading stops are frozen: the stop a driving rider is heading to stays first.
    public func frozenPrefix(of rider: Rider, route: [Stop]) -> Int {
        rider.status == .driving && !route.isEmpty ? 1 : 0
    }

    /// Whether `order` is in the frozen head of `rider`'s route (the stop it is driving to): not to be moved.
    public func isFrozen(_ order: String, on rider: Rider, in world: World) -> Bool {
        let stops = world.routes[rider.id]?.stops ?? []
        return stops.prefix(frozenPrefix(of: rider, route: stops)).contains { $0.order == order }
    }

    /// Whether a rider may take an order at all: status, skills (cold chain only to certified riders), shift,
    /// capacity, and the channel rules of `world` (see `ChannelTerms`). `waveLoad` saves recounting the 3PL's waves
    /// when many riders are tried for one order.
    public func canServe(_ rider: Rider, _ order: Order, now: Instant, in world: World, waveLoad: [Int]? = nil) -> Bool {
        guard rider.status != .brokenDown, rider.status != .shiftEnded else { return false }
        guard order.requiredSkills.isSubset(of: rider.profile.skills) else { return false }
        guard rider.profile.shift.end > now + 1800 else { return false }
        guard order.parcels <= rider.profile.capacityParcels && order.kg <= rider.profile.capacityKg else { return false }
        return world.channelRefusal(rider.profile.channel, for: order, waveLoad: waveLoad) == nil
    }

    public struct Insertion: Sendable {
        public var rider: String
        public var stops: [Stop]
        public var costBefore: Double
        public var costAfter: Double
        public var delta: Double { costAfter - costBefore }
    }

    /// The cheapest feasible place for `order` over the candidate riders, or nil when no rider can take it.
    /// An order pinned to a rider goes to that rider when it fits there.
    public func bestInsertion(of order: Order, in world: World, now: Instant, excluding excluded: Set<String> = []) -> Insertion? {
        guard let pickup = world.pickupLocation(of: order) else { return nil }
        let conditions = TravelConditions(world)
        if let pinned = order.pinnedRider, !excluded.contains(pinned), let rider = world.riders[pinned],
           let insertion = bestInsertion(of: order, into: rider, in: world, now: now, conditions: conditions) {
            return insertion
        }
        var ranked: [(rider: Rider, km: Double)] = []
        let waveLoad = world.thirdPartyWaveLoad(excluding: order.id)
        for id in world.riderIDs {
            guard !excluded.contains(id), let rider = world.riders[id], canServe(rider, order, now: now, in: world, waveLoad: waveLoad) else { continue }
            let anchor = rider.status == .offShift ? (world.hubs[rider.profile.hub]?.location ?? rider.position) : rider.position
            ranked.append((rider, anchor.distanceKm(to: pickup)))
        }
        ranked.sort { $0.km != $1.km ? $0.km < $1.km : $0.rider.id < $1.rider.id }
        var best: Insertion?
        for (rider, _) in ranked.prefix(candidateRiders) {
            if let option = bestInsertion(of: order, into: rider, in: world, now: now, conditions: conditions),
               option.delta < (best?.delta ?? .infinity) {
                best = option
            }
        }
        return best
    }

    /// The cheapest feasible place for `order` in one rider's route.
    public func bestInsertion(of order: Order, into rider: Rider, in world: World, now: Instant, conditions: TravelConditions) -> Insertion? {
        let routeStops = world.routes[rider.id]?.stops ?? []
        let route = routeStops.enumerated().compactMap { StopInfo($1, ref: $0, in: world) }
        let start = start(of: rider, now: now, in: world)
        let before = evaluator.evaluate(route, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
        let frozen = frozenPrefix(of: rider, route: routeStops)
        let newPickup = Stop(order: order.id, kind: .pickup, eta: now)
        let newDelivery = Stop(order: order.id, kind: .delivery, eta: now)
        guard let pickupInfo = StopInfo(newPickup, ref: -1, in: world),
              let deliveryInfo = StopInfo(newDelivery, ref: -2, in: world) else { return nil }
        let needsPickup = order.status != .pickedUp

        // Pickup candidates: right after a pending pickup at the same place (a shared hub visit), or a new visit
        // (a return to the hub for another wave) before any stop that is not itself at that place.
        var pickupPositions: [Int?] = [nil]
        if needsPickup {
            pickupPositions = (frozen...route.count).filter { position in
                position == route.count || route[position].location != pickupInfo.location || route[position].kind != .pickup
            }
        }
        var bestCost = Double.infinity
        var bestStops: [StopInfo] = []
        for pickupAt in pickupPositions {
            var base = route
            if let pickupAt { base.insert(pickupInfo, at: pickupAt) }
            let scan = RouteScan(base, start: start, profile: rider.profile, travel: evaluator.travel, conditions: conditions)
            let first = pickupAt.map { $0 + 1 } ?? frozen
            for j in first...base.count {
                guard let cost = scan.costWithDelivery(deliveryInfo, at: j, profile: rider.profile, travel: evaluator.travel, conditions: conditions),
                      cost < bestCost else { continue }
                bestCost = cost
                bestStops = base
                bestStops.insert(deliveryInfo, at: j)
            }
        }
        guard bestCost.isFinite else { return nil }
        let timed = evaluator.evaluate(bestStops, profile: rider.profile, from: start, conditions: conditions)
        let stops = zip(bestStops, timed.etas).map { info, eta in
            Stop(order: info.ref >= 0 ? routeStops[info.ref].order : order.id, kind: info.kind, eta: eta)
        }
        return Insertion(rider: rider.id, stops: stops, costBefore: before.cost, costAfter: bestCost)
    }

    /// Re-times a rider's current route (after traffic, a removal or a delay) without changing its order.
    public func retimed(_ rider: Rider, in world: World, now: Instant) -> (stops: [Stop], cost: Double) {
        let route = world.routes[rider.id]?.stops ?? []
        let result = evaluator.evaluate(route, rider: rider, from: start(of: rider, now: now, in: world), in: world)
        return (zip(route, result.etas).map { Stop(order: $0.order, kind: $0.kind, eta: $1) }, result.cost)
    }
}
