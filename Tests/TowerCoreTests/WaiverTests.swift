import Foundation
import Testing
@testable import TowerCore

/// Orders the channel rules keep from every rider who could carry them: a person may waive the rules (`waive`), the
/// core never does.
@Suite struct WaiverTests {
    static let t0 = DeskCity.t0
    /// A door in zone Z2, outside the own fleet's zones.
    static let outside = GeoPoint(lat: -22.92, lon: -43.35)

    /// Own riders R1 and R2 keep to Z1; the 3PL's only rider, R3, has broken down. An order in Z2 then has no rider
    /// under the rules (own: outside its zones; gig: out-of-zone orders go to the 3PL), and R1 or R2 could carry it.
    static func engine(orders ids: [String] = ["O-1"], policy: Policy = .standard) throws -> Engine {
        let engine = try DeskCity.engine(policy: policy)
        var terms = ChannelTerms()
        terms.ownFleetZones = ["Z1"]
        var n = 0
        func submit(_ body: EventBody, at: Instant) throws {
            n += 1
            try engine.submit(Event(id: "w\(n)", at: at, by: "test", body: body))
        }
        try submit(.channelsDefined(terms), at: t0 - 1000)
        for rider in ["R1", "R2", "R3"] { try submit(.shiftStarted(rider: rider), at: t0 - 900) }
        try submit(.riderBreakdown(rider: "R3", note: "van off the road"), at: t0 - 800)
        for id in ids {
            var order = DeskCity.order(id, at: outside, window: TimeWindow(start: t0, end: t0 + 90 * 60))
            order.zone = "Z2"
            try submit(.orderCreated(order), at: t0 - 600)
        }
        return engine
    }

    static func escalated(_ engine: Engine) throws -> ExceptionCase {
        try #require(engine.world.exceptions.values.first { $0.escalationReason != nil })
    }

    static func approval(_ id: String, option: Int = 1, by name: String, role: Role?, at: Instant) -> Event {
        Event(id: "a-\(name)-\(at.seconds)", at: at, by: name, body: .exceptionApproved(exception: id, option: option, operator: name), role: role)
    }

