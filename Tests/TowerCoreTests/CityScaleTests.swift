import Foundation
import Testing
@testable import TowerCore

/// What keeps a large city cheap (issue 18) without changing what the planner decides: the pruned insertion
/// search, the candidate search past full riders, the world's tables that copy in pieces, and the counts kept
/// as the world changes instead of recounted.
@Suite struct CityScaleTests {
    /// The pruned search for one rider finds the cost a walk over every pickup and delivery position finds.
    @Test func thePrunedSearchFindsTheCheapestPlaceAFullWalkFinds() throws {
        let world = try PlannerTests.planned()
        let planner = InsertionPlanner()
        let conditions = TravelConditions(world)
        let now = try #require(world.clock)
        let orders = world.orders.values.filter { $0.status == .assigned }.sorted { $0.id < $1.id }.prefix(12)
        #expect(orders.count == 12)
        var compared = 0, shortcuts = 0
        for var order in orders {
            order.status = .open
            order.rider = nil
            for id in world.riderIDs {
                let rider = try #require(world.riders[id])
                var draft = world
                draft.putOrder(order)
                draft.changeStops(of: id) { $0.removeAll { $0.order == order.id } }
                let full = bruteForce(order, into: rider, in: draft, now: now, planner: planner)
                let found = planner.bestInsertion(of: order, into: rider, in: draft, now: now, conditions: conditions)
                #expect((found == nil) == (full == nil), "\(order.id) on \(id): pruned \(found?.costAfter ?? -1), full \(full ?? -1)")
                if let found, let full {
                    #expect(abs(found.costAfter - full) < 1e-6, "\(order.id) on \(id): pruned \(found.costAfter), full \(full)")
                    compared += 1
                    // Against a bound: better only when it beats it (by more than rounding), and then the same place.
                    let delta = found.delta
                    if case .better = planner.fit(of: order, into: rider, in: draft, now: now, conditions: conditions, toBeat: delta - 1e-6) {
                        Issue.record("\(order.id) on \(id): a place found below its own delta")
                    }
                    guard case let .better(again) = planner.fit(of: order, into: rider, in: draft, now: now, conditions: conditions, toBeat: delta + 0.01)
                    else {
                        // The one way a bound may hide a better place: the route with the pickup alone costs more than
                        // with the delivery too (the delivery splits a leg through a slow zone into legs through
                        // faster ones: leg speeds are by zone, so times need not obey the triangle inequality).
                        var base = found.stops
                        base.removeAll { $0.order == order.id && $0.kind == .delivery }
                        let baseCost = planner.evaluator.evaluate(base, rider: rider, from: planner.start(of: rider, now: now, in: draft), now: now, in: draft).cost
                        #expect(baseCost > found.costAfter, "\(order.id) on \(id): not found below a bound it beats")
                        shortcuts += 1
                        continue
                    }
                    #expect(again.stops.map(\.order) == found.stops.map(\.order))
                }
            }
        }
        #expect(compared > 8, "too few feasible pairs to compare: \(compared)")
        #expect(shortcuts * 20 <= compared, "\(shortcuts) of \(compared) places hidden by a bound")
    }

    /// The cheapest cost over every pickup position the planner allows (from the frozen head on, never just before
    /// a pickup at the same place: the shared visit is after it) and every later delivery position, each candidate
    /// route evaluated from scratch.
    private func bruteForce(_ order: Order, into rider: Rider, in world: World, now: Instant, planner: InsertionPlanner) -> Double? {
        let stops = world.routes[rider.id]?.stops ?? []
        let place = world.pickupLocation(of: order)
        let frozen = planner.frozenPrefix(of: rider, route: stops)
        let start = planner.start(of: rider, now: now, in: world)
        let pickup = Stop(order: order.id, kind: .pickup, eta: now), delivery = Stop(order: order.id, kind: .delivery, eta: now)
        var best: Double?
        for p in frozen...stops.count where p == stops.count || stops[p].kind != .pickup || world.location(of: stops[p]) != place {
            for d in (p + 1)...(stops.count + 1) {
                var candidate = stops
                candidate.insert(pickup, at: p)
                candidate.insert(delivery, at: d)
                let result = planner.evaluator.evaluate(candidate, rider: rider, from: start, now: now, in: world)
                if result.feasible, result.cost < (best ?? .infinity) { best = result.cost }
            }
        }
        return best
    }

