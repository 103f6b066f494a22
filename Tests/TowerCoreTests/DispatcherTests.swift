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
}
