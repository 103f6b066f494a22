import Testing
@testable import TowerCore

/// The policy's rules on priced options: routine or ambiguous, and why; the default at the deadline.
@Suite struct TriageTests {
    let triage = Triage(policy: .standard)

    func option(_ remedy: Remedy, cost: Double, late: Int = 0, keeps: Bool = true, critical: Bool = false,
                touched: Set<String> = ["O-1"]) -> RemedyPlanner.Outcome {
        RemedyPlanner.Outcome(remedy: remedy, bodies: [], costDelta: cost, lateBefore: 1, lateAfter: late, keepsWindows: keeps, notified: 0,
                              touchesCritical: critical, touched: touched, summary: remedy.description)
    }

    func reasons(_ kind: ExceptionKind, _ outcomes: [RemedyPlanner.Outcome], critical: Bool = false, pending: [String: String] = [:],
                 policy: Policy = .standard) -> [String] {
        let triage = Triage(policy: policy)
        return triage.escalationReasons(kind: kind, subjectIsCritical: critical, ranked: triage.ranked(outcomes, for: kind), pending: pending)
    }

    let resequence = Remedy(.resequence, "R1")
    let reassign = Remedy(.reassign, "O-1", target: "R2")
    let notify = Remedy(.notify, "O-1")

    @Test func fewestLateFirstThenCheapestThenThePolicysOrder() {
        let ranked = triage.ranked([option(notify, cost: 0, late: 1, keeps: false), option(reassign, cost: 5), option(resequence, cost: 5)],
                                   for: .predictedLate)
        #expect(ranked.map(\.remedy) == [resequence, reassign, notify], "equal cost and lateness: resequence is listed first")
    }

    @Test func theBestKeepingEveryWindowWithinTheLimitIsRoutine() {
        #expect(reasons(.predictedLate, [option(reassign, cost: 12), option(notify, cost: 0, late: 1, keeps: false)]).isEmpty)
        #expect(triage.routineRule(option(reassign, cost: 12)) == "routine: no new lateness; reassign:O-1:R2; limit 40")
    }

    @Test func aCostAboveTheLimitGoesToASupervisor() {
        #expect(reasons(.predictedLate, [option(reassign, cost: 40.5)]) == ["the best action costs 40.5 units, above the limit of 40"])
        var strict = Policy.standard
        strict.costLimit = 10
        #expect(reasons(.predictedLate, [option(reassign, cost: 12)], policy: strict) == ["the best action costs 12 units, above the limit of 10"])
    }

