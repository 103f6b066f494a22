import Foundation
import Testing
@testable import TowerCore

/// `decision.undone`: an operator takes back their last decision within two minutes, before any of its effects has
/// started; the core puts back what it moved and re-plans, journaled like any decision.
@Suite struct UndoTests {
    let t0 = DeskCity.t0
    let far = GeoPoint(lat: -22.93, lon: -43.17)

    /// An engine with O-1 and O-2 planned on R1, R2 on shift with nothing.
    func engine() throws -> Engine {
        let engine = try DeskCity.engine()
        for rider in ["R1", "R2"] { try engine.submit(Event(id: "on-\(rider)", at: t0 - 900, by: "feed", body: .shiftStarted(rider: rider))) }
        for (index, id) in ["O-1", "O-2"].enumerated() {
            let at = t0 - 600 + Int64(index) * 60
            try engine.submit(Event(id: id, at: at, by: "feed",
                                    body: .orderCreated(DeskCity.order(id, at: far, window: TimeWindow(start: t0, end: t0 + 3 * 3600)))))
            try engine.submit(Event(id: "pin-\(id)", at: at + 10, by: "feed", body: .orderPinned(order: id, rider: "R1")))
        }
        return engine
    }

    func undo(_ engine: Engine, _ decision: String, by op: String = "maria", at: Instant) throws {
        try engine.submit(Event(id: "undo-\(at.seconds)", at: at, by: op, body: .decisionUndone(decision: decision, operator: op)))
    }

    @Test func aMoveIsPutBackAndTheRouteReplanned() throws {
        let engine = try engine()
        let before = try #require(engine.world.routes["R1"]?.stops.map(\.order))
        try engine.submit(Event(id: "m1", at: t0, by: "maria", body: .orderPinned(order: "O-1", rider: "R2")))
        #expect(engine.world.orders["O-1"]?.rider == "R2")
        try undo(engine, "m1", at: t0 + 60)
        #expect(engine.world.orders["O-1"]?.rider == "R1", "back with the rider who had it")
        #expect(engine.world.orders["O-1"]?.pinnedRider == "R1", "the pin it had before")
        #expect(engine.world.routes["R1"]?.stops.map(\.order) == before, "R1's stops in their old order")
        #expect(engine.world.routes["R2"]?.stops.isEmpty ?? true)
        #expect(throws: EventError.self, "undone already") { try undo(engine, "m1", at: t0 + 90) }
    }

    @Test func anUndoIsRefusedAfterTwoMinutesOrOnceAnEffectHasStarted() throws {
        let engine = try engine()
        try engine.submit(Event(id: "m1", at: t0, by: "maria", body: .orderPinned(order: "O-1", rider: "R2")))
        #expect(engine.world.undoRefusal(of: "m1", by: "maria", at: t0 + 121)?.contains("more than 2 minutes ago") == true)
        #expect(engine.world.undoRefusal(of: "m1", by: "joao", at: t0 + 60)?.contains("not the last decision of joao") == true,
                "only the operator who made it")
        try engine.submit(Event(id: "p", at: t0 + 30, by: "feed", body: .pickupDone(rider: "R2", order: "O-1")))
        do {
            try undo(engine, "m1", at: t0 + 60)
            Issue.record("an undo after the pickup was taken")
        } catch let error as EventError {
            #expect(error.reason == "O-1 is picked up since", "\(error.reason)")
        }
        #expect(engine.world.orders["O-1"]?.rider == "R2")
    }

    @Test func anUndoneDecisionOnAnEscalationPutsItBackInTheQueueWithTheTimeItHadLeft() throws {
        let engine = try engine()
        engine.raise(Finding(.contradictoryEvent, "O-2", "delivered before pickup"), at: t0)
        let id = try #require(engine.world.exceptions.values.first { $0.subject == "O-2" }?.id)
        let deadline = try #require(engine.world.exceptions[id]?.deadline)
        try engine.submit(Event(id: "r1", at: t0 + 60, by: "maria", body: .exceptionRejected(exception: id, operator: "maria", reason: "checked")))
        #expect(engine.world.exceptions[id]?.state == .rejected)
        // The engine closes cases of its own (a rider offline) beside these two.
        let contradiction = { (exception: ExceptionCase) in exception.kind == .contradictoryEvent }
        #expect(engine.world.latestClosedCases(5, where: contradiction).map(\.id) == [id])
        try undo(engine, "r1", at: t0 + 100)
        #expect(engine.world.exceptions[id]?.state == .escalated)
        #expect(engine.world.exceptions[id]?.deadline == deadline + 40)
        #expect(engine.world.exceptions[id]?.decidedBy == nil)
        #expect(engine.world.latestClosedCases(5, where: contradiction).isEmpty, "back in the queue: not among the latest decisions")
        engine.raise(Finding(.contradictoryEvent, "O-1", "delivered before pickup"), at: t0 + 110)
        let other = try #require(engine.world.exceptions.values.first { $0.subject == "O-1" }?.id)
        try engine.submit(Event(id: "r2", at: t0 + 115, by: "maria", body: .exceptionRejected(exception: other, operator: "maria", reason: "checked")))
        try engine.submit(Event(id: "a1", at: t0 + 120, by: "maria", body: .exceptionApproved(exception: id, option: 1, operator: "maria")))
        #expect(engine.world.exceptions[id]?.state == .approved, "decided again")
        #expect(engine.world.latestClosedCases(5, where: contradiction).map(\.id) == [id, other], "newest first, each once")
        #expect(engine.world.latestClosedCases(1, where: contradiction).map(\.id) == [id])
        #expect(engine.world.latestClosedCases(5) { $0.subject == "O-1" && contradiction($0) }.map(\.id) == [other])
    }

    @Test func theUndoRoundTripsThroughTheJournalFormat() throws {
        let event = Event(id: "u", at: t0, by: "maria", body: .decisionUndone(decision: "maria@12", operator: "maria"))
        let decoded = try EventCodec.decode(line: EventCodec.encode(event, utcOffsetSeconds: -10800))
        #expect(decoded.event.body == event.body)
    }
}
