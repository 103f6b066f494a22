import Foundation
import Testing
@testable import TowerCore

/// `order.pinned`: a dispatcher puts an order on a rider (`:assign` on the board).
@Suite struct PinTests {
    static let drop = GeoPoint(lat: -22.92, lon: -43.19)

    /// R1 and R2 on shift; O-1 booked and placed by the core on one of them.
    static func engine() throws -> Engine {
        let engine = try DeskCity.engine()
        var n = 0
        func submit(_ body: EventBody, at: Instant = DeskCity.t0) throws {
            n += 1
            try engine.submit(Event(id: "p\(n)", at: at, by: "test", body: body))
        }
        try submit(.shiftStarted(rider: "R1"))
        try submit(.shiftStarted(rider: "R2"))
        try submit(.orderCreated(DeskCity.order("O-1", at: drop, window: TimeWindow(start: DeskCity.t0 + 1800, end: DeskCity.t0 + 5400))))
        return engine
    }

    static func pin(_ order: String, _ rider: String, at: Instant = DeskCity.t0 + 60) -> Event {
        Event(id: "ana@\(order)-\(rider)-\(at.seconds)", at: at, by: "ana", body: .orderPinned(order: order, rider: rider))
    }

    @Test func movesTheOrderToTheRiderWithTheReasonAndKeepsThePin() throws {
        let engine = try Self.engine()
        let from = try #require(engine.world.orders["O-1"]?.rider)
        let to = from == "R1" ? "R2" : "R1"
        let preview = try engine.preview(pin: "O-1", to: to, by: "ana", at: DeskCity.t0 + 60)
        #expect(preview.bodies.contains { if case .orderReassigned("O-1", from, to, _) = $0 { true } else { false } })
        var committed: [Event] = []
        engine.observer = { committed.append($0) }
        try engine.submit(Self.pin("O-1", to))
        #expect(engine.world.orders["O-1"]?.rider == to)
        #expect(engine.world.orders["O-1"]?.pinnedRider == to)
        #expect(engine.world.routes[to]?.stops.contains { $0.order == "O-1" } == true)
        #expect(engine.world.routes[from]?.stops.contains { $0.order == "O-1" } != true)
        #expect(committed.contains { if case let .orderReassigned("O-1", _, _, reason) = $0.body { reason == "put on \(to) by ana" } else { false } })
    }

    @Test func aPinToTheRiderItIsWithChangesNothingElse() throws {
        let engine = try Self.engine()
        let with = try #require(engine.world.orders["O-1"]?.rider)
        let before = engine.world.lastSeq
        try engine.submit(Self.pin("O-1", with))
        #expect(engine.world.lastSeq == before + 1)
        #expect(engine.world.orders["O-1"]?.pinnedRider == with)
    }

    @Test func refusesWhatCannotBeDone() throws {
        let engine = try Self.engine()
        let with = try #require(engine.world.orders["O-1"]?.rider)
        let other = with == "R1" ? "R2" : "R1"
        #expect { try engine.submit(Self.pin("O-9", "R1")) } throws: { ($0 as? EventError)?.reason == "unknown order \"O-9\"" }
        #expect { try engine.submit(Self.pin("O-1", "R9")) } throws: { ($0 as? EventError)?.reason == "unknown rider \"R9\"" }
        // R3 has broken down.
        try engine.submit(Event(id: "bd", at: DeskCity.t0 + 30, by: "test", body: .riderBreakdown(rider: "R3", note: "flat tyre")))
        #expect { try engine.submit(Self.pin("O-1", "R3")) } throws: { ($0 as? EventError)?.reason == "R3 cannot take O-1 now: R3 has broken down" }
        #expect { _ = try engine.preview(pin: "O-1", to: "R3", by: "ana", at: DeskCity.t0 + 60) } throws: { $0 is EventError }

        try engine.submit(Event(id: "pk", at: DeskCity.t0 + 120, by: "test", body: .pickupDone(rider: with, order: "O-1")))
        #expect { try engine.submit(Self.pin("O-1", other, at: DeskCity.t0 + 180)) } throws: {
            ($0 as? EventError)?.reason == "order \"O-1\" is already on board with \(with)"
        }
        #expect(engine.world.orders["O-1"]?.rider == with)
    }
}