    @Test func aCriticalOrderGoesToASupervisorWhenThereIsAChoice() {
        let cheaper = option(notify, cost: 0, late: 1, keeps: false)
        #expect(reasons(.predictedLate, [option(reassign, cost: 30), cheaper], critical: true) == ["a critical order is involved"])
        #expect(reasons(.riderStalled, [option(Remedy(.reassignAll, "R1"), cost: 30, critical: true), cheaper]) == ["a critical order is involved"],
                "an action that moves a critical order, on a case about a rider")
        #expect(reasons(.predictedLate, [option(reassign, cost: 1)], critical: true).isEmpty,
                "the best is also the cheapest: nothing to choose, the core takes it")
        #expect(reasons(.predictedLate, [option(reassign, cost: 10), cheaper], critical: true).isEmpty,
                "saving less than a broken promise's price by breaking one is no choice")
        var always = Policy.standard
        always.escalateCritical = .always
        #expect(reasons(.predictedLate, [option(reassign, cost: 1)], critical: true, policy: always) == ["a critical order is involved"])
        var never = Policy.standard
        never.escalateCritical = .never
        #expect(reasons(.predictedLate, [option(reassign, cost: 1), cheaper], critical: true, policy: never).isEmpty)
    }

    @Test func whenNoOptionKeepsTheWindowsACheaperOneLosingMoreIsATradeOff() {
        let costly = option(reassign, cost: 20, late: 1, keeps: false)
        let cheap = option(notify, cost: 0, late: 2, keeps: false)
        #expect(reasons(.predictedLate, [costly, cheap]) == ["no option keeps every window, and the cheaper ones lose more"])
        #expect(reasons(.predictedLate, [costly]).isEmpty, "nothing cheaper: the best is also the cheapest")
        #expect(reasons(.lateNow, [costly, cheap]).isEmpty, "late_now is routine on cost alone")
    }

    @Test func anActionOnWhatAnotherEscalationWaitsOnConflicts() {
        #expect(reasons(.predictedLate, [option(reassign, cost: 1)], pending: ["O-1": "E-0007"]) == ["it touches O-1, which E-0007 is waiting on"])
        #expect(reasons(.predictedLate, [option(reassign, cost: 1)], pending: ["O-2": "E-0007"]).isEmpty)
    }

    @Test func neverMeansAlwaysAskAndEveryReasonIsSaid() {
        #expect(reasons(.criticalWaiting, [option(Remedy(.handoff, "O-1", target: "R3"), cost: 50), option(.none, cost: 0, late: 1, keeps: false)],
                        critical: true) == [
            "the policy always asks a supervisor", "a critical order is involved", "the best action costs 50 units, above the limit of 40",
        ])
    }

    @Test func theDeadlineDefaultIsTheBestNothingOrTheNamedAction() {
        let options = [option(reassign, cost: 5), option(Remedy(.nextSlot, "O-1"), cost: 3), option(notify, cost: 0)]
        #expect(triage.fallback(for: .predictedLate, options: options).remedy == reassign)
        #expect(triage.fallback(for: .contradictoryEvent, options: options).remedy == .none)
        #expect(triage.fallback(for: .unassignedOrder, options: options).remedy == Remedy(.nextSlot, "O-1"))
        #expect(triage.fallback(for: .unassignedOrder, options: [option(notify, cost: 0)]).remedy == .none, "the named action is not among the options")
    }

    @Test func aDefaultNeverSpendsAboveTheLimitNobodyApproved() {
        let options = [option(reassign, cost: 72.98), option(Remedy(.nextSlot, "O-1"), cost: 50), option(notify, cost: 1)]
        let fallback = triage.fallback(for: .predictedLate, options: options)
        #expect(fallback.remedy == notify, "the best option within the limit of 40")
        #expect(fallback.note?.contains("costs 72.98 units, above the limit of 40 that no one approved: it falls back to notify") == true)
        let nothing = triage.fallback(for: .predictedLate, options: Array(options.prefix(2)))
        #expect(nothing.remedy == .none)
        #expect(triage.fallback(for: .predictedLate, options: [option(notify, cost: 1)]).note == nil)
    }
}

/// The rules applied by the engine: routine cases resolved with the numbers, conflicts and cases not yet due kept
/// waiting, cooldowns,
/// disabled kinds and thresholds from the policy.
@Suite struct TriageEngineTests {
    let t0 = DeskCity.t0
    let far = GeoPoint(lat: -22.93, lon: -43.17)