    @Test func theCaseOffersAWaiverThatOnlyASupervisorApproves() throws {
        let engine = try Self.engine()
        engine.advance(to: Self.t0)
        #expect(engine.world.orders["O-1"]?.rider == nil)
        let escalation = try Self.escalated(engine)
        let waiver = try #require(escalation.options.first?.action)
        #expect(waiver.kind == .waive && waiver.subject == "O-1" && ["R1", "R2"].contains(waiver.target ?? ""), "\(escalation.options.map(\.action))")
        #expect(escalation.options.dropFirst().map(\.action) == [Remedy(.cannotDeliver, "O-1"), Remedy.none])
        #expect(escalation.defaultAction == Remedy(.cannotDeliver, "O-1"), "nobody answering tells the customer, never waives")
        let reason = escalation.escalationReason ?? ""
        #expect(reason.contains("no rider can take O-1 under the channel rules (own: zone Z2 is outside the own fleet's zones; gig: out-of-zone orders go to the 3PL)"), "\(reason)")
        #expect(reason.contains("a person may waive them (\(waiver.target!) can carry O-1)"), "\(reason)")

        #expect { try engine.submit(Self.approval(escalation.id, by: "maria", role: nil, at: Self.t0 + 60)) } throws: {
            ($0 as? EventError)?.reason == "the option waives the channel rules: a supervisor must approve it (maria is a dispatcher)"
        }
        #expect(engine.world.orders["O-1"]?.rider == nil)
        var reasons: [String] = []
        engine.observer = { if case let .orderAssigned("O-1", _, reason) = $0.body { reasons.append(reason) } }
        try engine.submit(Self.approval(escalation.id, by: "ana", role: .supervisor, at: Self.t0 + 120))
        #expect(engine.world.orders["O-1"]?.rider == waiver.target)
        #expect(reasons.count == 1 && reasons[0].hasSuffix("waiving the channel rule (own: zone Z2 is outside the own fleet's zones)"), "\(reasons)")
    }

    /// Even under a policy whose default is the best option, and the waiver is the best.
    @Test func nobodyAnsweringNeverWaivesTheRules() throws {
        var policy = Policy.standard
        policy.rules[.unassignedOrder]?.defaultChoice = .best
        let engine = try Self.engine(policy: policy)
        engine.advance(to: Self.t0)
        let escalation = try Self.escalated(engine)
        #expect(escalation.options.first?.action.kind == .waive)
        var told: [String] = []
        engine.observer = { if case let .customerNotified("O-1", .cannotDeliver, message, nil) = $0.body { told.append(message) } }
        engine.advance(to: Self.t0 + 40 * 60)
        #expect(engine.world.exceptions[escalation.id]?.state == .defaulted)
        #expect(engine.world.orders["O-1"]?.rider == nil, "the default tells the customer; it does not waive the rules")
        #expect(told == ["Hi C O-1, we are sorry: your order O-1 cannot come between 10:00-11:30. We will contact you to arrange a new time."])
    }

    /// One case for several orders: the waiver puts each on a rider who can carry it.
    @Test func aWaiverForSeveralOrdersPlacesEachOfThem() throws {
        let ids = ["O-1", "O-2", "O-3"]
        let engine = try Self.engine(orders: ids)
        engine.advance(to: Self.t0)
        let escalation = try Self.escalated(engine)
        #expect(([escalation.subject] + escalation.covering).sorted() == ids)
        let waiver = try #require(escalation.options.first)
        #expect(waiver.action.kind == .waive && waiver.summary.contains("(and "), "\(waiver.summary)")
        try engine.submit(Self.approval(escalation.id, by: "ana", role: .supervisor, at: Self.t0 + 60))
        for id in ids { #expect(engine.world.orders[id]?.rider != nil, "\(id)") }
    }

    /// The case's own order needs a skill nobody has, so no waiver places it; the others only the rules keep. The
    /// waiver is still offered, on the first of them, and places them all.
    @Test func aCaseWhoseOwnOrderNoWaiverPlacesStillOffersOneForTheOthers() throws {
        let engine = try Self.engine(orders: [])
        for id in ["O-1", "O-2", "O-3"] {
            var order = DeskCity.order(id, at: Self.outside, window: TimeWindow(start: Self.t0, end: Self.t0 + 90 * 60))
            order.zone = "Z2"
            if id == "O-1" { order.requiredSkills = [.coldChain] }
            try engine.submit(Event(id: "o-\(id)", at: Self.t0 - 600, by: "test", body: .orderCreated(order)))
        }
        engine.advance(to: Self.t0)
        let escalation = try Self.escalated(engine)
        #expect(escalation.subject == "O-1" && escalation.covering == ["O-2", "O-3"], "\(escalation.subject) + \(escalation.covering)")
        let waiver = try #require(escalation.options.first?.action)
        #expect(waiver.kind == .waive && waiver.subject == "O-2" && ["R1", "R2"].contains(waiver.target ?? ""), "\(escalation.options.map(\.action))")
        let reason = escalation.escalationReason ?? ""
        #expect(reason.contains("the channel rules keep O-2 (own: zone Z2 is outside the own fleet's zones; gig: out-of-zone orders go to the 3PL)"), "\(reason)")
        #expect(reason.contains("a person may waive them (\(waiver.target!) can carry O-2)"), "\(reason)")
        try engine.submit(Self.approval(escalation.id, by: "ana", role: .supervisor, at: Self.t0 + 60))
        for id in ["O-2", "O-3"] { #expect(engine.world.orders[id]?.rider != nil, "\(id)") }
        #expect(engine.world.orders["O-1"]?.rider == nil, "nobody can carry cold chain, waiver or not")
    }

    /// A failed attempt late in the day that only the channel rules keep anyone from trying again (the 3PL's rider who
    /// tried goes home at 16:00; a gig rider on until 20:00 may not take an order outside its zone): the case offers
    /// the waiver, and a supervisor's approval puts the failed order on the gig rider for a new attempt, journaled as a
    /// reassignment from the rider who tried.
    @Test func aWaiverOnAFailedOrderPutsItOnTheRiderWhoCanTryAgain() throws {
        let engine = try DeskCity.engine()
        var n = 0
        func submit(_ body: EventBody, at: Instant) throws {
            n += 1
            try engine.submit(Event(id: "f\(n)", at: at, by: "test", body: body))
        }
        var terms = ChannelTerms()
        terms.ownFleetZones = ["Z1"]
        try submit(.channelsDefined(terms), at: Self.t0 - 1000)
        var gig = DeskCity.rider("G1", channel: .gig)
        gig.shift = TimeWindow(start: Self.t0, end: Self.t0 + 10 * 3600)
        try submit(.riderRegistered(gig), at: Self.t0 - 1000)
        try submit(.shiftStarted(rider: "R3"), at: Self.t0 - 900)
        let window = TimeWindow(start: Self.t0 + 5 * 3600, end: Self.t0 + 6 * 3600)  // 15:00-16:00
        var order = DeskCity.order("O-1", at: Self.outside, window: window)
        order.zone = "Z2"
        try submit(.orderCreated(order), at: Self.t0 - 600)
        #expect(engine.world.orders["O-1"]?.rider == "R3")
        try submit(.shiftStarted(rider: "G1"), at: Self.t0)
        try submit(.pickupDone(rider: "R3", order: "O-1"), at: Self.t0 + 4 * 3600)
        let failedAt = Self.t0 + 5 * 3600 + 40 * 60
        try submit(.deliveryFailed(rider: "R3", order: "O-1", reason: .customerAbsent), at: failedAt)
        let failure = try #require(engine.world.exceptions.values.first { $0.subject == "O-1" && $0.kind == .failedAttempt })
        #expect(failure.state == .escalated)
        let waiver = try #require(failure.options.first?.action)
        #expect(waiver == Remedy(.waive, "O-1", target: "G1"), "\(failure.options.map(\.action))")
        var moved: [EventBody] = []
        engine.observer = { if case .orderReassigned = $0.body { moved.append($0.body) } }
        try engine.submit(Self.approval(failure.id, by: "ana", role: .supervisor, at: failedAt + 120))
        #expect(moved.count == 1, "\(moved)")
        if case let .orderReassigned(id, from, to, reason)? = moved.first {
            #expect(id == "O-1" && from == "R3" && to == "G1", "\(moved)")
            #expect(reason.contains("waiving the channel rule (gig: out-of-zone orders go to the 3PL)"), "\(reason)")
        }
        let now = try #require(engine.world.orders["O-1"])
        #expect(now.rider == "G1" && now.status == .assigned, "\(now.status)")
        #expect(engine.world.routes["G1"]?.stops.contains { $0.order == "O-1" && $0.kind == .delivery } == true, "a new attempt is planned")
    }

    @Test func aDispatchersPinTheRulesRefuseSaysASupervisorMayWaiveThem() throws {
        let engine = try Self.engine()
        let pin = { (role: Role?, at: Instant) in
            Event(id: "pin-\(at.seconds)", at: at, by: "ana", body: .orderPinned(order: "O-1", rider: "R1"), role: role)
        }
        #expect { try engine.submit(pin(nil, Self.t0 - 300)) } throws: {
            ($0 as? EventError)?.reason == "R1 cannot take O-1 now: R1 is own: zone Z2 is outside the own fleet's zones; a supervisor may waive the channel rules"
        }
        #expect { _ = try engine.preview(pin: "O-1", to: "R1", by: "ana", at: Self.t0 - 300) } throws: { $0 is EventError }
        let preview = try engine.preview(pin: "O-1", to: "R1", by: "ana", as: .supervisor, at: Self.t0 - 300)
        #expect(preview.remedy == Remedy(.waive, "O-1", target: "R1"))
        // What keeps the rider from carrying it is not waived: R3 has broken down.
        #expect { try engine.submit(Event(id: "pin-r3", at: Self.t0 - 280, by: "ana", body: .orderPinned(order: "O-1", rider: "R3"), role: .supervisor)) } throws: {
            ($0 as? EventError)?.reason == "R3 cannot take O-1 now: R3 has broken down"
        }
        var reasons: [String] = []
        engine.observer = { if case let .orderAssigned("O-1", _, reason) = $0.body { reasons.append(reason) } }
        try engine.submit(pin(.supervisor, Self.t0 - 240))
        #expect(engine.world.orders["O-1"]?.rider == "R1" && engine.world.orders["O-1"]?.pinnedRider == "R1")
        #expect(reasons == ["put on R1 by ana; waiving the channel rule (own: zone Z2 is outside the own fleet's zones)"])
    }

    @Test func aPolicyCannotListOrDefaultToAWaiver() {
        for line in ["actions = handoff, waive", "actions = handoff\ndefault = waive", "actions = handoff, cannot_deliver"] {
            #expect(throws: ToolError.self, "\(line)") { try PolicyParser.parse("[unassigned_order]\n\(line)\n", file: "p.conf") }
            do { _ = try PolicyParser.parse("[unassigned_order]\n\(line)\n", file: "p.conf") } catch {
                #expect("\(error)".contains("is offered by the core on an order no rider can take"), "\(error)")
            }
        }
    }
}
