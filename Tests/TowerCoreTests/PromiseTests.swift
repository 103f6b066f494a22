import Foundation
import Testing
@testable import TowerCore

/// Late means after the window the customer booked: a window the core moved never makes a delivery on time.
@Suite struct PromiseTests {
    let t0 = DeskCity.t0
    var booked: TimeWindow { TimeWindow(start: t0, end: t0 + 3600) }

    /// O-1 booked t0…t0+1h and delivered at `deliveredAt`, after the given window changes (by whom, to what).
    func day(changes: [(by: String, window: TimeWindow)], deliveredAt: Instant) -> World {
        var bodies: [(String, EventBody)] = [
            ("feed", .orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: booked))),
            ("feed", .shiftStarted(rider: "R1")),
            (Event.core, .orderAssigned(order: "O-1", rider: "R1", reason: "t")),
            ("feed", .pickupDone(rider: "R1", order: "O-1")),
        ]
        for change in changes { bodies.append((change.by, .orderUpdated(order: "O-1", changes: OrderChanges(window: change.window)))) }
        var world = DeskCity.world()
        for (index, (by, body)) in bodies.enumerated() {
            world.apply(Event(id: "p\(index)", at: t0 - 1200 + Int64(index) * 60, by: by, body: body))
        }
        world.apply(Event(id: "done", at: deliveredAt, by: "feed", body: .deliveryDone(rider: "R1", order: "O-1")))
        return world
    }

    func report(_ world: World) -> RunReport {
        RunReport(world: world, recorder: KPIRecorder(planLock: t0 - 3600), policy: "test", seed: 1)
    }

    @Test func aDeliveryInAWindowTheCoreMovedIsLateAgainstTheBookedOne() {
        let next = TimeWindow(start: t0 + 3600, end: t0 + 7200)
        let world = day(changes: [(Event.core, next)], deliveredAt: t0 + 5400)
        let run = report(world)
        #expect(run.late == 1, "late against the booked window")
        #expect(run.lateAgainstMovedWindow == 0, "inside the moved one")
        #expect(run.onTimeRate == 0)
        #expect(run.promises == Promises(kept: 0, broken: 1, cancelled: 0, moved: 1, medianNoticeSeconds: Double(t0 + 3600 - (t0 - 1200 + 4 * 60))))
        #expect(WorldSummary.lines(world).contains { $0.contains("(1 late against the booked window)") })
    }

    @Test func aWindowTheOrderSystemChangesIsTheNewBooking() {
        let rebooked = TimeWindow(start: t0 + 3600, end: t0 + 7200)
        let run = report(day(changes: [("feed", rebooked)], deliveredAt: t0 + 5400))
        #expect(run.late == 0)
        #expect(run.promises.kept == 1 && run.promises.moved == 0)
    }

    @Test func aRebookingAfterAMoveReplacesIt() {
        let moved = TimeWindow(start: t0 + 3600, end: t0 + 7200)
        let rebooked = TimeWindow(start: t0 + 1800, end: t0 + 9000)
        let run = report(day(changes: [(Event.core, moved), ("feed", rebooked)], deliveredAt: t0 + 5400))
        #expect(run.late == 0 && run.promises.moved == 0 && run.promises.kept == 1)
    }

    @Test func failedAndNeverDeliveredOrdersAreBrokenPromises() {
        var world = day(changes: [], deliveredAt: t0 + 600)
        #expect(report(world).promises.kept == 1)
        world.apply(Event(id: "o2", at: t0 + 700, by: "feed", body: .orderCreated(DeskCity.order("O-2", at: GeoPoint(lat: -22.92, lon: -43.19), window: booked))))
        world.apply(Event(id: "o3", at: t0 + 710, by: "feed", body: .orderCreated(DeskCity.order("O-3", at: GeoPoint(lat: -22.92, lon: -43.19), window: booked))))
        world.apply(Event(id: "c3", at: t0 + 720, by: "feed", body: .orderCancelled(order: "O-3", reason: "")))
        let run = report(world)
        #expect(run.promises.kept == 1 && run.promises.broken == 1 && run.promises.cancelled == 1)
        #expect(run.promises.keptRate == 0.5, "cancelled orders are not counted")
    }
}