    /// Before 06:00 every rider waits at its hub, all at one distance from a hub's order: a dozen riders with no
    /// time left must not hide the riders behind them who have it.
    @Test func ridersWithNoRoomDoNotHideOnesWithRoomAtTheSameHub() throws {
        let city = try HubCity(riders: 20, farDrop: true) { index, profile in
            // The first fourteen by id may start now but have only a bicycle and an hour: too little for a far drop.
            profile.vehicle = index < 14 ? .bicycle : .motorbike
            profile.shift = TimeWindow(start: profile.shift.start, end: profile.shift.start + (index < 14 ? 1801 : 10 * 3600))
            return false
        }
        let (world, now, order) = (city.world, city.now, city.target)
        let hubLocation = try #require(world.hubs[city.hub]?.location)
        #expect(order.drop.distanceKm(to: hubLocation) > 15, "the test city is too small for a far drop")
        let planner = InsertionPlanner()
        let conditions = TravelConditions(world)
        for id in city.ids.prefix(14) {
            #expect(planner.bestInsertion(of: order, into: try #require(world.riders[id]), in: world, now: now, conditions: conditions) == nil,
                    "\(id) should have no time for the far drop")
        }
        let chosen = try #require(planner.bestInsertion(of: order, in: world, now: now), "a rider with room was hidden")
        #expect(!city.ids.prefix(14).contains(chosen.rider))
    }

    /// In a large city the riders nearest an order by route are those whose routes already pass its drop; when
    /// more of them than the search tries have no time left, an idle rider at the hub must still be asked.
    @Test func ridersWhoseRoutesPassTheDropDoNotHideAnIdleRider() throws {
        let busy = InsertionPlanner.triesPerCandidate * InsertionPlanner().candidateRiders + 2
        let city = try HubCity(farDrop: true) { index, profile in
            // The busy ones have a bicycle and an hour, and a route already out to the far corner: nearest by route.
            let isBusy = index < busy
            profile.channel = .own
            profile.vehicle = isBusy ? .bicycle : .motorbike
            profile.shift = TimeWindow(start: profile.shift.start, end: profile.shift.start + (isBusy ? 1801 : 10 * 3600))
            return isBusy
        }
        let busyIDs = city.ids.prefix(busy)
        let allocation = InsertionPlanner().allocation(of: city.target, in: city.world, now: city.now)
        let chosen = try #require(allocation.best, "every idle rider was hidden behind the busy ones")
        #expect(!busyIDs.contains(chosen.rider))
        #expect(city.world.routes[chosen.rider]?.stops.isEmpty ?? true)
        #expect(allocation.tried.filter { !busyIDs.contains($0) }.count >= InsertionPlanner.idleCandidates)
    }

    /// The nearest riders overall may all be of one channel and loaded, and the idle riders asked besides may be
    /// of that channel too (at the lock a hub's riders rank alike and the first routes draw every order): each
    /// channel's nearest few and its nearest idle rider are priced as well, so a 3PL or gig rider who keeps the
    /// window for less is not left unasked.
    @Test(arguments: [false, true]) func everyChannelsNearestRidersArePricedWhateverTheNearestOverall(loadedOfEveryChannel: Bool) throws {
        let loaded = InsertionPlanner.triesPerCandidate * InsertionPlanner().candidateRiders
        // By id: riders with a route past the drop (the nearest by route; own, or first three of the 3PL and three
        // of gig, asked first), six own riders with nothing to do (the idle ones asked besides, by id), then three of
        // the 3PL and three of gig, idle at the same hub.
        func channel(_ index: Int) -> Channel {
            if loadedOfEveryChannel && index < 6 { return index < 3 ? .thirdParty : .gig }
            return index < loaded + 6 ? .own : index < loaded + 9 ? .thirdParty : .gig
        }
        let city = try HubCity(farDrop: false) { index, profile in
            profile.channel = channel(index)
            profile.vehicle = .motorbike
            profile.shift = TimeWindow(start: profile.shift.start, end: profile.shift.start + 10 * 3600)
            return index < loaded
        }
        #expect(city.ids.count == loaded + 12)
        let planner = InsertionPlanner()
        let allocation = planner.allocation(of: city.target, in: city.world, now: city.now)
        let conditions = TravelConditions(city.world)
        for other in [Channel.thirdParty, .gig] {
            let riders = city.ids.indices.filter { $0 >= loaded && channel($0) == other }.map { city.ids[$0] }
            let asked = loadedOfEveryChannel ? riders.filter(allocation.tried.contains) : riders
            #expect(Set(asked).isSubset(of: allocation.tried) && !asked.isEmpty, "idle \(other.rawValue) riders were never asked")
            let cheapest = asked.compactMap { id in
                city.world.riders[id].flatMap { planner.bestInsertion(of: city.target, into: $0, in: city.world, now: city.now, conditions: conditions)?.delta }
            }.min()
            #expect(cheapest != nil, "no \(other.rawValue) rider can take the order: the test proves nothing")
            #expect(allocation.byChannel[other].map { $0.delta <= cheapest ?? -.infinity } == true)
        }
    }

    /// The 3PL is chosen when it is cheapest and its wave has room; when the order would take the wave's last slot,
    /// an own rider who keeps the window for a little more is chosen instead, and the slot is left to an order only
    /// the 3PL could bring in time. The choice only: each channel's insertion keeps its own cost.
    @Test func theLastSlotsOfA3PLWaveGoToOrdersThatNeedThem() throws {
        var city = try HubCity(riders: 12, farDrop: false) { index, profile in
            profile.channel = index < 6 ? .own : .thirdParty
            profile.vehicle = .motorbike
            return false
        }
        var terms = ChannelTerms()
        terms.thirdPartyRates = [.init(zone: "*", size: "*", perDrop: 0.5)]
        terms.sizes = [.init(name: "*", maxParcels: 500, maxKg: 2000)]
        terms.thirdPartyWaves = [.init(start: 0, end: 24 * 3600 - 1, value: 3)]
        city.world.apply(Event(id: "terms", at: city.now, by: "test", body: .channelsDefined(terms)))
        let planner = InsertionPlanner()
        let roomy = planner.allocation(of: city.target, in: city.world, now: city.now)
        let own = try #require(roomy.byChannel[.own]), thirdParty = try #require(roomy.byChannel[.thirdParty])
        #expect(thirdParty.delta < own.delta && own.delta - thirdParty.delta < 60, "3PL \(thirdParty.delta), own \(own.delta): the test proves nothing")
        #expect(roomy.best?.rider == thirdParty.rider, "an empty wave: the cheapest")
        // Two of the wave's three slots taken: this order would take the last.
        let carrier = thirdParty.rider
        for index in 0..<2 {
            var other = city.target
            other.id = "FILL-\(index)"
            city.world.apply(Event(id: "fill-\(index)", at: city.now, by: "test", body: .orderCreated(other)))
            city.world.apply(Event(id: "give-\(index)", at: city.now, by: "test", body: .orderAssigned(order: other.id, rider: carrier, reason: "test")))
        }
        #expect(city.world.thirdPartyWaveLoad() == [2])
        let full = planner.allocation(of: city.target, in: city.world, now: city.now)
        #expect(full.best?.rider == full.byChannel[.own]?.rider, "the last slot kept: \(String(describing: full.best?.rider))")
        #expect(full.byChannel[.own]?.delta == own.delta, "each channel's insertion keeps its own cost")
        // The reason says why the dearer own rider won: the 3PL's cost and what its wave's last slot was counted at.
        let chosen = try #require(full.best)
        let reason = planner.reason(for: city.target, allocation: full, chosen: chosen, at: city.now, in: city.world)
        #expect(reason.contains(String(format: "3pl %@ %+.2f, wave slot %.2f, ", carrier, thirdParty.delta, full.slotValue)) && full.slotValue > 0,
                "\(reason)")
    }

    /// A test city at 05:00 (60 riders unless told) whose riders all belong to its first hub, shaped by `shape`
    /// (given each rider's index by id, on shift from now); those it says are loaded get a route out to just beside
    /// the drop, which makes them the nearest by route. `target` is an order from the hub to the drop: the city's
    /// farthest corner from the hub, or halfway to its north-east edge.
    private struct HubCity {
        var world: World
        let now: Instant
        let hub: String
        let ids: [String]
        let target: Order

        init(riders: Int = 60, farDrop: Bool, shape: (Int, inout RiderProfile) -> Bool) throws {
            world = try TestCity.run(try TestCity.scenario(riders: riders, orders: 40), until: 5 * 3600).world
            let now = try #require(world.clock)
            let hub = try #require(world.hubs.keys.sorted().first)
            let hubLocation = try #require(world.hubs[hub]?.location)
            let bounds = try #require(world.bounds)
            let corners = [GeoPoint(lat: bounds.south + 0.06, lon: bounds.west + 0.06), GeoPoint(lat: bounds.north - 0.06, lon: bounds.east - 0.06),
                           GeoPoint(lat: bounds.south + 0.06, lon: bounds.east - 0.06), GeoPoint(lat: bounds.north - 0.06, lon: bounds.west + 0.06)]
            let drop = farDrop ? try #require(corners.max { $0.distanceKm(to: hubLocation) < $1.distanceKm(to: hubLocation) })
                               : GeoPoint(lat: (hubLocation.lat + bounds.north) / 2, lon: (hubLocation.lon + bounds.east) / 2)
            let zone = try #require(world.zone(containing: drop)?.id ?? world.zoneList.first?.id)
            func order(_ id: String, at point: GeoPoint) -> Order {
                Order(id: id, createdAt: now, pickup: .hub(hub), drop: point, zone: zone, window: TimeWindow(start: now, end: now + 12 * 3600),
                      promised: TimeWindow(start: now, end: now + 12 * 3600), serviceSeconds: 120, tier: .standard, requiredSkills: [], parcels: 1,
                      kg: 1, customerName: "Some One", contactToken: "c-\(id)", notes: "")
            }
            ids = world.riderIDs.sorted()
            for (index, id) in ids.enumerated() {
                var profile = try #require(world.riders[id]?.profile)
                profile.hub = hub
                profile.skills = []
                profile.capacityParcels = max(profile.capacityParcels, 5)
                profile.capacityKg = max(profile.capacityKg, 50)
                profile.shift = TimeWindow(start: now, end: now + 10 * 3600)
                let loaded = shape(index, &profile)
                world.apply(Event(id: "re-\(id)", at: now, by: "test", body: .riderRegistered(profile)))
                if loaded {
                    let near = order("NEAR-\(id)", at: GeoPoint(lat: drop.lat + 0.001, lon: drop.lon))
                    world.apply(Event(id: "near-\(id)", at: now, by: "test", body: .orderCreated(near)))
                    world.setRoute(Route(stops: [Stop(order: near.id, kind: .pickup, eta: now), Stop(order: near.id, kind: .delivery, eta: now)],
                                         plannedAt: now), of: id)
                }
            }
            target = order("TARGET", at: drop)
            world.apply(Event(id: "target", at: now, by: "test", body: .orderCreated(target)))
            self.now = now
            self.hub = hub
        }
    }

    /// The candidate search walks the riders near the pickup first and stops once the rest are too far: it must
    /// try the same riders in the same order, and choose the same, as a walk of the whole fleet (a world whose grid
    /// is not built), for every order of a city in the middle of its day, whatever channels it may go to.
    @Test func theRidersNearThePickupFirstAreTheRidersAWalkOfTheFleetFinds() throws {
        let scenario = try TestCity.scenario(riders: 90, orders: 900, seed: 5)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        // Before the shifts (every rider at a hub: the grid's few far places) and in the middle of the day.
        for until in [5 * 3600 + 1800, 10 * 3600] {
            session.simulation.run(until: scenario.time(until), engine: session.engine)
            try compareSearches(in: session.engine.world, midday: until > 6 * 3600)
        }
    }

    /// The day's plan at the lock (and a pass of placements at one tick) keeps what pricing found about each route
    /// (`RouteBases`) from one order to the next, working a route out again once an order went into it: every search
    /// then tries the riders, chooses the rider and the places, and prices them as a search that works every route
    /// out afresh.
    @Test func theRoutesKeptThroughThePlanPriceAsRoutesWorkedOutAfresh() throws {
        let scenario = try TestCity.scenario(riders: 60, orders: 600, seed: 3)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        session.simulation.run(until: scenario.time(5 * 3600 + 1800), engine: session.engine)
        var world = session.engine.world
        let now = scenario.planLock
        world.clock = now
        let planner = InsertionPlanner()
        let bases = RouteBases()
        let open = world.orderIDs.compactMap { world.orders[$0] }.filter { $0.status == .open }.sorted { ($0.window.end, $0.id) < ($1.window.end, $1.id) }
        var placed = 0, insertedInto: [String: Int] = [:]
        for order in open.prefix(240) {
            let kept = planner.allocation(of: order, in: world, now: now, bases: bases)
            let afresh = planner.allocation(of: order, in: world, now: now)
            #expect(kept.tried == afresh.tried, "\(order.id)")
            #expect(kept.best?.rider == afresh.best?.rider && kept.best?.costAfter == afresh.best?.costAfter && kept.best?.costBefore == afresh.best?.costBefore,
                    "\(order.id): kept \(kept.best?.rider ?? "-") \(kept.best?.costAfter ?? -1), afresh \(afresh.best?.rider ?? "-") \(afresh.best?.costAfter ?? -1)")
            #expect(kept.best?.stops == afresh.best?.stops, "\(order.id)")
            guard let insertion = afresh.best else { continue }
            world.setRoute(Route(stops: insertion.stops, plannedAt: now), of: insertion.rider)
            var assigned = order
            assigned.status = .assigned
            assigned.rider = insertion.rider
            world.putOrder(assigned)  // the kept basis of the rider is found stale by its route, not told
            placed += 1
            insertedInto[insertion.rider, default: 0] += 1
        }
        // Routes priced again and again after they changed: what makes a stale basis show.
        #expect(placed > 200 && insertedInto.values.filter { $0 >= 3 }.count > 10, "\(placed) placed, \(insertedInto.count) routes")
    }

    /// A replay leaves the candidate grids alone while it applies the journal (it searches for no rider) and builds
    /// them once at its end: the replayed world's searches try the same riders and choose the same as those of the
    /// world that wrote the journal, and its grids hold every rider with its way.
    @Test func aReplayedWorldSearchesAsTheWorldThatWroteItsJournal() throws {
        let scenario = try TestCity.scenario(riders: 90, orders: 900, seed: 5)
        let path = TestCity.temporaryFile()
        let live = try TestCity.run(scenario, until: 10 * 3600, journal: path).world
        let replayed = try Replayer.replay(path: path).world
        #expect(replayed.digest == live.digest)
        #expect(replayed.riderGrid.isBuilt && replayed.idleGrid.isBuilt, "the replay left the grids unbuilt")
        let now = try #require(live.clock)
        let planner = InsertionPlanner()
        var compared = 0
        for order in live.orderIDs.compactMap({ live.orders[$0] }).filter({ !$0.status.isFinal }).enumerated().filter({ $0.offset % 3 == 0 }).map(\.element) {
            let written = planner.allocation(of: order, in: live, now: now)
            let again = planner.allocation(of: order, in: replayed, now: now)
            #expect(again.tried == written.tried, "\(order.id)")
            #expect(again.best?.rider == written.best?.rider && again.best?.stops == written.best?.stops, "\(order.id)")
            compared += written.best == nil ? 0 : 1
        }
        #expect(compared > 50, "\(compared) orders placed in the comparison")
        func ways(_ world: World) -> [String: [GeoPoint]] {
            var found: [String: [GeoPoint]] = [:]
            world.visitRiders(around: GeoPoint(lat: 0, lon: 0), of: Channel.everyone, kmPerDegreeLon: 100, enough: { _ in false }) {
                found[$0.id] = [$0.anchor] + $0.marks
            }
            return found
        }
        #expect(ways(replayed) == ways(live))
    }

    /// A hub's pass of the split plan at the lock searches in a draft whose grids hold its riders alone
    /// (`World.narrowCandidates`), excluding every other rider as before: each search must try the same riders in the
    /// same order and choose the same as in the whole world, before the shifts (every rider at a hub) and at midday.
    @Test func aDraftNarrowedToAHubsRidersSearchesAsTheWholeWorld() throws {
        let scenario = try TestCity.scenario(riders: 90, orders: 900, seed: 7)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        let planner = InsertionPlanner()
        var compared = 0
        for until in [5 * 3600 + 1800, 10 * 3600] {
            session.simulation.run(until: scenario.time(until), engine: session.engine)
            let world = session.engine.world
            let now = try #require(world.clock)
            let hubs = LockPlan.hubRiders(in: world)
            #expect(hubs.count > 1)
            let orders = world.orderIDs.compactMap { world.orders[$0] }.filter { !$0.status.isFinal }
            for (hub, riders) in hubs {
                var narrowed = world
                narrowed.narrowCandidates(to: riders)
                let others = Set(world.riderIDs).subtracting(riders)
                for order in orders.enumerated().filter({ $0.offset % 4 == 0 }).map(\.element) {
                    let whole = planner.allocation(of: order, in: world, now: now, excluding: others)
                    let draft = planner.allocation(of: order, in: narrowed, now: now, excluding: others)
                    #expect(draft.tried == whole.tried, "\(hub) \(order.id)")
                    #expect(draft.best?.rider == whole.best?.rider && draft.best?.stops == whole.best?.stops, "\(hub) \(order.id)")
                    #expect(whole.tried.allSatisfy(riders.contains))
                    compared += whole.best == nil ? 0 : 1
                }
            }
        }
        #expect(compared > 100, "\(compared) orders placed in the comparison")
    }

    private func compareSearches(in world: World, midday: Bool) throws {
        #expect(world.riderGrid.isBuilt && world.idleGrid.isBuilt)
        var walked = world
        walked.riderGrid = RiderLayers()
        walked.idleGrid = RiderLayers()
        let now = try #require(world.clock)
        let planner = InsertionPlanner()
        var orders = world.orderIDs.compactMap { world.orders[$0] }.filter { !$0.status.isFinal }
        #expect(orders.count > 100, "too few orders to compare: \(orders.count)")
        orders = orders.enumerated().filter { $0.offset % 3 == 0 }.map(\.element)
        var compared = 0
        for order in orders {
            for (channels, wanted) in [(Channel.everyone, nil), ([Channel.gig], 2), ([Channel.own, .thirdParty], 1)] as [(Set<Channel>, Int?)] {
                let excluded = Set(order.rider.map { [$0] } ?? [])
                let near = planner.allocation(of: order, in: world, now: now, among: channels, excluding: excluded, wanted: wanted)
                let all = planner.allocation(of: order, in: walked, now: now, among: channels, excluding: excluded, wanted: wanted)
                #expect(near.tried == all.tried, "\(order.id) among \(channels)")
                #expect(near.best?.rider == all.best?.rider && near.best?.costAfter == all.best?.costAfter, "\(order.id) among \(channels)")
                if !all.tried.isEmpty { compared += 1 }
            }
        }
        #expect(compared > 100, "too few searches tried a rider: \(compared)")
        guard midday else { return }
        // The grid holds every rider whose shift has not ended, once, with its way as the world has it; the idle
        // grid, those with no route.
        var held: [String] = []
        func ways(_ world: World) -> [String: RiderGrid.Entry] {
            var found: [String: RiderGrid.Entry] = [:]
            world.visitRiders(around: GeoPoint(lat: 0, lon: 0), of: Channel.everyone, kmPerDegreeLon: 100, enough: { _ in false }) { found[$0.id] = $0 }
            return found
        }
        func waysAreTheWorlds(_ world: World) -> Bool {
            ways(world).values.allSatisfy { entry in
                world.riders[entry.id].map { world.anchor(of: $0) } == entry.anchor && (world.routeMarks[entry.id] ?? []) == entry.marks
            }
        }
        world.visitRiders(around: GeoPoint(lat: 0, lon: 0), of: Channel.everyone, kmPerDegreeLon: 100, enough: { _ in false }) { held.append($0.id) }
        #expect(held.sorted() == world.riderIDs.filter { world.riders[$0]?.status != .shiftEnded }.sorted())
        #expect(waysAreTheWorlds(world))
        // A world decoded (a board's snapshot) builds its grids at its first event, each rider with its marks then.
        var decoded = try CompactDecoder().decode(World.self, from: CompactEncoder().encode(world))
        let onShift = try #require(world.riderIDs.compactMap { world.riders[$0] }.first { $0.status == .idle || $0.status == .driving })
        decoded.apply(Event(id: "ways-probe", at: now, by: "test", body: .riderPosition(rider: onShift.id, position: onShift.position)))
        #expect(decoded.riderGrid.isBuilt && waysAreTheWorlds(decoded), "a decoded world's grid lost the routes' marks")
        #expect(ways(world).values.contains { !$0.marks.isEmpty }, "no rider on a route at midday")
        var idle: [String] = []
        world.visitIdleRiders(around: GeoPoint(lat: 0, lon: 0), of: Channel.everyone, startingBefore: Instant(seconds: .max), kmPerDegreeLon: 100, enough: { _ in false }) { idle.append($0.id) }
        let routeless = world.riderIDs.filter { world.riders[$0]?.status != .shiftEnded && (world.routeMarks[$0] ?? []).isEmpty }
        #expect(idle.sorted() == routeless.sorted())
        #expect(!routeless.isEmpty && routeless.count < held.count, "the day has no idle riders, or only idle ones: \(routeless.count) of \(held.count)")
        // A draft that empties a route (the plan search's ruin step) or gives an idle rider one moves it between them.
        var draft = world
        let busy = try #require(world.riderIDs.first { !routeless.contains($0) && world.riders[$0]?.status != .shiftEnded })
        let free = try #require(routeless.first)
        draft.changeStops(of: busy) { $0.removeAll() }
        draft.setRoute(world.routes[busy], of: free)
        func idleRiders(_ world: World) -> Set<String> {
            var found: Set<String> = []
            world.visitIdleRiders(around: GeoPoint(lat: 0, lon: 0), of: Channel.everyone, startingBefore: Instant(seconds: .max), kmPerDegreeLon: 100,
                                  enough: { _ in false }) { found.insert($0.id) }
            return found
        }
        #expect(idleRiders(draft).contains(busy) && !idleRiders(draft).contains(free))
        #expect(idleRiders(world) == Set(routeless), "the draft changed the world's own grid")
        #expect(waysAreTheWorlds(draft) && waysAreTheWorlds(world), "the marks follow the draft's routes, and only the draft's")
        #expect(ways(draft)[busy]?.marks.isEmpty == true && ways(world)[busy]?.marks.isEmpty == false)
    }

    /// The grid's walk, stopped by the distance of the k-th nearest found, keeps the k nearest a sort of every point
    /// finds, around points inside the spread, at its edge and far outside it, as riders move and leave: riders
    /// spread over a city (walked in rings) and riders at a few hubs far apart (walked by their cells' distance).
    @Test(arguments: [false, true]) func theGridsWalkKeepsTheNearestASortFinds(atHubs: Bool) {
        var random = SeededRandom(seed: 11)
        var grid = RiderGrid()
        var anchors: [String: GeoPoint] = [:]
        // At hubs: six hubs over a degree, and one rider in ten out on its own anywhere there.
        let span = atHubs ? 1.0 : 0.3
        let hubs = (0..<6).map { GeoPoint(lat: -23 + 0.18 * Double($0), lon: -43.5 + 0.4 * Double($0 % 3)) }
        func anywhere() -> GeoPoint { GeoPoint(lat: -23 + random.unit() * span, lon: -43.5 + random.unit() * span * 1.3) }
        func point() -> GeoPoint { atHubs && random.next() % 10 != 0 ? hubs[Int(random.next() % 6)] : anywhere() }
        for index in 0..<400 {
            let id = "r\(index)", at = index % 50 == 0 ? GeoPoint(lat: -22.9, lon: -43.2) : point()  // a few more at one place
            grid.place(id, at: at)
            anchors[id] = at
        }
        for index in stride(from: 0, to: 400, by: 7) { let at = point(); grid.place("r\(index)", at: at); anchors["r\(index)"] = at }
        var removed: Set<String> = []
        for index in stride(from: 3, to: 400, by: 11) { grid.place("r\(index)", at: nil); anchors["r\(index)"] = nil; removed.insert("r\(index)") }
        grid.place("lost", at: GeoPoint(lat: .nan, lon: 0))
        let kmPerDegreeLon = TravelConditions.kmPerDegreeLat * 0.92
        func km(_ a: GeoPoint, _ b: GeoPoint) -> Double {
            let x = (b.lon - a.lon) * kmPerDegreeLon, y = (b.lat - a.lat) * TravelConditions.kmPerDegreeLat
            return (x * x + y * y).squareRoot()
        }
        let byDistance = { (a: (km: Double, id: String), b: (km: Double, id: String)) in a.km != b.km ? a.km < b.km : a.id < b.id }
        let centres = (0..<30).map { _ in anywhere() }
            + hubs + [GeoPoint(lat: -22.9, lon: -43.2), GeoPoint(lat: -10, lon: -43.3), GeoPoint(lat: 0, lon: 0)]
        for centre in centres {
            for k in [1, 5, 40] {
                var kept = Smallest(k, by: byDistance)
                var visited = 0, sawLost = false
                grid.visit(around: centre, kmPerDegreeLon: kmPerDegreeLon, enough: { nearest in kept.worst.map { nearest > $0.km } ?? false }) { entry in
                    let id = entry.id
                    visited += 1
                    #expect(!removed.contains(id), "\(id) was taken out")
                    guard let anchor = anchors[id] else { sawLost = sawLost || id == "lost"; return }
                    #expect(entry.anchor == anchor, "\(id) is held where it was put last")
                    kept.offer((km(anchor, centre), id))
                }
                let sorted = anchors.map { (km: km($0.value, centre), id: $0.key) }.smallest(k, by: byDistance)
                #expect(kept.sorted.map(\.id) == sorted.map(\.id), "k \(k) around \(centre)")
                #expect(sawLost, "a rider with no place must be visited")
                // The walk is local: for the nearest one, a small part of the riders (at hubs, those of about two).
                if k == 1, centre.lat < -22.5 { #expect(visited < (atHubs ? 200 : 60), "the walk around \(centre) looked at \(visited) riders for one") }
            }
        }
    }

    /// Layers hold each rider once, in the layer it was last put in; a walk visits the layers it keeps (by layer
    /// and least rank) and no other.
    @Test func riderLayersHoldEachRiderInItsLastLayer() {
        var layers = RiderLayers()
        let hub = GeoPoint(lat: -22.9, lon: -43.2)
        for index in 0..<30 { layers.place("r\(index)", layer: index % 3, rank: Int64(100 + index), at: GeoPoint(lat: hub.lat + 0.001 * Double(index), lon: hub.lon)) }
        layers.place("r0", layer: 2, rank: 5, at: hub)  // moved to another layer, with a lower rank
        layers.place("r1", layer: 1, rank: 101, at: nil)  // taken out
        func visited(_ keep: (Int, Int64) -> Bool) -> Set<String> {
            var seen: [String] = []
            layers.visit(around: hub, kmPerDegreeLon: 100, layers: keep, enough: { _ in false }) { seen.append($0.id) }
            #expect(seen.count == Set(seen).count, "a rider visited twice")
            return Set(seen)
        }
        #expect(visited { layer, _ in layer == 0 } == Set(stride(from: 3, to: 30, by: 3).map { "r\($0)" }))
        #expect(visited { layer, _ in layer == 2 } == Set(["r0"] + stride(from: 2, to: 30, by: 3).map { "r\($0)" }))
        #expect(visited { _, least in least < 50 } == visited { layer, _ in layer == 2 })
        #expect(visited { _, _ in true }.count == 29)
    }

    /// The 3PL's wave counts, kept as orders change, equal a count over every order after a day with waves.
    @Test func theWaveCountsKeptAsTheDayGoesEqualACountOfEveryOrder() throws {
        let directory = try TestCity.folder(riders: 12, orders: 200) { files in
            files["channels.json"] = #"{"waves_3pl": [{"start": "06:00", "end": "11:00", "capacity": 6}, {"start": "11:00", "end": "22:00", "capacity": 8}]}"#
            // Some riders of the 3PL, so the waves fill.
            let lines = files["riders.csv", default: ""].split(separator: "\n", omittingEmptySubsequences: false)
            files["riders.csv"] = lines.enumerated().map { index, line in
                index > 0 && index % 3 == 0 ? line.replacingOccurrences(of: ",own,", with: ",3pl,") : String(line)
            }.joined(separator: "\n")
        }
        let scenario = try ScenarioLoader.load(directory: directory)
        let world = try TestCity.run(scenario, until: 14 * 3600).world
        var recount = world
        recount.recountWaves()
        #expect(world.thirdPartyWaveLoad() == recount.thirdPartyWaveLoad())
        #expect(world.thirdPartyWaveLoad().reduce(0, +) > 0, "no order reached the 3PL: the test shows nothing")
        for (wave, load) in world.thirdPartyWaveLoad().enumerated() {
            #expect(Double(load) <= world.channels.thirdPartyWaves[wave].value, "wave \(wave) over its capacity: \(load)")
        }
    }

    /// A copy of the world's tables is its own: changing one side leaves the other as it was.
    @Test func anIDMapCopyIsIndependentAndHoldsEveryEntry() {
        var map: IDMap<Int> = [:]
        for index in 0..<1000 { map["id-\(index)"] = index }
        let copy = map
        map["id-7"] = -7
        map.removeValue(forKey: "id-8")
        map["new", default: 0] += 5
        #expect(copy["id-7"] == 7 && copy["id-8"] == 8 && copy["new"] == nil && copy.count == 1000)
        #expect(map["id-7"] == -7 && map["id-8"] == nil && map["new"] == 5 && map.count == 1000)
        #expect(Set(copy.keys) == Set((0..<1000).map { "id-\($0)" }))
        #expect(copy.values.reduce(0, +) == (0..<1000).reduce(0, +))
        #expect(!map.isEmpty && IDMap<Int>().isEmpty)
        #expect(map.withValue("id-7") { $0 * 2 } == -14 && map.withValue("id-8") { $0 } == nil && copy.withValue("id-8") { $0 } == 8)
    }

    /// The orders waiting for a rider are kept in a set that copies in pieces: a copy is its own, holds every id, and
    /// comes back from JSON (a sorted array, as a set of strings was written).
    @Test func anIDSetCopyIsIndependentAndHoldsEveryID() throws {
        var set: IDSet = []
        for index in 0..<1000 { set.insert("id-\(index)") }
        set.insert("id-5")
        let copy = set
        set.remove("id-7")
        set.remove("absent")
        set.insert("new")
        #expect(copy.contains("id-7") && !copy.contains("new") && copy.count == 1000)
        #expect(!set.contains("id-7") && set.contains("new") && set.count == 1000)
        #expect(Set(copy) == Set((0..<1000).map { "id-\($0)" }))
        let json = try JSONEncoder().encode(copy)
        #expect(try JSONDecoder().decode([String].self, from: json) == (0..<1000).map { "id-\($0)" }.sorted())
        #expect(Set(try JSONDecoder().decode(IDSet.self, from: json)) == Set(copy))
        #expect(!set.isEmpty && IDSet().isEmpty)
    }

    /// The scans' index of live orders lists, after every half hour of a busy day, every order a scan could find
    /// trouble with (live and its window ending by then, or critical and waiting for a rider), nothing that is not
    /// live or critical and waiting, nothing ending a slot or more after, in the order the orders were created; and
    /// a scan that reads the index finds the same cases, in the same order, as one that walks every order.
    @Test func aScanLooksAtTheOrdersComingDueAndFindsWhatAWalkOfEveryOrderFinds() throws {
        // Few riders for the orders, so orders wait, run late and fail through the day.
        let scenario = try TestCity.scenario(riders: 5, orders: 160, seed: 7)
        let session = try SessionStarter.start(scenario: scenario, seed: 2, journalPath: nil, durability: .batch)
        let detector = ExceptionDetector(thresholds: Policy.standard.thresholds)
        let horizon = Policy.standard.thresholds.capacityHorizon
        var seen = (late: 0, waiting: 0, listed: 0, findings: 0)
        for step in 0..<30 {
            let now = scenario.time(7 * 3600 + step * 1800)
            session.simulation.run(until: now, engine: session.engine)
            // The order system rebooks two live orders: one's window an hour and a half later (within the day: a
            // window past it is another day's core's), another's to end within the scans' horizon (the index moves
            // each between slots).
            let open = session.engine.world.orderIDs.filter { id in
                session.engine.world.orders[id].map { !$0.status.isFinal && $0.window.end > now + horizon && $0.window.start + 5400 <= scenario.latestEventTime } ?? false
            }
            for (index, id) in open.prefix(2).enumerated() {
                let window = try #require(session.engine.world.orders[id]).window
                let moved = index == 0 ? TimeWindow(start: window.start + 5400, end: window.end + 5400) : TimeWindow(start: now, end: now + horizon / 2)
                try session.engine.submit(Event(id: "rebook-\(step)-\(id)", at: now, by: "oms", body: .orderUpdated(order: id, changes: OrderChanges(window: moved))))
            }
            let world = session.engine.world
            #expect(world.dueOrders.isBuilt)
            func live(_ order: Order) -> Bool { order.status == .open || order.status == .assigned || order.status == .pickedUp }
            func waitsCritical(_ order: Order) -> Bool { order.status == .open && order.rider == nil && order.tier == .critical }
            for until in [now, now + horizon] {
                let listed = world.ordersToScan(endingBy: until)
                let position = Dictionary(uniqueKeysWithValues: world.orderIDs.enumerated().map { ($1, $0) })
                #expect(listed.map { position[$0]! } == listed.map { position[$0]! }.sorted(), "not in creation order at \(until)")
                #expect(Set(listed).count == listed.count)
                let must = world.orderIDs.filter { id in world.orders[id].map { live($0) && $0.window.end <= until || waitsCritical($0) }! }
                #expect(Set(must).isSubset(of: listed), "missing at \(until): \(Set(must).subtracting(listed).sorted())")
                for id in listed {
                    let order = try #require(world.orders[id])
                    #expect(waitsCritical(order) || live(order) && order.window.end < until + DueOrderIndex.slotSeconds,
                            "\(id) listed at \(until): \(order.status), window ends \(order.window.end)")
                }
                seen.late += world.orderIDs.filter { id in world.orders[id].map { live($0) && $0.window.end <= now }! }.count
                seen.waiting += world.unassignedOrderIDs.count
                seen.listed += listed.count
            }
            var walked = world
            walked.dueOrders = DueOrderIndex()
            #expect(walked.ordersToScan(endingBy: now) == walked.orderIDs)
            let outlook = session.engine.outlook(at: now)
            let found = detector.scan(world, outlook: outlook, now: now)
            #expect(found == detector.scan(walked, outlook: outlook, now: now), "at \(step)")
            seen.findings += found.count
        }
        #expect(seen.late > 0 && seen.waiting > 0 && seen.findings > 20, "a day with nothing to find shows nothing: \(seen)")
        #expect(seen.listed < session.engine.world.orderIDs.count * 30, "the index listed every order: \(seen)")
    }
}
