import Foundation
import Testing
@testable import TowerCore

@Suite struct WorldTests {
    /// A world holding the sample setting: zone Z1, hub H1, rider R1, the channel terms and order O-1.
    static func world() -> World {
        var world = World()
        for event in SampleEvents.all.prefix(6) { world.apply(event) }
        return world
    }

    /// An input by "test", or a decision by the core (only the core makes decisions).
    static func event(_ id: String, _ body: EventBody, minutes: Int64 = 0) -> Event {
        Event(id: id, at: SampleEvents.t0 + minutes * 60, by: body.type.origin == .input ? "test" : Event.core, body: body)
    }

    @Test func followsAnOrderThroughItsLife() throws {
        var world = Self.world()
        let steps: [EventBody] = [
            .shiftStarted(rider: "R1"),
            .orderAssigned(order: "O-1", rider: "R1", reason: "test"),
            .routePlanned(rider: "R1", stops: [Stop(order: "O-1", kind: .pickup, eta: SampleEvents.t0),
                                               Stop(order: "O-1", kind: .delivery, eta: SampleEvents.t0 + 3600)],
                          trigger: "test", costBefore: 0, costAfter: 1),
            .pickupDone(rider: "R1", order: "O-1"),
            .riderPosition(rider: "R1", position: GeoPoint(lat: -22.9, lon: -43.18)),
            .deliveryDone(rider: "R1", order: "O-1"),
        ]
        for (index, body) in steps.enumerated() {
            let event = Self.event("x\(index)", body, minutes: Int64(index))
            try world.check(event)
            world.apply(event)
        }
        let order = try #require(world.orders["O-1"])
        #expect(order.status == .delivered)
        #expect(order.attempts == 1)
        let rider = try #require(world.riders["R1"])
        #expect(rider.loadParcels == 0 && rider.delivered == 1 && rider.kmDriven > 0)
        #expect(rider.status == .idle)
        #expect(world.routes["R1"]?.stops.isEmpty == true)
    }

    @Test func cancellationTakesTheOrderOffItsRoute() throws {
        var world = Self.world()
        world.apply(Self.event("a", .orderAssigned(order: "O-1", rider: "R1", reason: "")))
        world.apply(Self.event("b", .routePlanned(rider: "R1", stops: [Stop(order: "O-1", kind: .pickup, eta: SampleEvents.t0)],
                                                  trigger: "", costBefore: 0, costAfter: 0)))
        world.apply(Self.event("c", .orderCancelled(order: "O-1", reason: "changed mind")))
        #expect(world.orders["O-1"]?.status == .cancelled)
        #expect(world.routes["R1"]?.stops.isEmpty == true)
        #expect(throws: EventError(field: "order", reason: "order \"O-1\" is already cancelled")) {
            try world.check(Self.event("d", .orderCancelled(order: "O-1", reason: "")))
        }
    }

    @Test func contradictoryFeedEventsLeaveTheWorldConsistent() throws {
        var world = Self.world()
        // Delivered before it was picked up, then delivered again.
        world.apply(Self.event("a", .deliveryDone(rider: "R1", order: "O-1")))
        world.apply(Self.event("b", .deliveryDone(rider: "R1", order: "O-1")))
        #expect(world.orders["O-1"]?.attempts == 1)
        #expect(world.riders["R1"]?.delivered == 1)
        #expect(world.riders["R1"]?.loadParcels == 0)
    }

    @Test func refusesReferencesToUnknownThings() {
        let world = Self.world()
        #expect(throws: EventError(field: "rider", reason: "unknown rider \"R9\"")) { try world.check(Self.event("a", .shiftStarted(rider: "R9"))) }
        #expect(throws: EventError(field: "zone", reason: "unknown zone \"Z9\"")) {
            try world.check(Self.event("b", .trafficIncident(incident: "i", zone: "Z9", slowdown: 0.5, until: SampleEvents.t0 + 60, note: "")))
        }
        #expect(throws: EventError(field: "stops[0].order", reason: "unknown order \"O-9\"")) {
            try world.check(Self.event("c", .routePlanned(rider: "R1", stops: [Stop(order: "O-9", kind: .pickup, eta: SampleEvents.t0)],
                                                          trigger: "", costBefore: 0, costAfter: 0)))
        }
    }

    @Test func digestIsStableAndSensitive() {
        var a = Self.world(), b = Self.world()
        #expect(a.digest == b.digest)
        #expect(a.digest.count == 64)
        b.apply(Self.event("p", .riderPosition(rider: "R1", position: GeoPoint(lat: -22.9, lon: -43.18))))
        #expect(a.digest != b.digest)
        a.apply(Self.event("p", .riderPosition(rider: "R1", position: GeoPoint(lat: -22.9, lon: -43.18))))
        #expect(a.digest == b.digest)
    }

    @Test func trafficSlowsItsZoneWhileActive() {
        var world = Self.world()
        world.apply(Self.event("i", .trafficIncident(incident: "i1", zone: "Z1", slowdown: 0.5, until: SampleEvents.t0 + 600, note: "")))
        #expect(world.slowdown(zone: "Z1", at: SampleEvents.t0 + 60) == 0.5)
        #expect(world.slowdown(zone: "Z1", at: SampleEvents.t0 + 601) == 1)
    }
}