    /// An engine with O-1 on one of two riders on shift, nobody reporting a position.
    func engine(policy: Policy = .standard) throws -> (Engine, holder: String) {
        let engine = try DeskCity.engine(policy: policy)
        try engine.submit(Event(id: "o", at: t0 - 600, by: "feed",
                                body: .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0, end: t0 + 3 * 3600)))))
        for rider in ["R1", "R2"] { try engine.submit(Event(id: "on-\(rider)", at: t0 - 600, by: "feed", body: .shiftStarted(rider: rider))) }
        return (engine, try #require(engine.world.orders["O-1"]?.rider))
    }

    func cases(_ engine: Engine, _ kind: ExceptionKind, _ subject: String) -> [ExceptionCase] {
        engine.world.exceptions.values.filter { $0.kind == kind && $0.subject == subject }.sorted { $0.id < $1.id }
    }

    @Test func aRoutineCaseIsResolvedAtOnceWithTheRuleAndTheNumbers() throws {
        let (engine, holder) = try engine()
        engine.raise(Finding(.riderOffline, holder, "no position"), at: t0)
        let resolved = try #require(cases(engine, .riderOffline, holder).first)
        #expect(resolved.state == .autoResolved && resolved.decidedBy == "core")
        #expect(resolved.resolution == .action(Remedy(.askRider, holder)))
        #expect(resolved.rule?.hasPrefix("routine: no new lateness; ask \(holder)") == true, "\(resolved.rule ?? "")")
        #expect(resolved.rule?.hasSuffix("limit 40") == true)
    }

    @Test func aCaseTouchingWhatAnEscalationWaitsOnWaitsForItAndIsJudgedOnceItIsDecided() throws {
        let (engine, holder) = try engine()
        engine.raise(Finding(.contradictoryEvent, "O-1", "delivered before pickup"), at: t0)
        let waiting = try #require(cases(engine, .contradictoryEvent, "O-1").first)
        #expect(waiting.state == .escalated)
        engine.raise(Finding(.riderOffline, holder, "no position"), at: t0 + 60)
        let second = try #require(cases(engine, .riderOffline, holder).first)
        #expect(second.state == .open, "part of \(waiting.id)'s decision: it waits, not a second escalation")
        try engine.submit(Event(id: "no", at: t0 + 120, by: "maria", body: .exceptionRejected(exception: waiting.id, operator: "maria", reason: "checked")))
        engine.advance(to: t0 + 10 * 60)
        let judged = try #require(cases(engine, .riderOffline, holder).first)
        #expect(judged.id == second.id && judged.state == .autoResolved, "the same case, judged at the next scan")
        #expect(cases(engine, .riderOffline, holder).count == 1)
    }

    @Test func anOrdersTroubleIsPartOfItsRidersPendingCase() throws {
        var policy = Policy.standard
        policy.rules[.riderOffline] = Policy.Rule(actions: [.askRider, .reassignAll], routine: .never)
        policy.deadline = 3 * 3600
        let engine = try DeskCity.engine(policy: policy)
        try engine.submit(Event(id: "o", at: t0 - 600, by: "feed",
                                body: .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0 - 3600, end: t0 + 30 * 60)))))
        try engine.submit(Event(id: "on", at: t0 - 600, by: "feed", body: .shiftStarted(rider: "R1")))
        engine.advance(to: t0 + 90 * 60)
        let riderCase = try #require(cases(engine, .riderOffline, "R1").first, "silent: offline")
        #expect(riderCase.state == .escalated)
        let orderCases = engine.world.exceptions.values.filter { $0.subject == "O-1" }
        #expect(orderCases.isEmpty, "O-1's lateness is part of R1's case: \(orderCases.map(\.kind))")
        try engine.submit(Event(id: "no", at: t0 + 91 * 60, by: "maria", body: .exceptionRejected(exception: riderCase.id, operator: "maria", reason: "checked")))
        engine.advance(to: t0 + 100 * 60)
        #expect(!engine.world.exceptions.values.filter { $0.subject == "O-1" }.isEmpty, "raised once R1's case is decided")
    }

    @Test func aCaseGoesToAPersonOnlyWhenAWindowItTouchesIsDue() throws {
        var policy = Policy.standard
        policy.rules[.riderOffline] = Policy.Rule(actions: [.askRider], routine: .never)
        policy.decisionHorizon = 2 * 3600
        let (engine, holder) = try engine(policy: policy)
        engine.advance(to: t0 + 30 * 60)
        let watched = try #require(cases(engine, .riderOffline, holder).first, "silent: offline")
        #expect(watched.state == .open, "O-1 is due at 13:00, beyond the two-hour horizon")
        engine.advance(to: t0 + 65 * 60)
        let due = try #require(cases(engine, .riderOffline, holder).first)
        #expect(due.id == watched.id && due.state == .escalated, "escalated once 13:00 is within the horizon")
        #expect(cases(engine, .riderOffline, holder).count == 1)
    }

    @Test func aResolvedCaseIsNotRaisedAgainUntilItsCooldownHasPassed() throws {
        let (engine, holder) = try engine()
        engine.advance(to: t0 + 10 * 60)
        let first = try #require(cases(engine, .riderOffline, holder).first, "silent for 20 minutes: offline")
        let resolvedAt = try #require(first.resolvedAt, "asked at once: routine")
        let cooldown = Policy.standard.rule(.riderOffline).cooldown
        engine.advance(to: resolvedAt + cooldown - 60)
        #expect(cases(engine, .riderOffline, holder).count == 1, "within the cooldown")
        engine.advance(to: resolvedAt + cooldown + 5 * 60)
        #expect(cases(engine, .riderOffline, holder).count == 2, "still silent after the cooldown")
    }

    @Test func thresholdsAndSwitchesComeFromThePolicy() throws {
        var patient = Policy.standard
        patient.thresholds.offline = 40 * 60
        let (slow, slowHolder) = try engine(policy: patient)
        slow.advance(to: t0 + 20 * 60)
        #expect(cases(slow, .riderOffline, slowHolder).isEmpty, "30 minutes of silence is within a 40-minute threshold")
        slow.advance(to: t0 + 35 * 60)
        #expect(cases(slow, .riderOffline, slowHolder).count == 1)

        var off = Policy.standard
        off.rules[.riderOffline]?.enabled = false
        let (quiet, quietHolder) = try engine(policy: off)
        quiet.advance(to: t0 + 60 * 60)
        #expect(cases(quiet, .riderOffline, quietHolder).isEmpty)
    }
}

