/// A stop resolved to plain values (no strings, so copies are cheap), so routes can be evaluated many times
/// without looking anything up. `ref` says which stop it stands for, in the caller's numbering.
public struct StopInfo: Sendable {
    public var kind: Stop.Kind
    public var ref: Int
    public var location: GeoPoint
    public var windowStart: Instant
    public var windowEnd: Instant
    public var serviceSeconds: Int64
    public var parcels: Int
    public var kg: Double
    public var latePerMinute: Double
    public var latePenalty: Double
    /// When the plan pricing this stop was made: from then every minute until a delivery begins costs
    /// `waitingPerMinute` (see `RouteEvaluator.waitingShare`).
    public var plannedAt: Instant
    public var waitingPerMinute: Double
    /// The 3PL's price for this drop from the rate card, if the card has one.
    public var thirdPartyDrop: Double?
    /// When a gig courier holding this order was given it (its acceptance runs from there); nil when no gig courier
    /// holds it, so a gig courier would be given it now.
    public var gigAssignedAt: Instant?
    /// A pickup's parcel is ready from then (see `Order.readyAt`); nil for a delivery, or a parcel ready already.
    public var readyAt: Instant?

    /// Resolves `stop` in `world` for a route planned at `now` (how far ahead it lies sets its reserve, see
    /// `RouteEvaluator.latestArrival`); nil when its order is unknown. The world is borrowed, here and in the other
    /// initialisers that only read it: an initialiser's parameters are otherwise owned, and each call copied it.
    public init?(_ stop: Stop, ref: Int, in world: borrowing World, now: Instant) {
        // The order copied out, not read in place through a closure: the closure's capture of `world` copied the
        // whole world (some forty retains), where an order is a dozen.
        guard let order = world.orders[stop.order] else { return nil }
        self.init(stop, ref: ref, order: order, in: world, now: now)
    }

    /// `stops` resolved in `world`, each with its index as its `ref`; a stop whose order is unknown is left out.
    /// A loop, not a closure: a closure's capture of `world` copies the whole world (some forty retains and
    /// releases), and a route is resolved for each rider an insertion tries.
    static func resolve(_ stops: [Stop], in world: World, now: Instant) -> [StopInfo] {
        var infos: [StopInfo] = []
        infos.reserveCapacity(stops.count)
        for index in stops.indices {
            if let info = StopInfo(stops[index], ref: index, in: world, now: now) { infos.append(info) }
        }
        return infos
    }

    /// As above, with the stop's order already looked up.
    public init?(_ stop: Stop, ref: Int, order: Order, in world: borrowing World, now: Instant) {
        guard let location = world.location(of: stop.kind, order: order) else { return nil }
        kind = stop.kind
        self.ref = ref
        self.location = location
        windowStart = order.window.start
        windowEnd = RouteEvaluator.latestArrival(windowEnd: order.window.end, now: now)
        serviceSeconds = Int64(order.serviceSeconds)
        parcels = order.parcels
        kg = order.kg
        latePerMinute = RouteEvaluator.latenessPerMinute(order.tier)
        latePenalty = RouteEvaluator.latePenalty(order.tier)
        plannedAt = now
        waitingPerMinute = RouteEvaluator.waitingShare * latePerMinute
        thirdPartyDrop = world.channels.thirdPartyRate(for: order)
        // No closure over `world` here (`order.rider.flatMap { world.riders[$0] }`): it copied the world for each stop.
        var heldByGig = false
        if world.channels.gigAcceptanceSeconds > 0, let rider = order.rider { heldByGig = world.riders[rider]?.profile.channel == .gig }
        gigAssignedAt = heldByGig ? order.assignedAt : nil
        readyAt = stop.kind == .pickup ? order.readyAt : nil
    }
}

/// Walks a candidate sequence of stops for one rider: arrival times, load, lateness and cost.
///
/// The planner and every re-plan use it, so cost and feasibility mean one thing everywhere.
public struct RouteEvaluator: Sendable {
    /// Lateness penalty in cost units per minute late, by tier.
    public static func latenessPerMinute(_ tier: Tier) -> Double {
        switch tier {
        case .standard: return 1
        case .express: return 3
        case .critical: return 10
        }
    }

    /// A fixed penalty for each late delivery, by tier: a late parcel costs a call to the care centre even
    /// when it is only a minute late.
    public static func latePenalty(_ tier: Tier) -> Double {
        switch tier {
        case .standard: return 8
        case .express: return 15
        case .critical: return 60
        }
    }

