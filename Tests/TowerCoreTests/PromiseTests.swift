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

    func report(_ world: World, playedTo: Instant? = nil) -> RunReport {
        RunReport(world: world, recorder: KPIRecorder(planLock: t0 - 3600), policy: "test", seed: 1, playedTo: playedTo)
    }

    @Test func aDeliveryInAWindowTheCoreMovedIsLateAgainstTheBookedOne() {
        let next = TimeWindow(start: t0 + 3600, end: t0 + 7200)
        let world = day(changes: [(Event.core, next)], deliveredAt: t0 + 5400)
        let run = report(world)
        #expect(run.late == 1, "late against the booked window")
        #expect(run.lateAgainstMovedWindow == 0, "inside the moved one")
        #expect(run.onTimeRate == 0)
        #expect(run.promises == Promises(kept: 0, broken: 1, cancelled: 0, pending: 0, moved: 1, medianNoticeSeconds: Double(t0 + 3600 - (t0 - 1200 + 4 * 60))))
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
        #expect(report(world).promises.pending == 1, "O-2's window is not over: its promise can still be kept")
        world.apply(Event(id: "late", at: booked.end + 60, by: "feed", body: .riderPosition(rider: "R1", position: DeskCity.hub)))
        let run = report(world)
        #expect(run.promises.kept == 1 && run.promises.broken == 1 && run.promises.cancelled == 1 && run.promises.pending == 0)
        #expect(run.promises.keptRate == 0.5, "cancelled orders are not counted")
        #expect(run.late + run.failed == 0 && run.neverDelivered == 1, "O-2 is in no late or failed count, and is counted as never delivered")
        #expect(run.json.contains(#""never_delivered":1"#))
    }

    /// A simulated day plays on hours after its last event: an order never delivered whose window closed after that
    /// event (or as it came) is a broken promise when the day is over, not one still open. A small city's day left
    /// two such orders "still open" in `simulate --json` and `tower report`, and its kept rate counted without them.
    @Test func aWindowThatClosedBeforeTheRunEndedIsDecided() {
        var world = day(changes: [], deliveredAt: t0 + 600)
        world.apply(Event(id: "o2", at: t0 + 700, by: "feed", body: .orderCreated(DeskCity.order("O-2", at: GeoPoint(lat: -22.92, lon: -43.19), window: booked))))
        world.apply(Event(id: "last", at: booked.end, by: "feed", body: .riderPosition(rider: "R1", position: DeskCity.hub)))
        #expect(report(world).promises.pending == 1, "at the clock, O-2's window is just closing")
        let played = report(world, playedTo: booked.end + 4 * 3600)
        #expect(played.promises.pending == 0 && played.promises.broken == 1 && played.promises.keptRate == 0.5)
        #expect(report(world, playedTo: booked.end - 600).promises.pending == 1, "a run that ended earlier than the clock decides nothing more")
    }
}

/// The ranking of remedies keeps the yardstick still: lateness against the booked window, a moved promise priced
/// like a failed delivery unless it gives notice, and doing nothing always ranked with the rest.
@Suite struct PromiseRankingTests {
    let t0 = DeskCity.t0
    let far = GeoPoint(lat: -22.93, lon: -43.17)

