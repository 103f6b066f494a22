import Foundation
import Testing
@testable import TowerCore

/// One event of every type, for round trips.
enum SampleEvents {
    static let t0 = ISOTime.parse("2026-11-17T10:00:00-03:00")!.instant
    static let window = TimeWindow(start: t0 + 3600, end: t0 + 7200)

    static var all: [Event] {
        let profile = RiderProfile(id: "R1", name: "Ana M.", channel: .thirdParty, vehicle: .van, capacityParcels: 80, capacityKg: 600,
                                   skills: [.bulky, .idCheck], shift: TimeWindow(start: t0, end: t0 + 8 * 3600), costPerHour: 0,
                                   costPerKm: 0.15, costPerDrop: 3.4, hub: "H1", zone: "Z1")
        let order = Order(id: "O-1", createdAt: t0, pickup: .hub("H1"), drop: GeoPoint(lat: -22.91, lon: -43.19), zone: "Z1",
                          window: window, promised: TimeWindow(start: t0 + 3900, end: t0 + 6600), serviceSeconds: 180, tier: .express,
                          requiredSkills: [.idCheck], parcels: 2, kg: 3.5, customerName: "Caio R.", contactToken: "c-1",
                          notes: "portão azul", pinnedRider: "R1", readyAt: t0 + 1800)
        var channelTerms = ChannelTests.terms
        channelTerms.ownFleetZones = ["Z1"]
        channelTerms.thirdPartyRates[2].zone = "Z1"
        let bodies: [EventBody] = [
            .sessionStarted(name: "test", seed: 42, utcOffsetSeconds: -10800, source: "simulation"),
            .zoneDefined(Zone(id: "Z1", name: "Centro", area: GeoBox(south: -22.95, west: -43.25, north: -22.85, east: -43.15), baseSpeedKmh: 18)),
            .hubDefined(Hub(id: "H1", name: "Cidade Nova", location: GeoPoint(lat: -22.91, lon: -43.2), zone: "Z1")),
            .riderRegistered(profile),
            .channelsDefined(channelTerms),
            .orderCreated(order),
            .orderUpdated(order: "O-1", changes: OrderChanges(window: window, drop: GeoPoint(lat: -22.9, lon: -43.18), tier: .critical, parcels: 3, kg: 4, notes: "ring twice", readyAt: t0 + 2400)),
            .orderCancelled(order: "O-1", reason: "customer request"),
            .shiftStarted(rider: "R1"), .shiftEnded(rider: "R1"),
            .riderPosition(rider: "R1", position: GeoPoint(lat: -22.9012345, lon: -43.1987654)),
            .stopArrived(rider: "R1", order: "O-1", kind: .delivery),
            .pickupDone(rider: "R1", order: "O-1"), .deliveryDone(rider: "R1", order: "O-1"),
            .deliveryFailed(rider: "R1", order: "O-1", reason: .addressProblem),
            .trafficIncident(incident: "inc-1", zone: "Z1", slowdown: 0.35, until: t0 + 3600, note: "accident"),
            .riderBreakdown(rider: "R1", note: "flat tyre"), .riderRecovered(rider: "R1"), .orderPinned(order: "O-1", rider: "R1"),
            .orderAssigned(order: "O-1", rider: "R1", reason: "cheapest"),
            .orderReassigned(order: "O-1", from: "R1", to: "R2", reason: "breakdown"),
            .orderUnassigned(order: "O-1", reason: "no rider"),
            .routePlanned(rider: "R1", stops: [Stop(order: "O-1", kind: .pickup, eta: t0 + 60), Stop(order: "O-1", kind: .delivery, eta: t0 + 4000)],
                          trigger: "plan lock", costBefore: 0, costAfter: 12.75),
            .customerNotified(order: "O-1", kind: .delayed, message: "Your parcel will arrive by 12:30", window: nil),
            .customerNotified(order: "O-1", kind: .delayed, message: "New window", window: TimeWindow(start: t0 + 600, end: t0 + 2400)),
            .exceptionRaised(exception: "X-1", kind: .predictedLate, subject: "O-1", detail: "ETA 12:10 after window 12:00"),
            .exceptionAutoResolved(exception: "X-1", action: Remedy(.resequence, "R1"), rule: "routine: keeps every SLA"),
            .exceptionEscalated(exception: "X-1", options: [EscalationOption(action: Remedy(.reassign, "O-1", target: "R2"), summary: "to R2", costDelta: 4.5, lateBefore: 2, lateAfter: 1),
                                                            EscalationOption(action: Remedy(.notify, "O-1"), summary: "new window", costDelta: 0)],
                                deadline: t0 + 900, defaultAction: Remedy(.notify, "O-1"), reason: "a critical order is involved"),
            .exceptionEscalated(exception: "X-2", options: [EscalationOption(action: Remedy.none, summary: "watch", costDelta: 0)],
                                deadline: t0 + 300, defaultAction: Remedy.none, reason: "no rider can take 3 orders", covering: ["O-2", "O-3"]),
            .exceptionApproved(exception: "X-1", option: 2, operator: "maria"),
            .exceptionRejected(exception: "X-1", operator: "maria", reason: "too costly"),
            .exceptionDefaulted(exception: "X-1", option: 0),
            .decisionUndone(decision: "e24", operator: "maria"),
            .checkpoint(part: 1, parts: 2, state: "{\"engine\":"),
            .etaRetrained(version: "a1b2c3d4", rows: 400),
        ]
        return bodies.enumerated().map { Event(id: "e\($0.offset)", seq: Int64($0.offset + 1), at: t0, by: "test", body: $0.element) }
    }
}