    /// Plans aim this much before a window closes, keeping a reserve for the day's surprises: without it,
    /// cheapest insertion spends every minute of slack and ordinary delays make stops late.
    public static let planningBuffer: Int64 = 10 * 60

    /// Plans also keep slack that grows with how far ahead a stop lies: this share of the time from now to the
    /// stop's arrival. The ETAs of a plan slip as the orders that arrive later are inserted ahead of its stops
    /// (on the sample city the upper quartile of the slip is about 14 minutes an hour ahead and 36 four hours
    /// ahead, beyond the fixed buffer's reach), so a stop four hours out needs more room than the next one.
    public static let reserveShare = 0.1

    /// The latest arrival a plan made at `now` aims for at a window ending at `windowEnd`: the fixed buffer before
    /// it, and the reserve for the time ahead (`arrival + reserveShare × (arrival − now)` must fit).
    public static func latestArrival(windowEnd: Instant, now: Instant) -> Instant {
        let deadline = windowEnd - planningBuffer
        guard deadline > now else { return deadline }
        return now + Int64((Double(deadline - now) / (1 + reserveShare)).rounded(.down))
    }

    /// Every minute from the plan until a delivery begins costs this share of a minute late (`latenessPerMinute`),
    /// inside its window too: of two plans otherwise alike, the one that reaches its customers sooner wins. The
    /// reserves above price the risk at a window's end; this prices the time before it. A plan that delivers early
    /// keeps its slack for what the day has not shown yet (the bookings still to come are inserted ahead of planned
    /// stops, legs run slow), where one that leaves each stop as late as its window allows has none, and a route that
    /// ends sooner frees its rider sooner. Over four cities (the sample, tuesday and two generated by `tower
    /// generate`) a tenth kept more promises than half or twice as much, at no more cost.
    public static let waitingShare = 0.1

    /// What serving delivery `info` at `time` adds to a route's lateness: its wait since the plan at its waiting
    /// rate and, past its latest arrival, the tier's penalty and rate.
    @inline(__always)
    static func lateness(_ info: StopInfo, servedAt time: Instant) -> Double {
        var cost = Double(max(0, time - info.plannedAt)) / 60 * info.waitingPerMinute
        if time > info.windowEnd { cost += Double(time - info.windowEnd) / 60 * info.latePerMinute + info.latePenalty }
        return cost
    }

    /// How long after its shift's end a rider may still be finishing a route.
    public static let shiftGrace: Int64 = 30 * 60

    /// Seconds spent at a hub per pickup.
    public static let pickupSeconds: Int64 = 60

    public struct Result: Sendable {
        public var etas: [Instant]
        /// When the rider reaches each stop, before any wait for its window or its parcel (with `etas`).
        public var arrivals: [Instant]
        public var cost: Double
        public var feasible: Bool
        public var endTime: Instant
    }

    /// Where a rider's route starts and with what on board.
    public struct Start: Sendable {
        public var origin: GeoPoint
        public var time: Instant
        public var parcels: Int
        public var kg: Double
    }

    /// When service can begin at a stop reached at `time`: a delivery waits for its window; a pickup waits for its
    /// parcel to be ready, and a gig courier's until the courier has accepted the job.
    @inline(__always)
    static func serviceStart(_ info: StopInfo, reached time: Instant, profile: RiderProfile, routeStart: Instant, conditions: TravelConditions) -> Instant {
        if info.kind == .delivery { return max(time, info.windowStart) }
        let ready = info.readyAt.map { max(time, $0) } ?? time
        guard profile.channel == .gig, conditions.channels.gigAcceptanceSeconds > 0 else { return ready }
        return max(ready, (info.gigAssignedAt ?? routeStart) + Int64(conditions.channels.gigAcceptanceSeconds))
    }

    /// What one drop costs with this rider at this time (see `ChannelTerms.dropPrice`). Own riders, most of the
    /// candidates, are answered without touching the terms: this runs for every stop of every candidate route.
    @inline(__always)
    static func dropCost(_ info: StopInfo, profile: RiderProfile, at time: Instant, conditions: TravelConditions) -> Double {
        if profile.channel == .own { return profile.costPerDrop }
        return conditions.channels.dropPrice(channel: profile.channel, riderPrice: profile.costPerDrop, thirdPartyRate: info.thirdPartyDrop,
                                             at: time, utcOffsetSeconds: conditions.utcOffsetSeconds)
    }

    public let travel: TravelModel

    public init(travel: TravelModel = TravelModel()) { self.travel = travel }

