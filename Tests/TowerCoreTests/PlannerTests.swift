import Testing
@testable import TowerCore

@Suite struct PlannerTests {
    /// A world at 10:00 after the plan, from the small test city.
    static func planned() throws -> World { try TestCity.run(try TestCity.scenario(), until: 10 * 3600).world }

    /// An order's pickup and delivery as the planner would insert them now.
    static func newStops(of order: Order, in world: World, now: Instant) throws -> (pickup: StopInfo, delivery: StopInfo) {
        (try #require(StopInfo(Stop(order: order.id, kind: .pickup, eta: now), ref: -1, in: world, now: now)),
         try #require(StopInfo(Stop(order: order.id, kind: .delivery, eta: now), ref: -2, in: world, now: now)))
    }

    @Test func everyPlannedRouteRespectsCapacitySkillsAndTiers() throws {
        let world = try Self.planned()
        for (id, route) in world.routes {
            let rider = try #require(world.riders[id])
            var parcels = rider.loadParcels
            for stop in route.stops {
                let order = try #require(world.orders[stop.order])
                #expect(order.requiredSkills.isSubset(of: rider.profile.skills), "\(order.id) needs \(order.requiredSkills)")
                if order.tier == .critical { #expect(rider.profile.channel != .gig) }
                parcels += stop.kind == .pickup ? order.parcels : -order.parcels
                #expect(parcels <= rider.profile.capacityParcels)
            }
            // Every delivery comes after its pickup unless the parcel is already on board.
            for (index, stop) in route.stops.enumerated() where stop.kind == .delivery {
                let picked = rider.onBoard.contains(stop.order) || route.stops[..<index].contains { $0.order == stop.order && $0.kind == .pickup }
                #expect(picked, "\(stop.order) delivered before pickup on \(id)")
            }
        }
    }

    /// A leg is driven through the hour's speed changes and an incident's start and end: leaving later never
    /// arrives earlier (the insertion search's pruning needs it), and a leg across a change takes a time between
    /// the two speeds' times.
    @Test func leavingLaterNeverArrivesEarlier() throws {
        var world = try Self.planned()
        let zone = try #require(world.zoneList.first)
        let now = try #require(world.clock)
        let a = zone.area.center, b = GeoPoint(lat: zone.area.north - 0.001, lon: zone.area.east - 0.001)
        let travel = TravelModel()
        let midnight = ISOTime.startOfDay(now, offsetSeconds: world.utcOffsetSeconds)
        func arrivals(_ conditions: TravelConditions) -> [Instant] {
            stride(from: 6 * 3600, to: 21 * 3600, by: 20).map { second in
                let leave = midnight + Int64(second)
                return leave + Int64(travel.travelSeconds(from: a, to: b, vehicle: .bicycle, departing: leave, in: conditions))
            }
        }
        let clear = arrivals(TravelConditions(world))
        #expect(zip(clear, clear.dropFirst()).allSatisfy { $0 <= $1 })
        world.apply(Event(id: "jam", at: midnight + 9 * 3600 + 600, by: "test",
                          body: .trafficIncident(incident: "T-1", zone: zone.id, slowdown: 0.3, until: midnight + 10 * 3600, note: "")))
        let jammed = arrivals(TravelConditions(world))
        #expect(zip(jammed, jammed.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(zip(clear, jammed).contains { $0 < $1 })
        // Leaving just before 09:00 (0.72 of the free speed) with 09:00 onwards at 0.85: between the two.
        let leave = midnight + 9 * 3600 - 120
        let conditions = TravelConditions(try Self.planned())
        let across = travel.travelSeconds(from: a, to: b, vehicle: .bicycle, departing: leave, in: conditions)
        let slow = travel.travelSeconds(from: a, to: b, vehicle: .bicycle, departing: leave - 3600, in: conditions)
        let fast = travel.travelSeconds(from: a, to: b, vehicle: .bicycle, departing: leave + 3600, in: conditions)
        #expect(fast < across && across < slow, "\(fast) < \(across) < \(slow)")
    }

    /// A plan keeps the fixed buffer before a window's end, and for a stop further ahead also a share of the time
    /// ahead: the latest arrival it aims for leaves `reserveShare` of the time from now to it spare.
    @Test func stopsFurtherAheadKeepMoreReserve() {
        let now = Instant(seconds: 1_000_000)
        let near = RouteEvaluator.latestArrival(windowEnd: now + 15 * 60, now: now)
        #expect(near == now + Int64((Double(5 * 60) / (1 + RouteEvaluator.reserveShare)).rounded(.down)))
        let far = RouteEvaluator.latestArrival(windowEnd: now + 4 * 3600 + 600, now: now)
        let spare = Double((now + 4 * 3600) - far)
        #expect(abs(spare - RouteEvaluator.reserveShare * Double(far - now)) <= 1.5)
        #expect(RouteEvaluator.latestArrival(windowEnd: now + 300, now: now) == now - 300)  // already inside the buffer
    }

    /// A delivery's every minute from the plan costs `waitingShare` of a late minute, inside its window too: the same
    /// route run ten minutes later, on time either way, costs ten minutes of waiting more (the rider's hours, the km
    /// and the drop are the same); the cost of lateness comes on top once the latest arrival is passed.
    @Test func everyMinuteADeliveryWaitsCosts() throws {
        let world = try Self.planned()
        let now = try #require(world.clock)
        let order = try #require(world.orders.values.sorted { $0.id < $1.id }.first { $0.status == .assigned && $0.tier == .standard })
        let rider = try #require(world.riders.values.sorted { $0.id < $1.id }.first { $0.profile.channel == .own })
        var delivery = try #require(StopInfo(Stop(order: order.id, kind: .delivery, eta: now), ref: 0, in: world, now: now))
        delivery.windowStart = now
        delivery.windowEnd = now + 8 * 3600
        var profile = rider.profile
        profile.shift = TimeWindow(start: now - 3600, end: now + 12 * 3600)
        let evaluator = RouteEvaluator()
        func cost(startingIn seconds: Int64, windowEnd: Instant? = nil) -> Double {
            var stop = delivery
            if let windowEnd { stop.windowEnd = windowEnd }
            let start = RouteEvaluator.Start(origin: stop.location, time: now + seconds, parcels: order.parcels, kg: order.kg)
            return evaluator.evaluate([stop], profile: profile, from: start, conditions: TravelConditions(world), wantETAs: false).cost
        }
        let perMinute = RouteEvaluator.waitingShare * RouteEvaluator.latenessPerMinute(.standard)
        #expect(perMinute > 0)
        #expect(abs(cost(startingIn: 600) - cost(startingIn: 0) - 10 * perMinute) < 1e-9)
        #expect(abs(cost(startingIn: 3600) - cost(startingIn: 0) - 60 * perMinute) < 1e-9)
        // Five minutes past the latest arrival: the tier's penalty and five late minutes besides the waiting.
        let late = cost(startingIn: 600, windowEnd: now + 300) - cost(startingIn: 600)
        #expect(abs(late - RouteEvaluator.latePenalty(.standard) - 5 * RouteEvaluator.latenessPerMinute(.standard)) < 1e-9)
    }

    /// The incremental scan must price every insertion exactly as a full walk of the candidate route does.
    @Test func scanCostsEqualFullEvaluation() throws {
        let world = try Self.planned()
        let planner = InsertionPlanner()
        let conditions = TravelConditions(world)
        let now = try #require(world.clock)
        let order = try #require(world.orders.values.sorted { $0.id < $1.id }.first { $0.status == .assigned })
        for id in world.riderIDs.prefix(6) {
            let rider = try #require(world.riders[id])
            let route = (world.routes[id]?.stops ?? []).enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
            let start = planner.start(of: rider, now: now, in: world)
            let delivery = try #require(StopInfo(Stop(order: order.id, kind: .delivery, eta: now), ref: -2, in: world, now: now))
            let scan = RouteScan(route, start: start, profile: rider.profile, travel: planner.evaluator.travel, conditions: conditions)
            for j in 0...route.count {
                var candidate = route
                candidate.insert(delivery, at: j)
                let full = planner.evaluator.evaluate(candidate, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
                let fast = scan.costWithDelivery(delivery, at: j, profile: rider.profile, travel: planner.evaluator.travel, conditions: conditions)
                if full.feasible {
                    #expect(fast != nil)
                    #expect(abs((fast ?? 0) - full.cost) < 1e-6, "rider \(id) position \(j): \(fast ?? -1) vs \(full.cost)")
                }
            }
        }
    }

    /// A scan derived from the route's own scan with a pickup added (which stops walking once the times are back in
    /// step) prices every insertion as the scan walked whole over the route with that pickup does.
    @Test func aDerivedScanPricesAsAWholeWalk() throws {
        let world = try Self.planned()
        let planner = InsertionPlanner()
        let conditions = TravelConditions(world)
        let now = try #require(world.clock)
        let travel = planner.evaluator.travel
        var compared = 0, inStepEarly = 0, tooFullPastTheWalk = 0
        for order in world.orders.values.sorted(by: { $0.id < $1.id }).prefix(8) {
            let (pickup, delivery) = try PlannerTests.newStops(of: order, in: world, now: now)
            for id in world.riderIDs.prefix(10) {
              // As planned, and with the rider's room cut to the route's fullest load (parcels, or weight): then the
              // pickup's load does not fit everywhere, and the derived scans' capacity checks past the pickup are
              // compared too.
              for tight in [nil, \RiderProfile.capacityParcels, \RiderProfile.capacityKg] as [PartialKeyPath<RiderProfile>?] {
                var rider = try #require(world.riders[id])
                let route = (world.routes[id]?.stops ?? []).enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
                let start = planner.start(of: rider, now: now, in: world)
                if let tight {
                    var load = (parcels: start.parcels, kg: start.kg), fullest = load
                    for stop in route {
                        load.parcels += stop.kind == .pickup ? stop.parcels : -stop.parcels
                        load.kg += stop.kind == .pickup ? stop.kg : -stop.kg
                        fullest = (max(fullest.parcels, load.parcels), max(fullest.kg, load.kg))
                    }
                    if tight == \RiderProfile.capacityParcels { rider.profile.capacityParcels = fullest.parcels } else { rider.profile.capacityKg = fullest.kg }
                }
                let routeScan = RouteScan(route, start: start, profile: rider.profile, travel: travel, conditions: conditions)
                for p in 0...route.count {
                    var base = route
                    base.insert(pickup, at: p)
                    let whole = RouteScan(base, start: start, profile: rider.profile, travel: travel, conditions: conditions)
                    let derived = RouteScan(routeScan, inserting: pickup, at: p, profile: rider.profile, travel: travel, conditions: conditions)
                    #expect(derived.stops.map(\.ref) == base.map(\.ref))
                    #expect(abs(derived.baseCost(profile: rider.profile) - whole.baseCost(profile: rider.profile)) < 1e-6)
                    #expect(derived.endsTooLate(profile: rider.profile) == whole.endsTooLate(profile: rider.profile))
                    if derived.walkedStops < base.count - p { inStepEarly += 1 }
                    for j in (p + 1)...base.count {
                        let a = derived.costWithDelivery(delivery, at: j, profile: rider.profile, travel: travel, conditions: conditions)
                        let b = whole.costWithDelivery(delivery, at: j, profile: rider.profile, travel: travel, conditions: conditions)
                        #expect((a == nil) == (b == nil), "rider \(id) pickup \(p) delivery \(j)")
                        if let a, let b { #expect(abs(a - b) < 1e-6, "rider \(id) pickup \(p) delivery \(j): \(a) vs \(b)") }
                        if tight != nil, b == nil, derived.walkedStops < base.count - p, j > p + derived.walkedStops { tooFullPastTheWalk += 1 }
                        compared += 1
                    }
                }
              }
            }
        }
        #expect(compared > 1000)
        // The derivation is exercised: some walks are back in step before the route's end, and some places past
        // where the walk stopped do not fit (read from the route's own loads).
        #expect(inStepEarly > 0)
        #expect(tooFullPastTheWalk > 0)
    }

    /// A pickup added at the start of a route whose first drop waits for its window: the derived scan is back in
    /// step at that drop and reads the rest from the route, yet a second hub visit later fills the rider, so a drop
    /// placed after it does not fit, as a whole walk finds.
    @Test func aDerivedScanChecksTheRoomPastWhereItRejoinedTheRoute() throws {
        let world = try Self.planned()
        let now = try #require(world.clock)
        let planner = InsertionPlanner()
        let conditions = TravelConditions(world)
        let order = try #require(world.orders.values.sorted { $0.id < $1.id }.first)
        let template = try #require(StopInfo(Stop(order: order.id, kind: .pickup, eta: now), ref: 0, in: world, now: now))
        let hub = template.location
        func stop(_ kind: Stop.Kind, _ ref: Int, parcels: Int, opens: Int64 = 0) -> StopInfo {
            var info = template
            info.kind = kind; info.ref = ref; info.parcels = parcels; info.kg = 0
            info.windowStart = now + opens; info.windowEnd = now + opens + 3 * 3600
            info.location = kind == .pickup ? hub : GeoPoint(lat: hub.lat + 0.01, lon: hub.lon + 0.01)
            return info
        }
        // Loads along the route: 2, 1, 4, 3, 0 parcels; with the new pickup first, 3, 2, 5, 4, 1.
        let route = [stop(.pickup, 0, parcels: 2), stop(.delivery, 1, parcels: 1, opens: 2 * 3600), stop(.pickup, 2, parcels: 3),
                     stop(.delivery, 3, parcels: 1, opens: 4 * 3600), stop(.delivery, 4, parcels: 3, opens: 4 * 3600)]
        var rider = try #require(world.riders[world.riderIDs[0]])
        rider.profile.capacityParcels = 4
        rider.profile.capacityKg = 100
        rider.profile.shift = TimeWindow(start: now, end: now + 12 * 3600)
        let start = RouteEvaluator.Start(origin: hub, time: now, parcels: 0, kg: 0)
        let travel = planner.evaluator.travel
        let whole = RouteScan(route, start: start, profile: rider.profile, travel: travel, conditions: conditions)
        let pickup = stop(.pickup, -1, parcels: 1), delivery = stop(.delivery, -2, parcels: 1, opens: 3600)
        let derived = RouteScan(whole, inserting: pickup, at: 0, profile: rider.profile, travel: travel, conditions: conditions)
        var base = route
        base.insert(pickup, at: 0)
        let walked = RouteScan(base, start: start, profile: rider.profile, travel: travel, conditions: conditions)
        #expect(derived.walkedStops < base.count, "the derived scan walked the whole route")
        for j in 1...base.count {
            let a = derived.costWithDelivery(delivery, at: j, profile: rider.profile, travel: travel, conditions: conditions)
            let b = walked.costWithDelivery(delivery, at: j, profile: rider.profile, travel: travel, conditions: conditions)
            #expect((a == nil) == (b == nil), "delivery at \(j): derived \(a ?? -1), whole \(b ?? -1)")
            if let a, let b { #expect(abs(a - b) < 1e-6) }
        }
        // Past the second hub visit the rider would carry 5 parcels: no room.
        #expect(walked.costWithDelivery(delivery, at: 4, profile: rider.profile, travel: travel, conditions: conditions) == nil)
        #expect(walked.costWithDelivery(delivery, at: 2, profile: rider.profile, travel: travel, conditions: conditions) != nil)
    }

    @Test func aPinnedOrderGoesToItsRider() throws {
        let world = try Self.planned()
        let planner = InsertionPlanner()
        let conditions = TravelConditions(world)
        let now = try #require(world.clock)
        // Find an order that a rider other than the cheapest could also take, and pin it to that rider.
        for var order in world.orders.values.sorted(by: { $0.id < $1.id }) where order.status == .open || order.status == .assigned {
            order.status = .open
            order.rider = nil
            guard let cheapest = planner.bestInsertion(of: order, in: world, now: now) else { continue }
            let other = world.riderIDs.first { id in
                guard id != cheapest.rider, let rider = world.riders[id], planner.canServe(rider, order, now: now, in: world) else { return false }
                return planner.bestInsertion(of: order, into: rider, in: world, now: now, conditions: conditions) != nil
            }
            guard let other else { continue }
            order.pinnedRider = other
            #expect(planner.bestInsertion(of: order, in: world, now: now)?.rider == other)
            return
        }
        Issue.record("no order with a second feasible rider in the test city")
    }

    @Test func aBrokenDownRiderTakesNothingNew() throws {
        var world = try Self.planned()
        let id = world.riderIDs[0]
        world.apply(Event(id: "bd", at: world.clock!, by: "test", body: .riderBreakdown(rider: id, note: "")))
        let order = try #require(world.orders.values.first { $0.status == .assigned })
        #expect(!InsertionPlanner().canServe(world.riders[id]!, order, now: world.clock!, in: world))
    }

    @Test func theImproverKeepsTheRouteValidAndNeverCostlier() throws {
        let world = try Self.planned()
        let planner = InsertionPlanner()
        let improver = RouteImprover(evaluator: planner.evaluator)
        let now = try #require(world.clock)
        var improvedAny = false
        for id in world.riderIDs {
            guard let rider = world.riders[id], let route = world.routes[id], route.stops.count > 2 else { continue }
            // Shuffle the deliveries' order a little so there is something to improve: the first two deliveries in a
            // row (after the frozen head) swap places, which keeps each after its pickup.
            var stops = route.stops
            let head = planner.frozenPrefix(of: rider, route: stops)
            if let first = stops.indices.dropLast().first(where: { $0 >= head && stops[$0].kind == .delivery && stops[$0 + 1].kind == .delivery }) {
                stops.swapAt(first, first + 1)
            }
            let start = planner.start(of: rider, now: now, in: world)
            let frozen = planner.frozenPrefix(of: rider, route: stops)
            let before = planner.evaluator.evaluate(stops, rider: rider, from: start, now: now, in: world)
            guard let result = improver.improve(stops, rider: rider, start: start, frozen: frozen, now: now, in: world) else { continue }
            improvedAny = true
            #expect(result.cost < before.cost)
            #expect(result.stops.map { "\($0.order)/\($0.kind)" }.sorted() == stops.map { "\($0.order)/\($0.kind)" }.sorted())
            if frozen > 0 { #expect(result.stops[0].order == stops[0].order && result.stops[0].kind == stops[0].kind) }
            for (index, stop) in result.stops.enumerated() where stop.kind == .delivery {
                let pickup = result.stops.firstIndex { $0.order == stop.order && $0.kind == .pickup }
                #expect(pickup.map { $0 < index } ?? true)
            }
        }
        #expect(improvedAny)
    }

    /// The improver walks each place it tries on from the route's walk up to that place and stops a walk once it
    /// cannot win: it must make the moves, and reach the costs to the bit, that walking every whole candidate does.
    @Test func theImproverMovesAsAWalkOfEveryWholeCandidate() throws {
        let world = try TestCity.run(try TestCity.scenario(riders: 30, orders: 600, seed: 9), until: 10 * 3600).world
        let planner = InsertionPlanner()
        let improver = RouteImprover(evaluator: planner.evaluator)
        let now = try #require(world.clock)
        var random = SeededRandom(seed: 4)
        var compared = 0, improved = 0
        for id in world.riderIDs {
            guard let rider = world.riders[id], let route = world.routes[id], route.stops.count > 3 else { continue }
            for _ in 0..<6 {
                // Deliveries moved to random places after their pickups, so there is something to undo.
                var stops = route.stops
                let frozen = planner.frozenPrefix(of: rider, route: stops)
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    let deliveries = stops.indices.filter { $0 >= frozen && stops[$0].kind == .delivery }
                    guard let from = deliveries.randomElement(using: &random) else { break }
                    let stop = stops.remove(at: from)
                    let after = max(frozen, (stops.firstIndex { $0.order == stop.order && $0.kind == .pickup }.map { $0 + 1 }) ?? 0)
                    stops.insert(stop, at: min(stops.count, max(after, from + Int.random(in: -2...2, using: &random))))
                }
                let start = planner.start(of: rider, now: now, in: world)
                let result = improver.improve(stops, rider: rider, start: start, frozen: frozen, now: now, in: world)
                let reference = Self.improvedByWholeWalks(stops, rider: rider, start: start, frozen: frozen, now: now, in: world,
                                                         evaluator: planner.evaluator, passes: improver.passes)
                #expect(result?.stops.map(\.order) == reference?.stops.map(\.order) && result?.stops.map(\.kind) == reference?.stops.map(\.kind), "\(id)")
                #expect(result?.cost == reference?.cost, "\(id)")
                compared += 1
                improved += result == nil ? 0 : 1
            }
        }
        #expect(compared > 100 && improved > 40, "\(compared) routes compared, \(improved) improved")
    }

    /// First improvement by moving one delivery at a time, each candidate walked whole (what `RouteImprover` does),
    /// written as one loop over (pass, delivery) with the search for a better place apart.
    private static func improvedByWholeWalks(_ stops: [Stop], rider: Rider, start: RouteEvaluator.Start, frozen: Int, now: Instant, in world: World,
                                             evaluator: RouteEvaluator, passes: Int) -> (stops: [Stop], cost: Double)? {
        var infos = stops.enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
        guard infos.count == stops.count, infos.count > 2 else { return nil }
        let conditions = TravelConditions(world)
        func wholeWalk(_ candidate: [StopInfo]) -> Double? {
            let result = evaluator.evaluate(candidate, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
            return result.feasible ? result.cost : nil
        }
        /// The first place, in order, where the delivery at `index` makes the route cheaper than `limit`.
        func betterPlace(for index: Int, in route: [StopInfo], below limit: Double) -> (route: [StopInfo], cost: Double)? {
            var rest = route
            let moving = rest.remove(at: index)
            let pickup = rest.firstIndex { $0.kind == .pickup && stops[$0.ref].order == stops[moving.ref].order }
            return (max(frozen, pickup.map { $0 + 1 } ?? 0)...rest.count).lazy.filter { $0 != index }.compactMap { place -> ([StopInfo], Double)? in
                var candidate = rest
                candidate.insert(moving, at: place)
                return wholeWalk(candidate).flatMap { $0 < limit ? (candidate, $0) : nil }
            }.first
        }
        guard let original = wholeWalk(infos) else { return nil }
        var best = original, pass = 0, index = frozen, movedThisPass = false
        while pass < passes {
            guard index < infos.count else {
                if !movedThisPass { break }
                (pass, index, movedThisPass) = (pass + 1, frozen, false)
                continue
            }
            if infos[index].kind == .delivery, let found = betterPlace(for: index, in: infos, below: best - 1e-6) {
                (infos, best, movedThisPass) = (found.route, found.cost, true)
            }
            index += 1
        }
        return best < original - 1e-6 ? (infos.map { Stop(order: stops[$0.ref].order, kind: $0.kind, eta: now) }, best) : nil
    }
}