@Suite struct EventCodecTests {
    @Test func coversEveryEventType() {
        #expect(Set(SampleEvents.all.map(\.type)) == Set(EventType.allCases))
    }

    @Test(arguments: SampleEvents.all)
    func roundTripsThroughTheLineFormat(event: Event) throws {
        let line = EventCodec.encode(event, utcOffsetSeconds: -10800)
        let decoded = try EventCodec.decode(line: line)
        #expect(decoded.event == event)
        #expect(decoded.warnings.isEmpty)
    }

    @Test func theDaysPolicyIsWrittenAndAJournalWithoutItStillReads() throws {
        let event = Event(id: "e0", at: Instant(seconds: 1_763_370_000), by: "sim",
                          body: .sessionStarted(name: "test", seed: 42, utcOffsetSeconds: -10800, source: "simulation", currency: "BRL",
                                                etaModel: "m1", policy: "continuous-auto"))
        let line = EventCodec.encode(event, utcOffsetSeconds: -10800)
        #expect(String(decoding: line, as: UTF8.self).contains(#""policy":"continuous-auto""#))
        #expect(try EventCodec.decode(line: line).event == event)
        let older = #"{"v":1,"id":"e0","at":"2026-11-17T06:00:00-03:00","by":"sim","type":"session.started","name":"test","utc_offset_s":-10800,"source":"simulation"}"#
        guard case let .sessionStarted(_, _, _, _, _, _, policy, _) = try EventCodec.decode(line: Array(older.utf8)).event.body else {
            Issue.record("not a session start"); return
        }
        #expect(policy.isEmpty)
    }

    /// The longest lines are the core's own: a van's route of 1,000 parcels with 64-byte order ids (pickups and
    /// deliveries, about 250 KB). With a 64 KB limit a route of 450 stops was journaled and no restart could read it.
    @Test func theLongestRouteTheCoreCanPlanReadsBack() throws {
        let id = { (index: Int) in "O-" + String(index) + String(repeating: "_", count: 62 - String(index).count) }
        let stops = (0..<1000).flatMap { [Stop(order: id($0), kind: .pickup, eta: SampleEvents.t0 + Int64($0)),
                                          Stop(order: id($0), kind: .delivery, eta: SampleEvents.t0 + 4000 + Int64($0))] }
        let event = Event(id: "d1", seq: 1, at: SampleEvents.t0, by: Event.core,
                          body: .routePlanned(rider: "R1", stops: stops, trigger: "06:00 plan", costBefore: 0, costAfter: 1234.5))
        let line = EventCodec.encode(event, utcOffsetSeconds: -10800)
        #expect(line.count > 200_000)
        #expect(try EventCodec.decode(line: line).event == event)
    }

