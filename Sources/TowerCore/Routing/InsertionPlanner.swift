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

    /// The orders on `rider`'s route another rider could take instead: assigned, not collected, not pinned, and not
    /// the stop it is driving to (in the route's order).
    public func movableOrders(of rider: Rider, in world: World) -> [String] {
        (world.routes[rider.id]?.stops ?? []).compactMap { stop in
            guard stop.kind == .pickup, !isFrozen(stop.order, on: rider, in: world), let order = world.orders[stop.order],
                  order.status == .assigned, order.pinnedRider == nil else { return nil }
            return order.id
        }
    }

    /// Whether a rider may take an order at all: status, skills (cold chain only to certified riders), shift,
    /// capacity, and the channel rules of `world` (see `ChannelTerms`). `waveLoad` saves recounting the 3PL's waves
    /// when many riders are tried for one order.
    public func canServe(_ rider: Rider, _ order: Order, now: Instant, in world: World, waveLoad: [Int]? = nil) -> Bool {
        isFit(rider, for: order, now: now) && world.channelRefusal(rider.profile.channel, for: order, waveLoad: waveLoad) == nil
    }

    /// `canServe` but for the channel rules, which hold for a whole channel and are asked once per order. Also
    /// leaves out a rider whose shift (with its grace) ends before the order's window opens: no drop starts before
    /// its window, so no route of theirs could hold it (the evening's orders are not priced on the morning's riders).
    private func isFit(_ rider: Rider, for order: Order, now: Instant) -> Bool { unfit(rider, for: order, now: now) == nil }

    /// What keeps a rider from carrying an order at all, whatever its route.
    enum Unfit: Sendable { case brokenDown, shiftEnded, skills, shiftEnding, windowAfterShift, parcels, weight }

    /// `newWork`: the order would be new to the rider, so a shift ending within half an hour rules it out (an order
    /// the rider already has stays).
    private func unfit(_ rider: Rider, for order: Order, now: Instant, newWork: Bool = true) -> Unfit? {
        if rider.status == .brokenDown { return .brokenDown }
        if rider.status == .shiftEnded { return .shiftEnded }
        if !order.requiredSkills.isSubset(of: rider.profile.skills) { return .skills }
        if newWork, rider.profile.shift.end <= now + 1800 { return .shiftEnding }
        if order.window.start > rider.profile.shift.end + RouteEvaluator.shiftGrace { return .windowAfterShift }
        if order.parcels > rider.profile.capacityParcels { return .parcels }
        if order.kg > rider.profile.capacityKg { return .weight }
        return nil
    }

    /// Why `rider` cannot take `order` now whatever its route, in words (nil: `canServe` holds): what a dispatcher
    /// whose pin or approval is refused needs to choose another rider. `forNewWork` false: why a rider cannot keep an
    /// order it has. `underRules` false: only what keeps the rider from carrying it, not the channel rules (a person
    /// waiving them, `ActionKind.waive`).
    public func refusal(_ rider: Rider, _ order: Order, now: Instant, in world: World, forNewWork: Bool = true, underRules: Bool = true) -> String? {
        let r = rider.id, o = order.id, profile = rider.profile
        let clock = { (instant: Instant) in ISOTime.clock(instant, offsetSeconds: world.utcOffsetSeconds) }
        switch unfit(rider, for: order, now: now, newWork: forNewWork) {
        case .brokenDown: return "\(r) has broken down"
        case .shiftEnded: return "\(r)'s shift has ended"
        case .skills:
            let missing = order.requiredSkills.subtracting(profile.skills).sorted().map(\.rawValue).joined(separator: " and ")
            return "\(o) needs \(missing), which \(r) does not have"
        case .shiftEnding: return "\(r)'s shift ends at \(clock(profile.shift.end))"
        case .windowAfterShift: return "\(o)'s window opens at \(clock(order.window.start)), after \(r)'s shift ends at \(clock(profile.shift.end))"
        case .parcels: return "\(o) is \(order.parcels) parcels, over \(r)'s \(profile.capacityParcels)"
        case .weight: return "\(o) weighs \(formatNumber(order.kg)) kg, over \(r)'s \(formatNumber(profile.capacityKg)) kg"
        case nil: return underRules ? world.channelRefusal(profile.channel, for: order).map { "\(r) is \(profile.channel.rawValue): \($0)" } : nil
        }
    }

    public struct Insertion: Sendable {
        public var rider: String
        public var stops: [Stop]
        public var costBefore: Double
        public var costAfter: Double
        public var delta: Double { costAfter - costBefore }
    }

    /// The cheapest feasible place for `order` over the candidate riders of `channels` but `excluded`, or nil when
    /// no rider can take it. An order pinned to a rider goes to that rider when it fits there.
    public func bestInsertion(of order: Order, in world: World, now: Instant, among channels: Set<Channel> = Channel.everyone,
                              excluding excluded: Set<String> = []) -> Insertion? {
        allocation(of: order, in: world, now: now, among: channels, excluding: excluded).best
    }

    /// The cheapest place found for an order, and the cheapest found with each channel (for the reason the core
    /// gives: the chosen rider beside the best of each other channel).
    public struct Allocation: Sendable {
        public var best: Insertion?
        public var byChannel: [Channel: Insertion] = [:]
        /// The riders priced, nearest first (empty for a pinned order that went to its rider).
        public var tried: [String] = []
        /// What a 3PL insertion was counted at beyond its own cost in the choice: the slot of its wave it takes
        /// (`ChannelTerms.thirdPartySlotValue`).
        public var slotValue = 0.0
    }

    /// The candidate search behind `bestInsertion`.
    ///
    /// Riders are tried nearest first, by how far the pickup lies from where the rider is (or its hub, before its
    /// shift) plus how far the drop lies from the nearest of the rider's way (its position and its route's marks,
    /// see `World.routeMarks`): the riders a good insertion is likely to be found with. The search stops once
    /// `wanted` of them could take the order (default `candidateRiders`), or after `triesPerCandidate` times as
    /// many tries, so a hub full of riders with no room left does not hide a rider with room further away. The
    /// nearest idle riders, and the nearest few of each channel with its nearest idle one, are priced besides. A
    /// rider is priced only against the best of its channel so far: a route whose cost with the pickup alone
    /// already loses is not searched further (see `RouteScan.baseCost`).
    /// `underRules` false: every channel of `channels` is asked whatever the channel rules say (a person waiving them).
    public func allocation(of order: Order, in world: World, now: Instant, among channels: Set<Channel> = Channel.everyone,
                           excluding excluded: Set<String> = [], wanted: Int? = nil, underRules: Bool = true) -> Allocation {
        allocation(of: order, in: world, now: now, among: channels, excluding: excluded, wanted: wanted, bases: nil, underRules: underRules)
    }

    /// `allocation` with the routes' bases kept in `bases` between calls (see `RouteBases`; the plan at the lock).
    func allocation(of order: Order, in world: World, now: Instant, among channels: Set<Channel> = Channel.everyone,
                    excluding excluded: Set<String> = [], wanted: Int? = nil, bases: RouteBases?, underRules: Bool = true) -> Allocation {
        guard let pickup = world.pickupLocation(of: order) else { return Allocation() }
        let conditions = TravelConditions(world)
        if let pinned = order.pinnedRider, !excluded.contains(pinned), let rider = world.riders[pinned], channels.contains(rider.profile.channel),
           let insertion = bestInsertion(of: order, into: rider, in: world, now: now, conditions: conditions) {
            return Allocation(best: insertion, byChannel: [rider.profile.channel: insertion])
        }
        let waveLoad = world.thirdPartyWaveLoad(excluding: order.id)
        let allowed = underRules ? channels.filter { world.channelRefusal($0, for: order, waveLoad: waveLoad) == nil } : channels
        guard !allowed.isEmpty else { return Allocation() }
        // Ranked by id, not by value: a rider is a large value, and the ranking keeps and moves many of them.
        let byDistance = { (a: (km: Double, id: String), b: (km: Double, id: String)) in a.km != b.km ? a.km < b.km : a.id < b.id }
        let wanted = wanted ?? candidateRiders
        var ranked = Smallest(wanted * InsertionPlanner.triesPerCandidate, by: byDistance)
        var idle = Smallest(InsertionPlanner.idleCandidates, by: byDistance)
        // The riders near the pickup first: a rider's distance is at least how far its anchor is from the pickup, so
        // each walk stops once the riders left are all farther than the last it keeps (the same riders as a walk of
        // the whole fleet: ties are kept by id either way).
        let settled = { (list: Smallest<(km: Double, id: String)>, nearest: Double) in list.isFull && list.worst.map { nearest > $0.km } ?? true }
        // A rider's rank from its way as the walk gives it (how far its anchor lies from the pickup, plus how far the
        // drop lies from the nearest point of its way: the anchor and its route's marks), or nil when it cannot beat
        // `worst` (a full list's last): such a rider is passed over before it is looked up, as most riders a walk
        // passes are, and at a hub, where a whole crowd ranks alike, all but the lowest ids.
        func wayRank(_ entry: RiderGrid.Entry, toBeat worst: (km: Double, id: String)?) -> Double? {
            let fromPickup = conditions.flatKm(from: entry.anchor, to: pickup)
            if let worst, fromPickup > worst.km { return nil }
            var toDrop = conditions.flatKm(from: entry.anchor, to: order.drop)
            for mark in entry.marks { toDrop = min(toDrop, conditions.flatKm(from: mark, to: order.drop)) }
            let km = fromPickup + toDrop
            if let worst, !byDistance((km, entry.id), worst) { return nil }
            return km
        }
        // Whether a rider of `channels` may be asked at all, and if so whether its shift starts before the window
        // ends: an idle rider whose shift starts after the window has closed could only bring it late, so it is not
        // one of the few asked besides the count (it stays among the nearest, if it is one).
        func askable(_ id: String, among channels: Set<Channel>) -> Bool? {
            // The exclusion first: at the plan's border pass it is a hub's five hundred riders, walked before any other.
            guard !excluded.contains(id) else { return nil }
            return world.riders.withValue(id) { rider -> Bool? in
                guard channels.contains(rider.profile.channel), isFit(rider, for: order, now: now) else { return nil }
                return rider.profile.shift.start < order.window.end
            } ?? nil
        }
        world.visitRiders(around: pickup, of: allowed, kmPerDegreeLon: conditions.kmPerDegreeLon, enough: { settled(ranked, $0) }) { entry in
            if let km = wayRank(entry, toBeat: ranked.worst), askable(entry.id, among: allowed) != nil { ranked.offer((km, entry.id)) }
        }
        world.visitIdleRiders(around: pickup, of: allowed, startingBefore: order.window.end, kmPerDegreeLon: conditions.kmPerDegreeLon,
                              enough: { settled(idle, $0) }) { entry in
            if entry.marks.isEmpty, let km = wayRank(entry, toBeat: idle.worst), askable(entry.id, among: allowed) == true { idle.offer((km, entry.id)) }
        }
        var result = Allocation()
        var rank: [Channel: Int] = [:]
        var found = 0
        let nearest = ranked.sorted
        let nearestIdle = idle.sorted
        // The nearest few of each channel, and its nearest rider with nothing to do, are priced too, after the
        // count: the nearest overall may all be of one channel, or all loaded (at the lock a hub's riders rank
        // alike, and the first routes draw every order), and a rider that keeps the window for less would never be
        // asked. A channel's own walk is needed only when the lists above hold too few of it: they keep the nearest
        // of every channel, so a channel's nearest among them are its nearest. (A walk checks the channel because a
        // world whose grids are not built visits every rider.)
        let channelOf = { (candidate: (km: Double, id: String)) in world.riders.withValue(candidate.id) { $0.profile.channel } }
        let nearestOf = Dictionary(grouping: nearest, by: channelOf)
        let nearestIdleOf = Dictionary(grouping: nearestIdle, by: channelOf)
        var ofChannels: [(km: Double, id: String)] = []
        for channel in Channel.allCases where allowed.contains(channel) {
            let listed = nearestOf[channel] ?? []
            if listed.count >= InsertionPlanner.channelCandidates {
                ofChannels += listed.prefix(InsertionPlanner.channelCandidates)
            } else {
                var few = Smallest(InsertionPlanner.channelCandidates, by: byDistance)
                world.visitRiders(around: pickup, of: [channel], kmPerDegreeLon: conditions.kmPerDegreeLon, enough: { settled(few, $0) }) { entry in
                    if let km = wayRank(entry, toBeat: few.worst), askable(entry.id, among: [channel]) != nil { few.offer((km, entry.id)) }
                }
                ofChannels += few.sorted
            }
            if let idleOne = nearestIdleOf[channel]?.first {
                ofChannels.append(idleOne)
                continue
            }
            var idleOne = Smallest(1, by: byDistance)
            world.visitIdleRiders(around: pickup, of: [channel], startingBefore: order.window.end, kmPerDegreeLon: conditions.kmPerDegreeLon,
                                  enough: { settled(idleOne, $0) }) { entry in
                if entry.marks.isEmpty, let km = wayRank(entry, toBeat: idleOne.worst), askable(entry.id, among: [channel]) == true {
                    idleOne.offer((km, entry.id))
                }
            }
            ofChannels += idleOne.sorted
        }
        // The nearest riders with nothing to do are priced too, first and beside the count: in a large city the
        // nearest by route are riders whose routes already pass the drop, full or late by then, and an idle rider
        // at the hub would never be asked.
        let nearby = Set(nearest.map(\.id))
        let spare = nearestIdle.filter { !nearby.contains($0.id) }
        for (index, (_, id)) in (spare + nearest).enumerated() {
            guard let rider = world.riders[id] else { continue }
            let channel = rider.profile.channel
            result.tried.append(rider.id)
            switch fit(of: order, into: rider, in: world, now: now, conditions: conditions, toBeat: result.byChannel[channel]?.delta ?? .infinity, bases: bases) {
            case let .better(insertion):
                result.byChannel[channel] = insertion
                rank[channel] = index
                if index >= spare.count { found += 1 }
            case .noBetter:
                if index >= spare.count { found += 1 }
            case .nowhere:
                break
            }
            if found == wanted { break }
        }
        var tried = Set(result.tried)
        for (index, (_, id)) in ofChannels.enumerated() where !tried.contains(id) {
            guard let rider = world.riders[id] else { continue }
            let channel = rider.profile.channel
            tried.insert(id)
            result.tried.append(id)
            if case let .better(insertion) = fit(of: order, into: rider, in: world, now: now, conditions: conditions,
                                                 toBeat: result.byChannel[channel]?.delta ?? .infinity, bases: bases) {
                result.byChannel[channel] = insertion
                rank[channel] = spare.count + nearest.count + index
            }
        }
        // The cheapest over the channels, a 3PL slot counted with what it is worth to the orders still to come
        // (`ChannelTerms.thirdPartySlotValue`: for the choice only, the insertion's cost is its own); on a tie, the
        // rider tried first.
        let slotValue = world.channels.thirdPartySlotValue(for: order, waveLoad: waveLoad, utcOffsetSeconds: world.utcOffsetSeconds)
        result.slotValue = slotValue
        let worth = { (channel: Channel, insertion: Insertion) in insertion.delta + (channel == .thirdParty ? slotValue : 0) }
        result.best = result.byChannel.min { a, b in
            worth(a.key, a.value) != worth(b.key, b.value) ? worth(a.key, a.value) < worth(b.key, b.value) : rank[a.key]! < rank[b.key]!
        }?.value
        return result
    }

    /// Riders tried per candidate wanted, at most (see `bestInsertion(of:in:now:among:excluding:)`).
    static let triesPerCandidate = 4
    /// Riders with an empty route priced for every order besides the nearest (see `allocation`).
    static let idleCandidates = 3
    /// Riders of each channel priced for every order, at least (see `allocation`).
    static let channelCandidates = 3

    /// The cheapest feasible place for `order` in one rider's route.
    public func bestInsertion(of order: Order, into rider: Rider, in world: World, now: Instant, conditions: TravelConditions) -> Insertion? {
        guard case let .better(insertion) = fit(of: order, into: rider, in: world, now: now, conditions: conditions, toBeat: .infinity) else { return nil }
        return insertion
    }

    /// What pricing an order into one rider's route found.
    enum Fit {
        /// The cheapest place, costing less than the delta to beat.
        case better(Insertion)
        /// No place costs less than the delta to beat (there may be feasible ones).
        case noBetter
        /// No feasible place at all.
        case nowhere
    }

    /// The cheapest feasible place for `order` in `rider`'s route when its delta is below `bound`.
    func fit(of order: Order, into rider: Rider, in world: World, now: Instant, conditions: TravelConditions, toBeat bound: Double,
             bases: RouteBases? = nil) -> Fit {
        let basis = bases?.basis(of: rider, in: world, now: now, planner: self, conditions: conditions)
            ?? RouteBases.Basis(rider, in: world, now: now, planner: self, conditions: conditions)
        let routeStops = basis.routeStops, route = basis.route, start = basis.start, before = basis.before, frozen = basis.frozen
        let newPickup = Stop(order: order.id, kind: .pickup, eta: now)
        let newDelivery = Stop(order: order.id, kind: .delivery, eta: now)
        guard let pickupInfo = StopInfo(newPickup, ref: -1, in: world, now: now),
              let deliveryInfo = StopInfo(newDelivery, ref: -2, in: world, now: now) else { return .nowhere }
        let needsPickup = order.status != .pickedUp
        // Prune by the base's cost and the places' bounds only where those are true lower bounds (see
        // `RouteScan.baseCost`; not where drops are priced by the hour).
        let bounded = rider.profile.channel != .gig || conditions.channels.gigSurge.isEmpty

        // Pickup candidates: right after a pending pickup at the same place (a shared hub visit), or a new visit
        // (a return to the hub for another wave) before any stop that is not itself at that place.
        var pickupPositions: [Int?] = [nil]
        if needsPickup {
            pickupPositions = (frozen...route.count).filter { position in
                position == route.count || route[position].location != pickupInfo.location || route[position].kind != .pickup
            }
        }
        // The route's own scan, from which each base with the pickup in it is derived.
        let routeScan = needsPickup ? basis.scan(profile: rider.profile, travel: evaluator.travel, conditions: conditions) : nil
        let limit = before + bound
        var bestCost = limit
        var bestStops: [StopInfo] = []
        var best: (pickup: Int, drop: Int)?
        var pruned = false
        // A place wins by its cost; on a tie the one an in-order search meets first (the earlier pickup, then drop).
        let wins = { (cost: Double, place: (pickup: Int, drop: Int)) in cost < bestCost || (cost == bestCost && best.map { place < $0 } ?? false) }
        // A bound is summed in another order than the cost it bounds, so it may come out a rounding error above it.
        let mayWin = { (least: Double, place: (pickup: Int, drop: Int)) in wins(least - 1e-9 * max(1, abs(least)), place) }
        // The places are tried in the order of a bound on their cost (`RouteScan.leastCost`), each walked while
        // its bound can still win; where drops are priced by the hour, every place is walked, in order.
        func byBound<Place>(_ places: [Place], _ least: (Place) -> Double?) -> [(least: Double, place: Place)] {
            guard bounded else { return places.map { (-.infinity, $0) } }
            let bounds = places.enumerated().compactMap { index, place in least(place).map { (least: $0, index: index, place: place) } }
            return bounds.sorted { ($0.least, $0.index) < ($1.least, $1.index) }.map { ($0.least, $0.place) }
        }
        let pickups = byBound(pickupPositions) { position in
            guard let position, let routeScan else { return -.infinity }
            return routeScan.leastCost(with: pickupInfo, at: position, profile: rider.profile, travel: evaluator.travel, conditions: conditions, bound: bestCost)
        }
        // Places left unwalked because their bound could not win: when nothing wins, they still tell whether the
        // rider counts among those the search wants (see `Fit.noBetter`), as an in-order search of every place would.
        // (A pickup's place with no bound ends too late.)
        var unwalkedPickups = Set(pickupPositions.compactMap { $0 })
        let tooLate = unwalkedPickups.subtracting(pickups.compactMap(\.place))
        var unwalkedDrops: [(scan: RouteScan, places: [Int])] = []
        for (pickupBound, pickupAt) in pickups {
            guard mayWin(pickupBound, (pickupAt ?? -1, -1)) else { break }
            if let pickupAt { unwalkedPickups.remove(pickupAt) }
            let scan = if let pickupAt, let routeScan {
                RouteScan(routeScan, inserting: pickupInfo, at: pickupAt, profile: rider.profile, travel: evaluator.travel, conditions: conditions)
            } else {
                RouteScan(route, start: start, profile: rider.profile, travel: evaluator.travel, conditions: conditions)
            }
            if scan.endsTooLate(profile: rider.profile) { continue }
            if bounded, scan.baseCost(profile: rider.profile) >= bestCost { pruned = true; continue }
            let first = pickupAt.map { $0 + 1 } ?? frozen
            let drops = byBound(Array(first...scan.count)) {
                scan.leastCost(with: deliveryInfo, at: $0, profile: rider.profile, travel: evaluator.travel, conditions: conditions, bound: bestCost)
            }
            for (index, (dropBound, j)) in drops.enumerated() {
                let place = (pickup: pickupAt ?? -1, drop: j)
                guard mayWin(dropBound, place) else {
                    unwalkedDrops.append((scan, drops[index...].map(\.place)))
                    break
                }
                guard let cost = scan.costWithDelivery(deliveryInfo, at: j, profile: rider.profile, travel: evaluator.travel, conditions: conditions) else { continue }
                guard wins(cost, place) else { pruned = true; continue }
                bestCost = cost
                best = place
                bestStops = scan.stops
                bestStops.insert(deliveryInfo, at: j)
            }
        }
        guard !bestStops.isEmpty else {
            guard limit.isFinite else { return .nowhere }
            // An in-order search would have passed over a place by its pickup's detour in km alone, or by the cost of
            // a route with the pickup in it that does not end too late (the bound is below it), or because it fits
            // but costs more.
            func detourLoses(_ pickupAt: Int) -> Bool {
                let from = pickupAt == 0 ? start.origin : route[pickupAt - 1].location
                var detour = evaluator.travel.roadKm(from: from, to: pickupInfo.location, in: conditions)
                if pickupAt < route.count {
                    let next = route[pickupAt].location
                    detour += evaluator.travel.roadKm(from: pickupInfo.location, to: next, in: conditions) - evaluator.travel.roadKm(from: from, to: next, in: conditions)
                }
                return before + max(0, detour) * rider.profile.costPerKm >= limit
            }
            let passedOver = pruned || unwalkedPickups.sorted().contains { pickupAt in
                detourLoses(pickupAt) || !tooLate.contains(pickupAt) && routeScan.map {
                    !RouteScan($0, inserting: pickupInfo, at: pickupAt, profile: rider.profile, travel: evaluator.travel, conditions: conditions).endsTooLate(profile: rider.profile)
                } ?? false
            } || unwalkedDrops.contains { scan, places in
                places.contains { scan.costWithDelivery(deliveryInfo, at: $0, profile: rider.profile, travel: evaluator.travel, conditions: conditions) != nil }
            }
            return passedOver ? .noBetter : .nowhere
        }
        let timed = evaluator.evaluate(bestStops, profile: rider.profile, from: start, conditions: conditions)
        let stops = zip(bestStops, timed.etas).map { info, eta in
            Stop(order: info.ref >= 0 ? routeStops[info.ref].order : order.id, kind: info.kind, eta: eta)
        }
        return .better(Insertion(rider: rider.id, stops: stops, costBefore: before, costAfter: bestCost))
    }

    /// `stops` for `rider` after moving single deliveries to better places (see `RouteImprover`), or nil when
    /// nothing improves.
    public func improved(_ stops: [Stop], of rider: Rider, now: Instant, in world: World) -> (stops: [Stop], cost: Double)? {
        RouteImprover(evaluator: evaluator).improve(stops, rider: rider, start: start(of: rider, now: now, in: world),
                                                    frozen: frozenPrefix(of: rider, route: stops), now: now, in: world)
    }

    /// Re-times a rider's current route (after traffic, a removal or a delay) without changing its order.
    public func retimed(_ rider: Rider, in world: World, now: Instant) -> (stops: [Stop], cost: Double) {
        let route = world.routes[rider.id]?.stops ?? []
        let result = evaluator.evaluate(route, rider: rider, from: start(of: rider, now: now, in: world), now: now, in: world)
        return (zip(route, result.etas).map { Stop(order: $0.order, kind: $0.kind, eta: $1) }, result.cost)
    }
}