/// Remedies keep the channel rules: a 3PL order moved to a slot whose wave is full leaves the 3PL.
@Suite struct RemedyRuleTests {
    @Test func aNextSlotInAFullThirdPartyWaveMovesTheOrderOffThe3PL() throws {
        let t0 = DeskCity.t0
        let far = GeoPoint(lat: -22.93, lon: -43.17)
        var terms = ChannelTerms()
        terms.thirdPartyWaves = [.init(start: 6 * 3600, end: 12 * 3600, value: 5), .init(start: 12 * 3600, end: 22 * 3600, value: 1)]
        func on3PL(_ id: String, window: TimeWindow) -> [EventBody] {
            [.orderCreated(DeskCity.order(id, at: far, window: window)), .orderAssigned(order: id, rider: "R3", reason: "t")]
        }
        // O-1 due 11:00–12:00 and O-2 due 12:00–13:00, both with the 3PL; the afternoon wave holds one order.
        var bodies: [EventBody] = [.channelsDefined(terms), .shiftStarted(rider: "R1"), .shiftStarted(rider: "R3")]
        bodies += on3PL("O-1", window: TimeWindow(start: t0 + 3600, end: t0 + 7200))
        bodies += on3PL("O-2", window: TimeWindow(start: t0 + 7200, end: t0 + 3 * 3600))
        bodies.append(.routePlanned(rider: "R3", stops: ["O-1", "O-2"].flatMap { [Stop(order: $0, kind: .pickup, eta: t0), Stop(order: $0, kind: .delivery, eta: t0 + 3600)] },
                                    trigger: "t", costBefore: 0, costAfter: 1))
        let world = DeskCity.world(bodies)
        #expect(world.thirdPartyWaveLoad() == [1, 1])

        let remedies = RemedyPlanner(planner: InsertionPlanner(), policy: .standard)
        let draft = try remedies.decisions(for: Remedy(.nextSlot, "O-1"), in: world, now: t0, because: "test")
        let moved = try #require(draft.world.orders["O-1"])
        #expect(moved.window.start == t0 + 7200, "the next slot starts at 12:00, in the afternoon wave")
        #expect(draft.bodies.contains { if case let .orderUnassigned(order, reason) = $0 { order == "O-1" && reason.contains("is full (1/1)") } else { false } })
        #expect(moved.rider == "R1", "an own rider on shift takes it")
        #expect(draft.world.thirdPartyWaveLoad() == [0, 1], "the afternoon wave is not overfilled")
        #expect(draft.world.routes["R3"]?.stops.contains { $0.order == "O-1" } == false)
    }
}
