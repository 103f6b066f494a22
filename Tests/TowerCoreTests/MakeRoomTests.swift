import Foundation
import Testing
@testable import TowerCore

/// `make_room`: a waiting order goes on a full rider once another of its orders moves to a second rider, and only
/// when every promise on the routes touched is kept.
@Suite struct MakeRoomTests {
    let t0 = DeskCity.t0
    let east = GeoPoint(lat: -22.885, lon: -43.155)
    let west = GeoPoint(lat: -22.945, lon: -43.245)
    let remedies = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)

    /// R4, the only cold-chain rider, near the end of its shift with O-X (nearly its whole load) to the east; O-W, cold
    /// chain, waits to go west. One trip cannot carry both, and two do not fit in what is left of R4's shift. R1, R2
    /// and R3 (3PL) start at `others` (the hub when nil).
    func world(xWindowEnd: Instant, others: GeoPoint? = nil, r4Hours: Double = 40.0 / 60) -> World {
        var r4 = DeskCity.rider("R4")
        r4.skills = [.coldChain]
        r4.capacityKg = 60
        r4.shift = TimeWindow(start: t0 - 4 * 3600, end: t0 + Int64(r4Hours * 3600))
        var x = DeskCity.order("O-X", at: east, window: TimeWindow(start: t0, end: xWindowEnd))
        x.kg = 58
        var w = DeskCity.order("O-W", at: west, window: TimeWindow(start: t0, end: t0 + 2 * 3600), tier: .critical)
        w.requiredSkills = [.coldChain]
        w.kg = 5
        var bodies: [EventBody] = [.riderRegistered(r4)] + ["R1", "R2", "R3", "R4"].map { .shiftStarted(rider: $0) }
        if let others { bodies += ["R1", "R2", "R3"].map { .riderPosition(rider: $0, position: others) } }
        bodies += [.orderCreated(x), .orderAssigned(order: "O-X", rider: "R4", reason: "t"),
                   .routePlanned(rider: "R4", stops: [Stop(order: "O-X", kind: .pickup, eta: t0), Stop(order: "O-X", kind: .delivery, eta: t0 + 1800)],
                                 trigger: "t", costBefore: 0, costAfter: 1),
                   .orderCreated(w)]
        return DeskCity.world(bodies)
    }

    @Test func aCriticalOrderNoRiderHasRoomForTakesAnotherOrdersPlace() throws {
        let world = world(xWindowEnd: t0 + 3 * 3600)
        #expect(InsertionPlanner().bestInsertion(of: world.orders["O-W"]!, in: world, now: t0) == nil, "no rider has room for O-W as things are")
        let offered = remedies.candidates(for: .criticalWaiting, subject: "O-W", in: world, now: t0)
        #expect(offered.contains(Remedy(.makeRoom, "O-W", target: "R4")))

        let draft = try remedies.decisions(for: Remedy(.makeRoom, "O-W", target: "R4"), in: world, now: t0, because: "E-1")
        let after = draft.world
        #expect(after.orders["O-W"]?.rider == "R4")
        let mover = try #require(after.orders["O-X"]?.rider)
        #expect(["R1", "R2", "R3"].contains(mover))
        #expect(!(after.routes["R4"]?.stops.contains { $0.order == "O-X" } ?? true))
        // Both promises kept: each delivery inside its window.
        for (order, rider) in [("O-W", "R4"), ("O-X", mover)] {
            let stops = InsertionPlanner().retimed(after.riders[rider]!, in: after, now: t0).stops
            let drop = try #require(stops.first { $0.order == order && $0.kind == .delivery })
            #expect(drop.eta <= after.orders[order]!.window.end, "\(order) on time")
        }
        let outcome = try remedies.outcome(of: Remedy(.makeRoom, "O-W", target: "R4"), about: "O-W", in: world, now: t0, because: "E-1")
        #expect(outcome.keepsWindows)
        #expect(outcome.summary.hasPrefix("make room for O-W on R4 (moving O-X to \(mover))"))
    }

    @Test func noRoomIsMadeWhenTheOrderMovedForItWouldBeLate() {
        // O-X is due soon, and the other riders are far off in Z2: moved to any of them, it would come late.
        let world = world(xWindowEnd: t0 + 40 * 60, others: GeoPoint(lat: -22.92, lon: -43.38))
        let offered = remedies.candidates(for: .criticalWaiting, subject: "O-W", in: world, now: t0)
        #expect(!offered.contains { $0.kind == .makeRoom })
        #expect(throws: ToolError.self) { try remedies.decisions(for: Remedy(.makeRoom, "O-W", target: "R4"), in: world, now: t0, because: "E-1") }
    }

    @Test func anOrderThatFitsSomewhereNeedsNoRoom() throws {
        // With R4 on for hours more, O-W fits after O-X as things are: nothing to make room for.
        let world = world(xWindowEnd: t0 + 3 * 3600, r4Hours: 4)
        #expect(InsertionPlanner().bestInsertion(of: world.orders["O-W"]!, in: world, now: t0)?.rider == "R4")
        #expect(!remedies.candidates(for: .criticalWaiting, subject: "O-W", in: world, now: t0).contains { $0.kind == .makeRoom })
        // Room drafted earlier and carried out now: the order goes where it fits and O-X stays where it is.
        let draft = try remedies.decisions(for: Remedy(.makeRoom, "O-W", target: "R4"), in: world, now: t0, because: "E-1")
        #expect(draft.world.orders["O-W"]?.rider == "R4" && draft.world.orders["O-X"]?.rider == "R4")
        #expect(!draft.bodies.contains { if case .orderReassigned = $0 { true } else { false } }, "nothing moved")
    }

    @Test func roomIsStillMadeWhenTheOrderFitsOnlyLate() throws {
        // O-W fits after O-X on R4 as things are, but past its window (booked to end within the hour); alone on R4
        // it is there in half an hour: carried out, the room is made (O-X moves) rather than the late place taken.
        var world = world(xWindowEnd: t0 + 3 * 3600, r4Hours: 4)
        var w = try #require(world.orders["O-W"])
        w.window = TimeWindow(start: t0, end: t0 + 3600)
        w.booked = w.window
        world.putOrder(w)
        let late = try #require(InsertionPlanner().bestInsertion(of: w, in: world, now: t0))
        #expect(late.stops.contains { $0.order == "O-W" && $0.kind == .delivery && $0.eta > w.window.end }, "it fits only late")
        let draft = try remedies.decisions(for: Remedy(.makeRoom, "O-W", target: "R4"), in: world, now: t0, because: "E-1")
        #expect(draft.world.orders["O-W"]?.rider == "R4")
        #expect(["R1", "R2", "R3"].contains(draft.world.orders["O-X"]?.rider ?? ""), "O-X moved to make room")
    }

    @Test func theActionReadsBackFromItsText() {
        #expect(Remedy(text: "make_room:O-W:R4") == Remedy(.makeRoom, "O-W", target: "R4"))
        #expect(Remedy(text: "make_room:O-W") == nil, "room is made on a named rider")
        #expect(Remedy(.makeRoom, "O-W", target: "R4").description == "make_room:O-W:R4")
    }
}
