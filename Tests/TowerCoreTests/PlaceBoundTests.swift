import Testing
@testable import TowerCore

/// The insertion search walks a place to the route's end only while a lower bound of its cost can still win
/// (`RouteScan.leastCost`). The bound is a place's cost exactly while the speeds hold, and at most its cost
/// while they only slow down; then the search finds what pricing every place would.
@Suite struct PlaceBoundTests {
    /// Second of the day (local) when the hours' speeds next rise after 10:00: from 10:00 they hold until 16:00,
    /// then only fall until 19:00 (see `TravelModel.hourFactor`).
    static let speedsHoldUntil = 16 * 3600, speedsOnlyFallUntil = 19 * 3600

    /// The small test city at 10:00, its travel conditions without incidents (an incident's end speeds a zone up).
    static func world() throws -> (World, TravelConditions, Instant) {
        let world = try PlannerTests.planned()
        var conditions = TravelConditions(world)
        conditions.incidents = []
        return (world, conditions, try #require(world.clock))
    }

    static func secondOfDay(_ time: Instant, in world: World) -> Int { ISOTime.secondOfDay(time, offsetSeconds: world.utcOffsetSeconds) }

    @Test func aBoundIsThePlacesCostWhileSpeedsHoldAndAtMostItWhileTheyFall() throws {
        let (world, conditions, now) = try Self.world()
        let planner = InsertionPlanner()
        let travel = planner.evaluator.travel
        var equal = 0, below = 0, pushedOn = 0
        for order in world.orders.values.sorted(by: { $0.id < $1.id }).prefix(8) {
            let (pickup, delivery) = try PlannerTests.newStops(of: order, in: world, now: now)
            for id in world.riderIDs.prefix(10) {
                let rider = try #require(world.riders[id])
                let route = (world.routes[id]?.stops ?? []).enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
                let start = planner.start(of: rider, now: now, in: world)
                let routeScan = RouteScan(route, start: start, profile: rider.profile, travel: travel, conditions: conditions)
                // Compares one place's bound with what walking it to the end costs (nil: it does not fit).
                func compare(_ estimate: Double?, _ exact: Double?, endingAt end: Instant, _ place: String) {
                    guard estimate != -.infinity else { return }  // the place brings the stops after it forward: no bound
                    let ends = Self.secondOfDay(end, in: world)
                    guard ends > Self.secondOfDay(now, in: world), ends < Self.speedsOnlyFallUntil else { return }
                    if ends < Self.speedsHoldUntil {
                        #expect((estimate == nil) == (exact == nil), "\(place): estimate \(estimate ?? -1), cost \(exact ?? -1)")
                        if let estimate, let exact { #expect(abs(estimate - exact) < 1e-6, "\(place): \(estimate) vs \(exact)"); equal += 1 }
                    } else if let estimate, let exact {
                        #expect(estimate <= exact + 1e-6, "\(place): \(estimate) above \(exact)")
                        below += 1
                    }
                }
                for p in 0...route.count {
                    var base = route
                    base.insert(pickup, at: p)
                    let whole = planner.evaluator.evaluate(base, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
                    let derived = RouteScan(routeScan, inserting: pickup, at: p, profile: rider.profile, travel: travel, conditions: conditions)
                    let pickupBound = routeScan.leastCost(with: pickup, at: p, profile: rider.profile, travel: travel, conditions: conditions)
                    compare(pickupBound, derived.endsTooLate(profile: rider.profile) ? nil : derived.baseCost(profile: rider.profile),
                            endingAt: whole.endTime, "\(id) pickup at \(p)")
                    for j in (p + 1)...base.count {
                        var candidate = base
                        candidate.insert(delivery, at: j)
                        let walked = planner.evaluator.evaluate(candidate, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
                        if j < base.count, walked.endTime > whole.endTime { pushedOn += 1 }
                        compare(derived.leastCost(with: delivery, at: j, profile: rider.profile, travel: travel, conditions: conditions),
                                derived.costWithDelivery(delivery, at: j, profile: rider.profile, travel: travel, conditions: conditions),
                                endingAt: walked.endTime, "\(id) pickup at \(p), delivery at \(j)")
                    }
                }
            }
        }
        // Both regimes are exercised, and places whose push runs on to the route's end (the bound's own walk).
        #expect(equal > 50)
        #expect(below > 300)
        #expect(pushedOn > 5000)
    }

    /// The search by bounds finds the place, and its cost, that pricing every place in order finds.
    @Test func theSearchByBoundsFindsWhatPricingEveryPlaceFinds() throws {
        let (world, conditions, now) = try Self.world()
        let planner = InsertionPlanner()
        var compared = 0
        for order in world.orders.values.sorted(by: { $0.id < $1.id }).prefix(24) {
            let (pickup, delivery) = try PlannerTests.newStops(of: order, in: world, now: now)
            for id in world.riderIDs {
                let rider = try #require(world.riders[id])
                guard rider.profile.channel != .gig || conditions.channels.gigSurge.isEmpty else { continue }
                let stops = world.routes[id]?.stops ?? []
                let route = stops.enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
                let start = planner.start(of: rider, now: now, in: world)
                let frozen = planner.frozenPrefix(of: rider, route: stops)
                let before = planner.evaluator.evaluate(route, profile: rider.profile, from: start, conditions: conditions, wantETAs: false).cost
                // Every place in order, as the search priced them before it had bounds.
                let pickups: [Int?] = order.status == .pickedUp ? [nil] : (frozen...route.count).filter { p in
                    p == route.count || route[p].location != pickup.location || route[p].kind != .pickup
                }
                var best: (cost: Double, end: Instant)?
                for p in pickups {
                    var base = route
                    if let p { base.insert(pickup, at: p) }
                    for j in (p.map { $0 + 1 } ?? frozen)...base.count {
                        var candidate = base
                        candidate.insert(delivery, at: j)
                        let walked = planner.evaluator.evaluate(candidate, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
                        if walked.feasible, walked.cost < best?.cost ?? .infinity { best = (walked.cost, walked.endTime) }
                    }
                }
                let found = planner.bestInsertion(of: order, into: rider, in: world, now: now, conditions: conditions)
                guard let best, Self.secondOfDay(best.end, in: world) < Self.speedsOnlyFallUntil else { continue }
                let insertion = try #require(found, "\(order.id) on \(id): the search found nothing, pricing every place \(best.cost)")
                #expect(abs(insertion.costAfter - best.cost) < 1e-6, "\(order.id) on \(id): \(insertion.costAfter) vs \(best.cost)")
                #expect(abs(insertion.costBefore - before) < 1e-6)
                compared += 1
            }
        }
        #expect(compared > 60)
    }
}

extension PlaceBoundTests {
    /// What pricing one rider says, as a plain value to compare.
    enum Verdict: Equatable { case better(Double), noBetter, nowhere }

    /// The search as it was before it had bounds: every pickup place in order (passed over by its detour in km, by
    /// ending too late, or by the cost of the route with it), then every delivery place after it, in order.
    static func inOrder(_ order: Order, into rider: Rider, in world: World, now: Instant, conditions: TravelConditions, toBeat: Double) -> Verdict {
        let planner = InsertionPlanner(), travel = planner.evaluator.travel
        let stops = world.routes[rider.id]?.stops ?? []
        let route = stops.enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
        let start = planner.start(of: rider, now: now, in: world)
        let before = planner.evaluator.evaluate(route, profile: rider.profile, from: start, conditions: conditions, wantETAs: false).cost
        let frozen = planner.frozenPrefix(of: rider, route: stops)
        guard let pickup = StopInfo(Stop(order: order.id, kind: .pickup, eta: now), ref: -1, in: world, now: now),
              let delivery = StopInfo(Stop(order: order.id, kind: .delivery, eta: now), ref: -2, in: world, now: now) else { return .nowhere }
        let routeScan = RouteScan(route, start: start, profile: rider.profile, travel: travel, conditions: conditions)
        let pickups: [Int?] = order.status == .pickedUp ? [nil] : (frozen...route.count).filter { p in
            p == route.count || route[p].location != pickup.location || route[p].kind != .pickup
        }
        let limit = before + toBeat
        var bestCost = limit, found = false, pruned = false
        for p in pickups {
            if let p, bestCost.isFinite {
                let from = p == 0 ? start.origin : route[p - 1].location
                var detour = travel.roadKm(from: from, to: pickup.location, in: conditions)
                if p < route.count {
                    detour += travel.roadKm(from: pickup.location, to: route[p].location, in: conditions) - travel.roadKm(from: from, to: route[p].location, in: conditions)
                }
                if before + max(0, detour) * rider.profile.costPerKm >= bestCost { pruned = true; continue }
            }
            let scan = p.map { RouteScan(routeScan, inserting: pickup, at: $0, profile: rider.profile, travel: travel, conditions: conditions) }
                ?? RouteScan(route, start: start, profile: rider.profile, travel: travel, conditions: conditions)
            if scan.endsTooLate(profile: rider.profile) { continue }
            if scan.baseCost(profile: rider.profile) >= bestCost { pruned = true; continue }
            for j in (p.map { $0 + 1 } ?? frozen)...scan.count {
                guard let cost = scan.costWithDelivery(delivery, at: j, profile: rider.profile, travel: travel, conditions: conditions) else { continue }
                guard cost < bestCost else { pruned = true; continue }
                bestCost = cost
                found = true
            }
        }
        if found { return .better(bestCost) }
        return pruned && limit.isFinite ? .noBetter : .nowhere
    }

    /// The search by bounds says of every rider what the in-order search says: the cheapest place's cost when one
    /// beats the delta to beat, else whether some place was passed over (the rider counts among those the search
    /// wants) or none fits at all. Over the whole day's plan at the lock, where the routes run on for hours, and at
    /// midday.
    @Test func eachRidersVerdictIsTheInOrderSearchs() throws {
        let planned = try TestCity.run(try TestCity.scenario(), until: 6 * 3600 + 60).world
        var counts: [String: Int] = [:]
        for world in [planned, try PlannerTests.planned()] {
            let conditions = TravelConditions(world)
            let now = try #require(world.clock)
            let planner = InsertionPlanner()
            for order in world.orders.values.sorted(by: { $0.id < $1.id }).prefix(30) {
                for id in world.riderIDs {
                    let rider = try #require(world.riders[id])
                    guard rider.profile.channel != .gig || conditions.channels.gigSurge.isEmpty else { continue }
                    let free = Self.inOrder(order, into: rider, in: world, now: now, conditions: conditions, toBeat: .infinity)
                    // Deltas to beat around what this rider's best adds: above, at and below it, and far below.
                    let deltas: [Double] = if case let .better(cost) = free {
                        [.infinity, cost - planner.evaluator.evaluate((world.routes[id]?.stops ?? []).enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) },
                                                                      profile: rider.profile, from: planner.start(of: rider, now: now, in: world),
                                                                      conditions: conditions, wantETAs: false).cost].flatMap { [$0 * 1.5 + 1, $0, $0 * 0.5, 0.01] }
                    } else { [.infinity, 5] }
                    for delta in deltas {
                        let expected = Self.inOrder(order, into: rider, in: world, now: now, conditions: conditions, toBeat: delta)
                        let verdict: Verdict = switch planner.fit(of: order, into: rider, in: world, now: now, conditions: conditions, toBeat: delta) {
                        case let .better(insertion): .better(insertion.costAfter)
                        case .noBetter: .noBetter
                        case .nowhere: .nowhere
                        }
                        #expect(verdict == expected, "\(order.id) on \(id), delta to beat \(delta)")
                        counts["\(expected)".prefix(6).description, default: 0] += 1
                    }
                }
            }
        }
        // Every verdict is exercised.
        #expect(counts["better", default: 0] > 100 && counts["noBett", default: 0] > 100 && counts["nowher", default: 0] > 20, "\(counts)")
    }
}
