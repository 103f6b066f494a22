import Foundation
import Testing
@testable import TowerCore

/// The dispatcher's waiting list follows the core's decisions, whichever job made them.
@Suite struct DispatcherTests {
    let t0 = DeskCity.t0
    let far = GeoPoint(lat: -22.93, lon: -43.17)

    func submit(_ engine: Engine, _ id: String, _ body: EventBody, at: Instant) throws {
        try engine.submit(Event(id: id, at: at, by: "feed", body: body))
    }

    /// An order a breakdown leaves without a rider waits, and the next retry after another rider recovers places it
    /// on them.
    @Test func anOrderLeftWithoutARiderWaitsAndIsPlacedAtARetry() throws {
        let engine = try DeskCity.engine(mode: .continuous)
        for rider in ["R1", "R2", "R3"] { try submit(engine, "on-\(rider)", .shiftStarted(rider: rider), at: t0 - 900) }
        for rider in ["R2", "R3"] { try submit(engine, "b-\(rider)", .riderBreakdown(rider: rider, note: "flat"), at: t0 - 800) }
        try submit(engine, "o", .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0, end: t0 + 3 * 3600))), at: t0 - 600)
        #expect(engine.world.orders["O-1"]?.rider == "R1")
        try submit(engine, "b", .riderBreakdown(rider: "R1", note: "flat"), at: t0 - 500)
        #expect(engine.world.orders["O-1"]?.status == .open, "nobody else can take it")
        #expect(engine.dispatcher.waiting == ["O-1"])
        try submit(engine, "up", .riderRecovered(rider: "R2"), at: t0 - 400)
        engine.advance(to: t0)
        #expect(engine.world.orders["O-1"]?.rider == "R2")
        #expect(engine.dispatcher.waiting.isEmpty)
    }

    /// The 06:00 plan places each order on a draft that holds the ones placed before it as the core's events leave
    /// them, so each route is timed as the world then holds it: a gig courier accepts each job from when the plan
    /// gives it (it was counted from the courier's shift start, so the plan's gig ETAs came out 20 minutes late).
    @Test func theDaysPlanTimesEachRouteAsTheWorldHoldsIt() throws {
        let folder = try TestCity.folder(riders: 12, orders: 160) { $0["channels.json"] = #"{"gig_acceptance_min": 20}"# }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let scenario = try ScenarioLoader.load(directory: folder)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        session.simulation.run(until: scenario.planLock, engine: session.engine)
        let world = session.engine.world
        let planner = InsertionPlanner()
        var gigStops = 0, planned = 0
        for id in world.riderIDs {
            guard let rider = world.riders[id], let route = world.routes[id], route.plannedAt == scenario.planLock, !route.stops.isEmpty else { continue }
            planned += 1
            if rider.profile.channel == .gig { gigStops += route.stops.count }
            #expect(planner.retimed(rider, in: world, now: scenario.planLock).stops.map(\.eta) == route.stops.map(\.eta), "\(id)")
        }
        #expect(planned > 3 && gigStops > 0)
    }
}