    /// O-1 on R1's route, due by `due`, its delivery predicted at `eta`.
    func world(due: Instant, eta: Instant) -> World {
        DeskCity.world([
            .shiftStarted(rider: "R1"),
            .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: due - 3600, end: due))),
            .orderAssigned(order: "O-1", rider: "R1", reason: "t"),
            .routePlanned(rider: "R1", stops: [Stop(order: "O-1", kind: .pickup, eta: t0), Stop(order: "O-1", kind: .delivery, eta: eta)],
                          trigger: "t", costBefore: 0, costAfter: 1),
        ])
    }

    @Test func movingAWindowNeverCountsAsKeepingIt() throws {
        let world = world(due: t0 - 600, eta: t0 + 1800)  // the booked window closed ten minutes ago
        let remedies = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)
        let moved = try remedies.outcome(of: Remedy(.nextSlot, "O-1"), about: "O-1", in: world, now: t0, because: "test")
        let nothing = try remedies.outcome(of: .none, about: "O-1", in: world, now: t0, because: "test")
        #expect(moved.lateAfter == 1, "still late against the window the customer booked")
        #expect(moved.lateAfter == nothing.lateAfter)
        #expect(moved.costDelta >= Policy.standard.movedPromiseCost, "no saving from the moved yardstick, and the move without notice costs")
    }

    @Test func aMoveWithNoticeIsNotChargedAsABrokenPromise() throws {
        let world = world(due: t0 + 4 * 3600, eta: t0 + 1800)
        var policy = Policy.standard
        policy.promiseNotice = 2 * 3600
        let withNotice = try RemedyPlanner(planner: InsertionPlanner(), policy: policy)
            .outcome(of: Remedy(.nextSlot, "O-1"), about: "O-1", in: world, now: t0, because: "test")
        policy.promiseNotice = 5 * 3600
        let tooLate = try RemedyPlanner(planner: InsertionPlanner(), policy: policy)
            .outcome(of: Remedy(.nextSlot, "O-1"), about: "O-1", in: world, now: t0, because: "test")
        #expect((tooLate.costDelta - withNotice.costDelta - policy.movedPromiseCost).magnitude < 1e-9)
    }

    @Test func theOptionsOfOneCaseCountLateOnOneBaseline() {
        // O-1 (R1) is late; R2 carries O-2, already late too. Reassigning O-1 to R2 touches R2's route; telling
        // O-1's customer does not. Both count from the same "late now".
        var world = world(due: t0 - 600, eta: t0 + 1800)
        for (index, body) in [EventBody.shiftStarted(rider: "R2"),
                              .orderCreated(DeskCity.order("O-2", at: far, window: TimeWindow(start: t0 - 4200, end: t0 - 600))),
                              .orderAssigned(order: "O-2", rider: "R2", reason: "t"),
                              .routePlanned(rider: "R2", stops: [Stop(order: "O-2", kind: .pickup, eta: t0), Stop(order: "O-2", kind: .delivery, eta: t0 + 1800)],
                                            trigger: "t", costBefore: 0, costAfter: 1)].enumerated() {
            world.apply(Event(id: "r2-\(index)", at: t0 - 60 + Int64(index), by: "test", body: body))
        }
        let outcomes = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)
            .outcomes(of: [Remedy(.notify, "O-1"), Remedy(.reassign, "O-1", target: "R2"), .none], about: "O-1", in: world, now: t0, because: "test")
        #expect(outcomes.count == 3)
        #expect(Set(outcomes.map(\.lateBefore)) == [2], "one baseline: \(outcomes.map(\.summary))")
        #expect(outcomes.first { $0.remedy == .none }?.lateAfter == 2)
    }

    /// After a failed attempt that no rider can take again now, a new slot is still the better option than doing
    /// nothing (which leaves a failed delivery: priced as one, and said so), and the order waits for a rider as a new
    /// one does.
    @Test func aFailedAttemptNobodyCanRetryNowGetsANewSlotAndWaits() throws {
        var world = world(due: t0 + 90 * 60, eta: t0 + 1800)
        let bodies: [EventBody] = [.deliveryFailed(rider: "R1", order: "O-1", reason: .customerAbsent), .riderBreakdown(rider: "R1", note: ""),
                                   .riderBreakdown(rider: "R2", note: ""), .riderBreakdown(rider: "R3", note: "")]
        for (index, body) in bodies.enumerated() { world.apply(Event(id: "f\(index)", at: t0 - 30 + Int64(index), by: "test", body: body)) }
        let outcomes = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)
            .outcomes(of: [Remedy(.nextSlot, "O-1"), .none], about: "O-1", in: world, now: t0, because: "test")
        let retry = try #require(outcomes.first { $0.remedy.kind == .nextSlot })
        #expect(retry.bodies.contains { if case .orderUnassigned("O-1", _) = $0 { return true } else { return false } }, "it waits for a rider")
        let ranked = Triage(policy: .standard).ranked(outcomes, for: .failedAttempt)
        #expect(ranked.first?.remedy.kind == .nextSlot, "\(ranked.map(\.summary))")
        // Nothing watches a failed order: its "do nothing" says what it leaves.
        #expect(outcomes.first { $0.remedy == .none }?.summary.hasPrefix("leave it failed: not tried again today (") == true)
        var after = world
        for (index, body) in retry.bodies.enumerated() { after.apply(Event(id: "d\(index)", at: t0, by: "core", body: body)) }
        #expect(after.orders["O-1"]?.status == .open)
    }

    /// O-1's first attempt failed at t0 with its window ending at `due`.
    func failedAttempt(due: Instant) -> World {
        var world = world(due: due, eta: t0 - 60)
        world.apply(Event(id: "fail", at: t0 - 30, by: "test", body: .deliveryFailed(rider: "R1", order: "O-1", reason: .customerAbsent)))
        return world
    }

    /// With time left in the window, a rider goes back (by the hub, where the parcel went) and the customer is
    /// told when: the window is not moved, so the promise can still be kept, and that beats a new slot.
    @Test func aFailedAttemptIsTriedAgainInsideItsWindowWhenARiderCanBeBack() throws {
        let due = t0 + 50 * 60
        let world = failedAttempt(due: due)
        let remedies = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)
        let candidates = remedies.candidates(for: .failedAttempt, subject: "O-1", in: world, now: t0)
        #expect(candidates.map(\.kind) == [.retry, .nextSlot, .none])
        let outcomes = remedies.outcomes(of: candidates, about: "O-1", in: world, now: t0, because: "test")
        let ranked = Triage(policy: .standard).ranked(outcomes, for: .failedAttempt)
        let retry = try #require(ranked.first)
        #expect(retry.remedy == Remedy(.retry, "O-1"), "\(ranked.map(\.summary))")
        #expect(retry.lateAfter == 0 && retry.keepsWindows)
        #expect(!retry.bodies.contains { if case .orderUpdated = $0 { return true } else { return false } }, "the window is not moved")
        var after = world
        for (index, body) in retry.bodies.enumerated() { after.apply(Event(id: "d\(index)", at: t0, by: Event.core, body: body)) }
        let order = try #require(after.orders["O-1"])
        #expect(order.status == .assigned && order.window == TimeWindow(start: due - 3600, end: due))
        #expect(order.promised == TimeWindow(start: t0, end: due), "told: from now to the end of the same window")
        let eta = try #require(after.routes[order.rider ?? ""]?.stops.first { $0.order == "O-1" && $0.kind == .delivery }?.eta)
        #expect(eta <= due)
    }

    /// The planner's cheapest rider may be one who would come late for less (a free courier on a bicycle against
    /// a dear van driver): a retry takes the cheapest rider who is in time instead.
    @Test func aRetryTakesARiderInTimeOverACheaperOneWhoWouldBeLate() throws {
        let due = t0 + 25 * 60
        var world = failedAttempt(due: due)
        var courier = DeskCity.rider("R4", channel: .gig)
        courier.vehicle = .bicycle; courier.costPerHour = 0; courier.costPerKm = 0
        var driver = DeskCity.rider("R5")
        driver.costPerHour = 200
        let bodies: [EventBody] = [.riderBreakdown(rider: "R1", note: ""), .riderBreakdown(rider: "R2", note: ""), .riderBreakdown(rider: "R3", note: ""),
                                   .riderRegistered(courier), .riderRegistered(driver)]
        for (index, body) in bodies.enumerated() { world.apply(Event(id: "r\(index)", at: t0 - 20 + Int64(index), by: "test", body: body)) }
        let planner = InsertionPlanner()
        let order = try #require(world.orders["O-1"])
        let cheapest = try #require(planner.allocation(of: order, in: world, now: t0).best)
        #expect(cheapest.rider == "R4")
        #expect(try #require(cheapest.stops.first { $0.order == "O-1" && $0.kind == .delivery }).eta > due, "the courier would be late")
        let retry = try RemedyPlanner(planner: planner, policy: .standard).outcome(of: Remedy(.retry, "O-1"), about: "O-1", in: world, now: t0, because: "test")
        #expect(retry.bodies.contains { if case .orderAssigned("O-1", "R5", _) = $0 { return true } else { return false } }, "\(retry.summary)")
        #expect(retry.lateAfter == 0)
    }

    /// A rider who could only come after the window has closed is no retry: the customer gets a new slot instead.
    @Test func aRetryThatWouldMissTheWindowIsNotOffered() throws {
        let world = failedAttempt(due: t0 + 5 * 60)
        let remedies = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)
        #expect(throws: ToolError.self) { try remedies.outcome(of: Remedy(.retry, "O-1"), about: "O-1", in: world, now: t0, because: "test") }
        let outcomes = remedies.outcomes(of: remedies.candidates(for: .failedAttempt, subject: "O-1", in: world, now: t0), about: "O-1", in: world, now: t0, because: "test")
        #expect(outcomes.map(\.remedy.kind) == [.nextSlot, .none])
        #expect(throws: ToolError.self) { try remedies.decisions(for: Remedy(.retry, "O-1"), in: self.world(due: t0 + 3600, eta: t0 + 600), now: t0, because: "test") }
    }

    @Test func doingNothingIsAlwaysAnOption() {
        var policy = Policy.standard
        policy.rules[.lateNow] = Policy.Rule(actions: [.notify, .nextSlot], routine: .cost)
        let world = world(due: t0 - 600, eta: t0 + 1800)
        let candidates = RemedyPlanner(planner: InsertionPlanner(), policy: policy).candidates(for: .lateNow, subject: "O-1", in: world, now: t0)
        #expect(candidates.map(\.kind) == [.notify, .nextSlot, .none])
    }
}