/// An order's cases found by the index are those a walk of every case finds, also for a world decoded (index not
/// built) and after its first event (index built from what it decoded).
@Suite struct OrderCaseIndexTests {
    func walk(_ world: World, _ order: String) -> [String] {
        world.exceptions.values.filter { $0.subject == order || $0.covering.contains(order) }
            .sorted { ($0.raisedAt, $0.id) < ($1.raisedAt, $1.id) }.map(\.id)
    }

    @Test func anOrdersCasesAreItsOwnAndThoseCoveringIt() throws {
        var world = DeskCity.world()
        let bodies: [EventBody] = [
            .exceptionRaised(exception: "E-1", kind: .unassignedOrder, subject: "O-2", detail: "d"),
            .exceptionRaised(exception: "E-2", kind: .predictedLate, subject: "O-1", detail: "d"),
            .exceptionEscalated(exception: "E-1", options: [], deadline: DeskCity.t0 + 900, defaultAction: .none, reason: "r", covering: ["O-1", "O-3"]),
            .exceptionRaised(exception: "E-3", kind: .riderStalled, subject: "R1", detail: "d"),
            .exceptionRaised(exception: "E-4", kind: .lateNow, subject: "O-1", detail: "d"),
        ]
        for (index, body) in bodies.enumerated() {
            world.apply(Event(id: "c\(index)", at: DeskCity.t0 + Int64(index) * 60, by: Event.core, body: body))
        }
        #expect(world.cases(about: "O-1").map(\.id) == ["E-1", "E-2", "E-4"])
        #expect(world.cases(about: "O-3").map(\.id) == ["E-1"])
        #expect(world.cases(about: "O-9").isEmpty)
        for order in ["O-1", "O-2", "O-3", "R1"] { #expect(world.cases(about: order).map(\.id) == walk(world, order)) }

        var decoded = try JSONDecoder().decode(World.self, from: JSONEncoder().encode(world))
        #expect(!decoded.orderCases.isBuilt)
        #expect(decoded.cases(about: "O-1").map(\.id) == ["E-1", "E-2", "E-4"])
        decoded.apply(Event(id: "c9", at: DeskCity.t0 + 600, by: Event.core, body: .exceptionRaised(exception: "E-5", kind: .lateNow, subject: "O-3", detail: "d")))
        #expect(decoded.orderCases.isBuilt)
        #expect(decoded.cases(about: "O-3").map(\.id) == ["E-1", "E-5"])
        #expect(decoded.cases(about: "O-1").map(\.id) == ["E-1", "E-2", "E-4"])
    }
}
