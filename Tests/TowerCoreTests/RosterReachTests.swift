import Foundation
import Testing
@testable import TowerCore

/// Orders nobody on today's roster could ever take are cases at once, however far off their windows.
@Suite struct RosterReachTests {
    let t0 = DeskCity.t0
    static let door = GeoPoint(lat: -22.92, lon: -43.19)

    /// R1, R2 (own) and R3 (3PL) on shift until t0 + 6 h, and O-1 waiting for a rider with `window`.
    static func world(window: TimeWindow, skills: Set<Skill> = [], extra: [EventBody] = []) -> World {
        var order = DeskCity.order("O-1", at: door, window: window)
        order.requiredSkills = skills
        return DeskCity.world([.shiftStarted(rider: "R1"), .shiftStarted(rider: "R2"), .shiftStarted(rider: "R3")] + extra + [.orderCreated(order)])
    }

    static func findings(_ world: World, at now: Instant) -> [Finding] {
        ExceptionDetector(thresholds: Policy.standard.thresholds).scan(world, outlook: Outlook(world: world, now: now), now: now).filter { $0.subject == "O-1" }
    }

    @Test func anOrderNobodyCouldEverTakeIsFoundHoursBeforeItsWindow() throws {
        // Its window opens at t0 + 7 h, after every shift ends (t0 + 6 h, with half an hour's grace).
        let evening = TimeWindow(start: t0 + 7 * 3600, end: t0 + 8 * 3600)
        let found = Self.findings(Self.world(window: evening), at: t0)
        #expect(found.map(\.kind) == [.unassignedOrder], "\(found)")
        #expect(found.first?.detail == "no rider on today's roster can take it; window 17:00-18:00")
        // A skill nobody has, a window inside the shifts.
        let later = TimeWindow(start: t0 + 4 * 3600, end: t0 + 5 * 3600)
        #expect(Self.findings(Self.world(window: later, skills: [.coldChain]), at: t0).map(\.kind) == [.unassignedOrder])
    }

    @Test func anOrderSomeoneCouldTakeLaterIsLeftUntilItsWindowComesNear() {
        let later = TimeWindow(start: t0 + 4 * 3600, end: t0 + 5 * 3600)
        #expect(Self.findings(Self.world(window: later), at: t0).isEmpty, "the riders could take it: no case yet")
        // A rider broken down may recover: still someone who could take it.
        let broken: [EventBody] = [.riderBreakdown(rider: "R1", note: "chain"), .riderBreakdown(rider: "R2", note: "tyre"), .riderBreakdown(rider: "R3", note: "van")]
        #expect(Self.findings(Self.world(window: later, extra: broken), at: t0).isEmpty)
        // Riders gone home are not: with all three shifts ended, nobody is left.
        let home: [EventBody] = [.shiftEnded(rider: "R1"), .shiftEnded(rider: "R2"), .shiftEnded(rider: "R3")]
        #expect(Self.findings(Self.world(window: later, extra: home), at: t0).map(\.kind) == [.unassignedOrder])
    }

    /// Only channel rules that hold all day count: the own fleet kept out of the order's zone and no 3PL rider who
    /// could take it make it a case, a full 3PL wave does not (a slot may free).
    @Test func theChannelRulesThatHoldAllDayCountAndAFullWaveDoesNot() {
        let later = TimeWindow(start: t0 + 4 * 3600, end: t0 + 5 * 3600)
        var terms = ChannelTerms()
        terms.ownFleetZones = ["Z2"]
        #expect(Self.findings(Self.world(window: later, extra: [.channelsDefined(terms)]), at: t0).isEmpty, "R3, the 3PL, could take it")
        let gone: [EventBody] = [.channelsDefined(terms), .shiftEnded(rider: "R3")]
        #expect(Self.findings(Self.world(window: later, extra: gone), at: t0).map(\.kind) == [.unassignedOrder], "own riders kept out, the 3PL's gone")
        var full = ChannelTerms()
        full.ownFleetZones = ["Z2"]
        full.thirdPartyWaves = [ChannelTerms.Band(start: 0, end: 24 * 3600, value: 0)]
        #expect(Self.findings(Self.world(window: later, extra: [.channelsDefined(full)]), at: t0).isEmpty, "a full wave may free a slot")
    }

    /// On the engine: the case goes to a person at once, hours before the window; nobody answering tells the
    /// customer then, with hours of notice; and the order is not raised again all day while its window is far.
    @Test func theCaseComesAtOnceTheCustomerIsToldEarlyAndItIsNotRaisedAgainAllDay() throws {
        let engine = try DeskCity.engine()
        for rider in ["R1", "R2", "R3"] { try engine.submit(Event(id: "on-\(rider)", at: t0 - 900, by: "test", body: .shiftStarted(rider: rider))) }
        let evening = TimeWindow(start: t0 + 7 * 3600, end: t0 + 8 * 3600)
        try engine.submit(Event(id: "o", at: t0 - 600, by: "test", body: .orderCreated(DeskCity.order("O-1", at: Self.door, window: evening))))
        engine.advance(to: t0)
        let cases = { engine.world.exceptions.values.filter { $0.subject == "O-1" } }
        let first = try #require(cases().first)
        #expect(cases().count == 1 && first.state == .escalated && first.defaultAction == Remedy(.cannotDeliver, "O-1"))
        engine.advance(to: t0 + 4 * 3600)
        #expect(engine.world.orders["O-1"]?.notifiedAt == first.deadline, "told at the deadline, hours before the window")
        #expect(cases().count == 1, "not raised again while its window is far: \(cases().map(\.id))")
    }
}
