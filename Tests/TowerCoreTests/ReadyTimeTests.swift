import Foundation
import Testing
@testable import TowerCore

/// A parcel ready at its pickup only from a time (`ready_at`): the planner times its pickup no earlier (its fast
/// search as a whole walk does), a simulated rider waits for it, an order system can move it later, the files and
/// feed lines that carry it refuse one after the window, and the hindsight day knows every order early but collects
/// none of them before the live day books it.
@Suite struct ReadyTimeTests {
    /// The generated city with every booked order's parcel ready 20 minutes before its window opens (orders booked
    /// during the day are ready when booked).
    static func cityWithReadyTimes() throws -> String {
        try TestCity.folder(riders: 8, orders: 120) { files in
            var lines = files["orders.csv"]!.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines[0] += ",ready_at"
            for index in lines.indices.dropFirst() where !lines[index].isEmpty {
                let fields = lines[index].split(separator: ",", maxSplits: 7).map(String.init)
                guard fields[1] == "00:00" else { lines[index] += ","; continue }
                let start = fields[6].split(separator: ":").compactMap { Int($0) }
                let minutes = start[0] * 60 + start[1] - 20
                lines[index] += String(format: ",%02d:%02d", minutes / 60, minutes % 60)
            }
            files["orders.csv"] = lines.joined(separator: "\n")
        }
    }