    @Test func roundTripsThroughCodable() throws {
        let events = SampleEvents.all
        let data = try JSONEncoder().encode(events)
        #expect(try JSONDecoder().decode([Event].self, from: data) == events)
    }

    @Test func writesAStableLine() {
        let event = Event(id: "f-1", seq: 7, at: SampleEvents.t0, by: "feed", body: .riderPosition(rider: "R1", position: GeoPoint(lat: -22.9, lon: -43.2)))
        #expect(String(decoding: EventCodec.encode(event, utcOffsetSeconds: -10800), as: UTF8.self)
            == #"{"v":1,"seq":7,"id":"f-1","at":"2026-11-17T10:00:00-03:00","by":"feed","type":"rider.position","rider":"R1","lat":-22.9,"lon":-43.2}"#)
    }

    @Test func refusesANewerFormat() {
        let line = #"{"v":2,"id":"x","at":"2026-11-17T10:00:00Z","type":"rider.shift_started","rider":"R1"}"#
        #expect(throws: EventError(field: "v", reason: "format version 2 is newer than this Tower reads (1)")) { try EventCodec.decode(line: Array(line.utf8)) }
    }

    /// Exception kinds, actions and message kinds are vocabularies: a journal line with a word outside them is refused
    /// with the field and the words it knows, never carried into the world as a string.
    @Test func exceptionKindsActionsAndNoticeKindsAreReadAsTheirVocabularies() {
        let head = #"{"v":1,"id":"d1","at":"2026-11-17T10:00:00-03:00","by":"core","#
        func decode(_ rest: String) throws { _ = try EventCodec.decode(line: Array((head + rest).utf8)) }
        #expect(throws: EventError(field: "kind", reason: "unknown value \"rider_sleeping\"; expected one of "
                                   + ExceptionKind.allCases.map(\.rawValue).joined(separator: ", "))) {
            try decode(#""type":"exception.raised","exception":"E-1","kind":"rider_sleeping","subject":"R1"}"#)
        }
        #expect(throws: EventError(field: "action", reason: "\"teleport:R1\" is not an action (like reassign:O-17:R05, notify:O-17 or none)")) {
            try decode(#""type":"exception.auto_resolved","exception":"E-1","action":"teleport:R1","rule":"x"}"#)
        }
        #expect(throws: EventError(field: "options[0].action", reason: "\"reassign:O-1\" is not an action (like reassign:O-17:R05, notify:O-17 or none)")) {
            try decode(#""type":"exception.escalated","exception":"E-1","options":[{"action":"reassign:O-1","summary":"s","cost_delta":1}],"deadline":"2026-11-17T10:15:00-03:00","default":"none"}"#)
        }
        #expect(throws: EventError(field: "kind", reason: "unknown value \"sorry\"; expected one of "
                                   + NoticeKind.allCases.map(\.rawValue).joined(separator: ", "))) {
            try decode(#""type":"customer.notified","order":"O-1","kind":"sorry","message":"m"}"#)
        }
    }
    /// The orders an escalation also covers are ids, each once.
    @Test func anEscalationsCoveredOrdersAreDistinctIDs() {
        let head = #"{"v":1,"id":"d1","at":"2026-11-17T10:00:00-03:00","by":"core","type":"exception.escalated","exception":"E-1","#
            + #""options":[{"action":"none","summary":"s","cost_delta":0}],"deadline":"2026-11-17T10:15:00-03:00","default":"none","covering":"#
        func decode(_ rest: String) throws { _ = try EventCodec.decode(line: Array((head + rest + "}").utf8)) }
        #expect(throws: EventError(field: "covering[1]", reason: "\"O-2\" is listed twice")) { try decode(#"["O-2","O-2"]"#) }
        #expect(throws: EventError(field: "covering[0]", reason: "expected a string, got a number")) { try decode("[7]") }
        #expect(throws: EventError(field: "covering", reason: "expected an array, got a string")) { try decode(#""O-2""#) }
        #expect(throws: EventError(field: "covering[0]", reason: "ids may hold only letters, digits and - _ . : / # @")) { try decode(#"["O 2"]"#) }
    }
}
