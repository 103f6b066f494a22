import Foundation
import Testing
@testable import TowerCore

/// The core checks every operator decision against the roster, whatever its source, and journals the role.
@Suite struct AuthorityTests {
    let t0 = DeskCity.t0

    /// An engine with one escalation waiting whose every option is above the cost limit (the limit is below 0).
    func engine(roster: Roster?) throws -> (Engine, exception: String, sink: MemorySink) {
        var policy = Policy.standard
        policy.costLimit = -1
        let sink = MemorySink()
        let engine = Engine(journal: sink, settings: EngineSettings(planLock: t0 - 3600, policy: policy))
        for (index, body) in DeskCity.setting.enumerated() { try engine.submit(Event(id: "s\(index)", at: t0 - 7200, by: "test", body: body)) }
        try engine.submit(Event(id: "o", at: t0 - 600, by: "feed", body: .orderCreated(DeskCity.order("O-1", at: DeskCity.hub, window: TimeWindow(start: t0, end: t0 + 3600)))))
        try engine.submit(Event(id: "on", at: t0 - 600, by: "feed", body: .shiftStarted(rider: "R1")))
        engine.raise(Finding(.contradictoryEvent, "O-1", "delivered before pickup"), at: t0)
        let id = try #require(engine.world.exceptions.values.first { $0.state == .escalated }?.id)
        engine.authority = Authority(roster: roster)
        return (engine, id, sink)
    }

    func approval(_ exception: String, by name: String, role: Role? = nil) -> Event {
        Event(id: "a-\(name)-\(role?.rawValue ?? "none")", at: t0 + 60, by: name, body: .exceptionApproved(exception: exception, option: 1, operator: name), role: role)
    }

    let roster = Roster(roles: ["maria": .dispatcher, "ana": .supervisor])

    @Test func aFeedLineApprovingAboveTheLimitForARosterDispatcherIsRefused() throws {
        let (engine, id, _) = try engine(roster: roster)
        #expect(throws: EventError.self) { try engine.submit(approval(id, by: "maria")) }
        do { try engine.submit(approval(id, by: "maria", role: .supervisor)); Issue.record("a claimed role above the roster's was taken") } catch {
            #expect(error.reason == "maria is a dispatcher on the roster and cannot act as supervisor")
        }
        do { try engine.submit(approval(id, by: "mallory", role: .supervisor)); Issue.record("someone off the roster decided") } catch {
            #expect(error.reason == "mallory is not on the roster")
        }
        #expect(engine.world.exceptions[id]?.state == .escalated)
    }

    @Test func aRosterSupervisorApprovesAndTheRoleIsJournaled() throws {
        let (engine, id, sink) = try engine(roster: roster)
        try engine.submit(approval(id, by: "ana"))
        #expect(engine.world.exceptions[id]?.state == .approved)
        let journaled = try #require(sink.events.last { $0.type == .exceptionApproved })
        #expect(journaled.role == .supervisor, "the role comes from the roster and is journaled")
        let line = EventCodec.encode(journaled, utcOffsetSeconds: 0)
        #expect(String(decoding: line, as: UTF8.self).contains(#""role":"supervisor""#))
    }

    @Test func withoutARosterALineActsAsADispatcherUnlessItClaimsMore() throws {
        let (engine, id, _) = try engine(roster: nil)
        #expect(throws: EventError.self, "no role claimed: a dispatcher") { try engine.submit(approval(id, by: "maria")) }
        try engine.submit(approval(id, by: "maria", role: .supervisor))
        #expect(engine.world.exceptions[id]?.state == .approved, "on trust, as the README says of a team without a roster")
    }
}

/// A journal in memory: every event the engine wrote, in order.
final class MemorySink: EventSink {
    private(set) var events: [Event] = []
    func append(_ event: Event) throws { events.append(event) }
    func endStep() throws {}
    func sync() {}
    func syncIfDue() {}
}

@Suite struct AuthorityScopeTests {
    @Test func aRoleOnAnythingButADecisionIsNotJournaled() throws {
        let sink = MemorySink()
        let engine = Engine(journal: sink, settings: EngineSettings(planLock: DeskCity.t0 - 3600))
        for (index, body) in DeskCity.setting.enumerated() { try engine.submit(Event(id: "s\(index)", at: DeskCity.t0 - 7200, by: "test", body: body)) }
        try engine.submit(Event(id: "p", at: DeskCity.t0, by: "feed", body: .shiftStarted(rider: "R1"), role: .supervisor))
        #expect(sink.events.last { $0.id == "p" }?.role == nil)
    }
}

@Suite struct OperatorNameTests {
    /// A name begins the id of each of its decisions (`maria@1234`): one the journal's reader would refuse, or too
    /// long to leave room for the number, would leave a journal no restart can read.
    @Test func anOperatorNameMustMakeDecisionIdsTheJournalReadsBack() throws {
        #expect(OperatorIdentity.problem(name: "maria.silva") == nil)
        #expect(OperatorIdentity.problem(name: "CORP\\maria")?.contains("letters, digits") == true)
        #expect(OperatorIdentity.problem(name: "maria silva") != nil)
        let longest = String(repeating: "m", count: OperatorIdentity.maxNameBytes)
        #expect(OperatorIdentity.problem(name: longest) == nil)
        #expect(OperatorIdentity.problem(name: longest + "m") == "longer than 48 bytes")
        // The longest name's decision ids read back up to a journal of 10¹⁵ lines (a city of 2,000 riders writes about
        // 1.2 million a day).
        try FieldReader.checkID(longest + "@999999999999999", field: "id")
    }
}