    @Test func aPickupIsNotTimedBeforeItsParcelIsReady() throws {
        let scenario = try TestCity.scenario()
        let engine = try TestCity.run(scenario, until: 6 * 3600 + 60)
        var world = engine.world
        let now = try #require(world.clock)
        let planner = InsertionPlanner()
        let pickups = world.riderIDs.compactMap { id in world.routes[id]?.stops.first { $0.kind == .pickup }.map { (id, $0) } }
        let (riderID, stop) = try #require(pickups.first)
        let ready = stop.eta + 3600
        var order = try #require(world.orders[stop.order])
        order.readyAt = ready
        world.putOrder(order)
        let timed = planner.retimed(try #require(world.riders[riderID]), in: world, now: now)
        let pickup = try #require(timed.stops.first { $0.order == stop.order && $0.kind == .pickup })
        let delivery = try #require(timed.stops.first { $0.order == stop.order && $0.kind == .delivery })
        #expect(pickup.eta >= ready)
        #expect(delivery.eta > ready)
    }

    @Test func aSimulatedRiderCollectsNoParcelBeforeItIsReady() throws {
        let folder = try Self.cityWithReadyTimes()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let scenario = try ScenarioLoader.load(directory: folder)
        let ready = Dictionary(uniqueKeysWithValues: scenario.orders.compactMap { order in order.readyAt.map { (order.id, $0) } })
        #expect(ready.count > 50)
        // Without the ready times the same day collects many of these parcels earlier: the check below can fail.
        var untimed = scenario
        for index in untimed.orders.indices { untimed.orders[index].readyAt = nil }
        let early = try TestCity.run(untimed, until: 23 * 3600).world
        #expect(ready.count { id, time in early.orders[id]?.pickedUpAt.map { $0 < time } ?? false } > 10)

        let world = try TestCity.run(scenario, until: 23 * 3600).world
        let collected = ready.filter { id, _ in world.orders[id]?.pickedUpAt != nil }
        #expect(collected.count > ready.count / 2)
        for (id, time) in collected { #expect(world.orders[id]!.pickedUpAt! >= time, "\(id) collected before its parcel was ready") }
    }

    @Test func aReadyTimeAfterTheWindowIsRefusedNamingTheField() throws {
        let folder = try TestCity.folder(riders: 4, orders: 20) { files in
            var lines = files["orders.csv"]!.split(separator: "\n").map(String.init)
            lines[0] += ",ready_at"
            for index in lines.indices.dropFirst() { lines[index] += index == 3 ? ",23:00" : "," }
            files["orders.csv"] = lines.joined(separator: "\n") + "\n"
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let refused = #expect(throws: (any Error).self) { try ScenarioLoader.load(directory: folder) }
        #expect(refused.map { "\($0)".contains("orders.csv line 4 (O-0003)") && "\($0)".contains("field ready_at: the parcel would be ready only after its window closes") } == true,
                "\(String(describing: refused))")

        let line = #"{"v":1,"id":"f","at":"2026-11-17T10:00:00-03:00","type":"order.created","order":"O-9","pickup_hub":"H1","lat":-22.9,"lon":-43.2,"zone":"Z1","#
            + #""window_start":"2026-11-17T11:00:00-03:00","window_end":"2026-11-17T12:00:00-03:00","ready_at":"2026-11-17T12:00:00-03:00","#
            + #""service_min":3,"tier":"standard","skills":[],"parcels":1,"kg":1}"#
        #expect(throws: EventError(field: "ready_at", reason: "the parcel would be ready only after its window closes")) {
            try EventCodec.decode(line: Array(line.utf8))
        }
    }

    @Test func theHindsightDayKnowsEveryOrderButCollectsNoneBeforeItIsBooked() throws {
        let scenario = try TestCity.scenario()
        let known = scenario.everyOrderKnown()
        let booked = Dictionary(uniqueKeysWithValues: scenario.orders.filter { $0.createdAt > scenario.dayStart }.map { ($0.id, $0.createdAt) })
        #expect(booked.count > 10)
        for order in known.orders {
            #expect(order.createdAt <= scenario.dayStart)
            #expect(order.readyAt == booked[order.id])
        }
        let world = try TestCity.run(known, until: 23 * 3600).world
        let collected = booked.filter { id, _ in world.orders[id]?.pickedUpAt != nil }
        #expect(collected.count > booked.count / 2)
        for (id, time) in collected { #expect(world.orders[id]!.pickedUpAt! >= time, "\(id) collected before it was booked") }
    }
}

extension ReadyTimeTests {
    /// The planner's fast search (scans, bounds, derived scans) prices a pickup that waits for its parcel as a whole
    /// walk of the route does: the cheapest place it finds on a rider is the cheapest of every place walked in full,
    /// on routes whose own pickups wait for theirs.
    @Test func theFastSearchPricesAWaitingPickupAsAWholeWalk() throws {
        let folder = try Self.cityWithReadyTimes()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let world = try TestCity.run(try ScenarioLoader.load(directory: folder), until: 6 * 3600 + 60).world
        let planner = InsertionPlanner()
        let conditions = TravelConditions(world)
        let now = try #require(world.clock)
        #expect(world.routes.values.contains { route in route.stops.contains { $0.kind == .pickup && (world.orders[$0.order]?.readyAt ?? now) > now } })
        var compared = 0
        for ready in [nil, now + 2 * 3600] {
            var order = try #require(world.orders.values.sorted { $0.id < $1.id }.first { $0.status == .assigned })
            order.status = .open
            order.rider = nil
            order.readyAt = ready
            var probe = world
            probe.putOrder(order)
            let (pickup, delivery) = try PlannerTests.newStops(of: order, in: probe, now: now)
            for id in probe.riderIDs {
                let rider = try #require(probe.riders[id])
                guard planner.canServe(rider, order, now: now, in: probe) else { continue }
                let route = (probe.routes[id]?.stops ?? []).enumerated().compactMap { StopInfo($1, ref: $0, in: probe, now: now) }
                let start = planner.start(of: rider, now: now, in: probe)
                var cheapest: Double?
                // Nothing goes before the stop a rider is driving to, and a pickup joins a visit to its hub after
                // the pickups already there (as the planner places it).
                for i in planner.frozenPrefix(of: rider, route: probe.routes[id]?.stops ?? [])...route.count {
                    guard i == route.count || route[i].kind != .pickup || route[i].location != pickup.location else { continue }
                    for j in i...route.count {
                        var candidate = route
                        candidate.insert(pickup, at: i)
                        candidate.insert(delivery, at: j + 1)
                        let walked = planner.evaluator.evaluate(candidate, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
                        if walked.feasible { cheapest = min(cheapest ?? .infinity, walked.cost) }
                    }
                }
                let found = planner.bestInsertion(of: order, into: rider, in: probe, now: now, conditions: conditions)
                #expect((found == nil) == (cheapest == nil), "rider \(id)")
                if let found, let cheapest {
                    #expect(abs(found.costAfter - cheapest) < 1e-6, "rider \(id), ready \(String(describing: ready)): \(found.costAfter) vs \(cheapest)")
                    compared += 1
                }
            }
        }
        #expect(compared > 4)
    }
}

extension ReadyTimeTests {
    /// An order system can say a parcel will be ready later (a line-haul running late): its rider's route is timed
    /// again from it; a ready time after the window, or for a parcel already on board, is refused naming the field.
    @Test func anOrderSystemMovesAParcelsReadyTimeAndTheRouteFollows() throws {
        let engine = try TestCity.run(try TestCity.scenario(), until: 6 * 3600 + 60)
        let now = try #require(engine.world.clock)
        let pickups = engine.world.riderIDs.compactMap { id in engine.world.routes[id]?.stops.first { $0.kind == .pickup } }
        let stop = try #require(pickups.first { stop in engine.world.orders[stop.order].map { $0.window.end > stop.eta + 1800 } ?? false })
        let window = try #require(engine.world.orders[stop.order]).window
        let ready = min(stop.eta + 3600, window.end - 60)
        try engine.submit(Event(id: "late-haul", at: now, by: "feed", body: .orderUpdated(order: stop.order, changes: OrderChanges(readyAt: ready))))
        #expect(engine.world.orders[stop.order]?.readyAt == ready)
        let timed = try #require(engine.world.routes.values.lazy.compactMap { $0.stops.first { $0.order == stop.order && $0.kind == .pickup } }.first)
        #expect(timed.eta >= ready)
        #expect(throws: EventError(field: "ready_at", reason: "the parcel would be ready only after its window closes")) {
            try engine.submit(Event(id: "too-late", at: now, by: "feed", body: .orderUpdated(order: stop.order, changes: OrderChanges(readyAt: window.end))))
        }
    }
}
