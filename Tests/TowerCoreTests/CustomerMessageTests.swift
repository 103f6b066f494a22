import Testing
@testable import TowerCore

/// When customers hear from us: a new window only when the ETA leaves the one they were told, "arriving soon" at
/// most once per notify interval, every message from the policy's templates.
@Suite struct CustomerMessageTests {
    let t0 = DeskCity.t0
    let far = GeoPoint(lat: -22.93, lon: -43.17)
    let remedies = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)

    @Test func aNewWindowOnlyWhenTheETALeavesTheOneTheCustomerWasTold() throws {
        var world = DeskCity.world([.orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0, end: t0 + 3600)))])
        let order = try #require(world.orders["O-1"])
        #expect(remedies.notice(order, eta: t0 + 1800, in: world, now: t0) == nil, "within the window")

        let late = try #require(remedies.notice(order, eta: t0 + 4800, in: world, now: t0))
        guard case let .customerNotified(_, kind, message, window) = late else { Issue.record("\(late)"); return }
        #expect(kind == .delayed)
        #expect(window == TimeWindow(start: t0 + 3900, end: t0 + 5700), "the ETA ± 15 minutes, on 5-minute marks")
        #expect(message == "Hi C O-1, your order O-1 is running late: it will now arrive between 11:05-11:35.")
        world.apply(Event(id: "n1", at: t0, by: "core", body: late))

        let told = try #require(world.orders["O-1"])
        #expect(told.promised == window && told.notifiedAt == t0)
        #expect(remedies.notice(told, eta: t0 + 5000, in: world, now: t0 + 300) == nil, "the ETA moved but fits the new window")
        #expect(remedies.notice(told, eta: t0 + 6600, in: world, now: t0 + 300) != nil, "the window moves again: a second message")
    }

    @Test func afterTheWindowClosedTheMessageSaysLateAndUsesThePolicysTemplate() throws {
        var policy = Policy.standard
        policy.templates[.late] = "{order} for {customer}: sorry, now {eta}"
        let planner = RemedyPlanner(planner: InsertionPlanner(), policy: policy)
        let world = DeskCity.world([.orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0 - 3600, end: t0)))])
        let order = try #require(world.orders["O-1"])
        let body = try #require(planner.notice(order, eta: t0 + 1200, in: world, now: t0 + 60))
        guard case let .customerNotified(_, kind, message, _) = body else { Issue.record("\(body)"); return }
        #expect(kind == .late && message == "O-1 for C O-1: sorry, now 10:20")
    }

    /// A scan tells every customer whose door the rider may reach before the next scan could: each delivery due
    /// within the lead plus a scan interval, the second stop as well as the next one (a short leg after a stop would
    /// otherwise bring the rider to a door nobody was told of), and not one due later.
    @Test func arrivingSoonReachesEachDoorTheRiderMayKnockAtBeforeTheNextScan() throws {
        let engine = try DeskCity.engine()
        let here = DeskCity.hub
        // Set up between two scans, so the scan at t0 is the first to see the route.
        try engine.submit(Event(id: "on", at: t0 - 290, by: "feed", body: .shiftStarted(rider: "R1")))
        let window = TimeWindow(start: t0 - 600, end: t0 + 3 * 3600)
        // A door round the corner, one 2 km on, one in the next zone.
        let doors = [("O-A", GeoPoint(lat: here.lat, lon: here.lon + 0.002)), ("O-B", GeoPoint(lat: here.lat, lon: here.lon + 0.02)),
                     ("O-C", GeoPoint(lat: here.lat, lon: -43.35))]
        for (index, (id, door)) in doors.enumerated() {
            try engine.submit(Event(id: "o\(index)", at: t0 - 280, by: "feed", body: .orderCreated(DeskCity.order(id, at: door, window: window))))
        }
        for (index, (id, _)) in doors.enumerated() {
            try engine.submit(Event(id: "up\(index)", at: t0 - 200, by: "feed", body: .pickupDone(rider: "R1", order: id)))
        }
        try engine.submit(Event(id: "p", at: t0 - 60, by: "feed", body: .riderPosition(rider: "R1", position: here)))
        let stops = (Outlook(world: engine.world, now: t0).lanes["R1"]?.stops ?? []).filter { $0.kind == .delivery }
        let lead = Policy.standard.arrivingSoon
        // The route as timed: the next door within the lead, the second past it and before the next scan's lead, the
        // third beyond both.
        try #require(stops.map(\.order) == ["O-A", "O-B", "O-C"], "\(stops)")
        #expect(stops[0].eta <= t0 + lead && stops[1].eta > t0 + lead && stops[1].eta <= t0 + lead + Engine.scanInterval
                    && stops[2].eta > t0 + lead + Engine.scanInterval, "\(stops.map { $0.eta - t0 })")
        engine.advance(to: t0 + 30)
        let told = ["O-A", "O-B", "O-C"].map { engine.world.orders[$0]?.notifiedAt.map { $0 - t0 } }
        #expect(told == [0, 0, nil], "seconds after t0 each customer was told: \(told)")
    }

    @Test func arrivingSoonAtMostOncePerNotifyInterval() throws {
        let engine = try DeskCity.engine()
        try engine.submit(Event(id: "o", at: t0 - 600, by: "feed",
                                body: .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0 - 600, end: t0 + 3 * 3600)))))
        try engine.submit(Event(id: "on", at: t0 - 600, by: "feed", body: .shiftStarted(rider: "R1")))
        try engine.submit(Event(id: "up", at: t0 - 300, by: "feed", body: .pickupDone(rider: "R1", order: "O-1")))
        let nearby = GeoPoint(lat: far.lat + 0.003, lon: far.lon)
        var told: [Instant] = []
        for minute in stride(from: 0, through: 45, by: 5) {
            let now = t0 + Int64(minute) * 60
            // The rider stands a few hundred metres from the door, phone on.
            try engine.submit(Event(id: "p\(minute)", at: now, by: "feed", body: .riderPosition(rider: "R1", position: nearby)))
            engine.advance(to: now + 30)
            if let at = engine.world.orders["O-1"]?.notifiedAt, told.last != at { told.append(at) }
        }
        let interval = Policy.standard.notifyInterval
        #expect(told.count == 2, "\(told)")
        #expect(told.count < 2 || told[1] - told[0] >= interval)
    }
}