@Suite struct AllocationReasonTests {
    @Test func anAssignmentSaysWhyThisChannelAndWhatTheOthersWouldCost() throws {
        let engine = try DeskCity.engine()
        var reasons: [String] = []
        engine.observer = { event in
            if case let .orderAssigned(_, _, reason) = event.body { reasons.append(reason) }
        }
        try engine.submit(Event(id: "a1", at: DeskCity.t0, by: "test", body: .shiftStarted(rider: "R1")))
        let window = TimeWindow(start: DeskCity.t0 + 1800, end: DeskCity.t0 + 5400)
        try engine.submit(Event(id: "a2", at: DeskCity.t0, by: "test", body: .orderCreated(DeskCity.order("O-1", at: PinTests.drop, window: window))))
        let reason = try #require(reasons.last)
        // The chosen channel, rider, marginal cost and window fit; then each other channel's best or why none.
        #expect(reason.range(of: #"^(own|3pl) R\d [+-]\d+\.\d\d(, wave slot \d+\.\d\d)?, (on time|late by \d+ min); next: "#, options: .regularExpression) != nil, "\(reason)")
        #expect(reason.contains("gig: none can take it"), "\(reason)")
    }

    /// The day's plan states the same comparison for each order it places.
    @Test func theDaysPlanSaysWhyEachChannel() throws {
        let scenario = try TestCity.scenario()
        var reasons: [String] = []
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        session.engine.observer = { event in
            if case let .orderAssigned(_, _, reason) = event.body, event.at == scenario.planLock { reasons.append(reason) }
        }
        session.simulation.run(until: scenario.planLock, engine: session.engine)
        #expect(reasons.count > 20)
        for reason in reasons {
            #expect(reason.range(of: #"^06:00 plan: (pinned by the dispatcher; )?(own|3pl|gig) R\d+ [+-]\d+\.\d\d(, wave slot \d+\.\d\d)?, (on time|late by \d+ min)(; next: .+)?$"#,
                                 options: .regularExpression) != nil, "\(reason)")
        }
        #expect(reasons.contains { $0.contains("; next: ") })
    }

    /// A refused pin says why, so the dispatcher can choose another rider: each thing that keeps a rider from an
    /// order, in words, and nothing when the rider can take it.
    @Test func aRefusalNamesWhatKeepsTheRiderFromTheOrder() throws {
        let world = DeskCity.world([.shiftStarted(rider: "R1")])
        let planner = InsertionPlanner()
        let now = DeskCity.t0
        let rider = try #require(world.riders["R1"])
        let base = DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: TimeWindow(start: now, end: now + 3600))
        #expect(planner.refusal(rider, base, now: now, in: world) == nil && planner.canServe(rider, base, now: now, in: world))
        var bulky = base
        bulky.requiredSkills = [.bulky, .idCheck]
        var heavy = base
        heavy.kg = 75
        var many = base
        many.parcels = 30
        var evening = base
        evening.window = TimeWindow(start: now + 7 * 3600, end: now + 8 * 3600)
        var broken = rider
        broken.status = .brokenDown
        let cases: [(Rider, Order, Instant, String)] = [
            (rider, bulky, now, "O-1 needs bulky and id_check, which R1 does not have"),
            (rider, heavy, now, "O-1 weighs 75 kg, over R1's 60 kg"),
            (rider, many, now, "O-1 is 30 parcels, over R1's 20"),
            (rider, evening, now, "O-1's window opens at 17:00, after R1's shift ends at 16:00"),
            (rider, base, now + 5 * 3600 + 1800, "R1's shift ends at 16:00"),
            (broken, base, now, "R1 has broken down"),
        ]
        for (rider, order, at, reason) in cases {
            #expect(planner.refusal(rider, order, now: at, in: world) == reason)
            #expect(!planner.canServe(rider, order, now: at, in: world), "\(reason)")
        }
        // The channel's rules come last, named with the channel: an own rider outside the own fleet's zones.
        var terms = ChannelTerms()
        terms.ownFleetZones = ["Z2"]
        var zoned = world
        zoned.apply(Event(id: "terms", at: now, by: "test", body: .channelsDefined(terms)))
        #expect(planner.refusal(rider, base, now: now, in: zoned) == "R1 is own: zone Z1 is outside the own fleet's zones")
        #expect(!planner.canServe(rider, base, now: now, in: zoned))
    }
}