    /// What a walk carries from stop to stop: the clock, where the rider is, its load, and what the route has cost
    /// so far. `evaluate` is a walk from the start through every stop; `RouteImprover` keeps a route's walk at each
    /// place and goes on from there, with the same arithmetic in the same order (so the same costs to the bit).
    struct Walk {
        var time: Instant
        var position: GeoPoint
        var parcels: Int
        var kg: Double
        /// When the latest stop was reached, before its wait (`RouteEvaluator.serviceStart`).
        var reached: Instant
        var km = 0.0
        var lateness = 0.0
        var drops = 0.0
        /// False once a load went over the rider's capacity (it stays so).
        var feasible = true

        init(from start: Start) {
            time = start.time
            reached = start.time
            position = start.origin
            parcels = start.parcels
            kg = start.kg
        }

        /// The route's cost if it ended here. Every step only adds to it (the clock, the km, the drops' prices and
        /// the lateness never fall), so it bounds what any longer walk from here costs.
        func cost(profile: RiderProfile, start: Start) -> Double {
            let hours = Double(time - start.time) / 3600
            let overtime = max(0, Double(time - profile.shift.end) / 3600)
            return hours * profile.costPerHour + km * profile.costPerKm + drops
                + lateness + overtime * profile.costPerHour * 2
        }

        /// Whether the route may end here: within the shift's grace, no load over capacity on the way.
        func isFeasible(profile: RiderProfile) -> Bool { feasible && time <= profile.shift.end + RouteEvaluator.shiftGrace }
    }

    /// Walks on to `info`: drives there, waits for its window (or a gig courier's acceptance), serves it. Returns its
    /// ETA (when service can begin).
    @inline(__always)
    func step(_ walk: inout Walk, to info: StopInfo, profile: RiderProfile, start: Start, conditions: TravelConditions) -> Instant {
        walk.km += travel.roadKm(from: walk.position, to: info.location, in: conditions)
        walk.time = walk.time + Int64(travel.travelSeconds(from: walk.position, to: info.location, vehicle: profile.vehicle, departing: walk.time, in: conditions))
        walk.position = info.location
        walk.reached = walk.time
        walk.time = RouteEvaluator.serviceStart(info, reached: walk.time, profile: profile, routeStart: start.time, conditions: conditions)
        let eta = walk.time
        if info.kind == .pickup {
            walk.parcels += info.parcels
            walk.kg += info.kg
            if walk.parcels > profile.capacityParcels || walk.kg > profile.capacityKg + 1e-9 { walk.feasible = false }
            walk.time = walk.time + RouteEvaluator.pickupSeconds
        } else {
            walk.drops += RouteEvaluator.dropCost(info, profile: profile, at: walk.time, conditions: conditions)
            walk.lateness += RouteEvaluator.lateness(info, servedAt: walk.time)
            walk.parcels -= info.parcels
            walk.kg -= info.kg
            walk.time = walk.time + info.serviceSeconds
        }
        return eta
    }

    /// Evaluates resolved stops for `profile` from `start`.
    public func evaluate(_ stops: [StopInfo], profile: RiderProfile, from start: Start, conditions: TravelConditions, wantETAs: Bool = true) -> Result {
        var walk = Walk(from: start)
        var etas: [Instant] = [], arrivals: [Instant] = []
        if wantETAs { etas.reserveCapacity(stops.count); arrivals.reserveCapacity(stops.count) }
        for info in stops {
            let eta = step(&walk, to: info, profile: profile, start: start, conditions: conditions)
            if wantETAs { etas.append(eta); arrivals.append(walk.reached) }
        }
        return Result(etas: etas, arrivals: arrivals, cost: walk.cost(profile: profile, start: start), feasible: walk.isFeasible(profile: profile),
                      endTime: walk.time)
    }

    /// Evaluates a rider's stops as they stand in `world`, planned at `now` (stops of unknown orders are skipped;
    /// their ETA is the previous one's).
    public func evaluate(_ stops: [Stop], rider: Rider, from start: Start, now: Instant, in world: World) -> Result {
        let infos = StopInfo.resolve(stops, in: world, now: now)
        var result = evaluate(infos, profile: rider.profile, from: start, conditions: TravelConditions(world))
        var etas = [Instant](repeating: start.time, count: stops.count), arrivals = etas
        var last = (eta: start.time, arrival: start.time)
        var next = 0
        for index in stops.indices {
            if next < infos.count, infos[next].ref == index { last = (result.etas[next], result.arrivals[next]); next += 1 }
            (etas[index], arrivals[index]) = last
        }
        (result.etas, result.arrivals) = (etas, arrivals)
        return result
    }
}
