import Foundation
import Testing
@testable import TowerCore

/// A tiny city for the exception desk: zones Z1 and Z2 side by side, hub H1 in Z1, own riders R1 and R2, 3PL rider R3.
enum DeskCity {
    static let t0 = ISOTime.parse("2026-11-17T10:00:00-03:00")!.instant
    static let hub = GeoPoint(lat: -22.91, lon: -43.20)

    static func rider(_ id: String, channel: Channel = .own) -> RiderProfile {
        RiderProfile(id: id, name: "Rider \(id)", channel: channel, vehicle: .motorbike, capacityParcels: 20, capacityKg: 60, skills: [],
                     shift: TimeWindow(start: t0 - 4 * 3600, end: t0 + 6 * 3600), costPerHour: 12, costPerKm: 0.3, costPerDrop: 0,
                     hub: "H1", zone: "Z1")
    }

    static func order(_ id: String, at drop: GeoPoint, window: TimeWindow, tier: Tier = .standard) -> Order {
        Order(id: id, createdAt: t0 - 7200, pickup: .hub("H1"), drop: drop, zone: "Z1", window: window, promised: window, serviceSeconds: 120,
              tier: tier, requiredSkills: [], parcels: 1, kg: 2, customerName: "C \(id)", contactToken: "c-\(id)", notes: "")
    }

    static var setting: [EventBody] {
        [.sessionStarted(name: "desk", seed: 1, utcOffsetSeconds: -10800, source: "test"),
         .zoneDefined(Zone(id: "Z1", name: "One", area: GeoBox(south: -22.95, west: -43.25, north: -22.88, east: -43.15), baseSpeedKmh: 18)),
         .zoneDefined(Zone(id: "Z2", name: "Two", area: GeoBox(south: -22.95, west: -43.40, north: -22.88, east: -43.30), baseSpeedKmh: 18)),
         .hubDefined(Hub(id: "H1", name: "Hub", location: hub, zone: "Z1")),
         .riderRegistered(rider("R1")), .riderRegistered(rider("R2")), .riderRegistered(rider("R3", channel: .thirdParty))]
    }

    /// A world with the setting applied, and the given bodies after it, a minute apart from `t0 - 30 min`.
    static func world(_ bodies: [EventBody] = []) -> World {
        var world = World()
        for (index, body) in (setting + bodies).enumerated() {
            world.apply(Event(id: "w\(index)", at: t0 - 1800 + Int64(index) * 60, by: "test", body: body))
        }
        return world
    }

    /// An engine past its plan lock holding the setting, in `mode`.
    static func engine(mode: EngineSettings.Mode = .continuousAuto, policy: Policy = .standard) throws -> Engine {
        let engine = Engine(journal: nil, settings: EngineSettings(planLock: t0 - 3600, mode: mode, policy: policy))
        for (index, body) in setting.enumerated() { try engine.submit(Event(id: "s\(index)", at: t0 - 7200, by: "test", body: body)) }
        return engine
    }
}

@Suite struct DetectorTests {
    let detector = ExceptionDetector(thresholds: Policy.standard.thresholds)
    let far = GeoPoint(lat: -22.93, lon: -43.17)

    func scan(_ world: World, at now: Instant) -> [Finding] {
        detector.scan(world, outlook: Outlook(world: world, now: now), now: now)
    }

    func kinds(_ findings: [Finding], _ subject: String) -> [ExceptionKind] { findings.filter { $0.subject == subject }.map(\.kind) }

    /// R1 on shift with O-1 on its route, its delivery far from the hub.
    func assigned(window: TimeWindow) -> [EventBody] {
        [.orderCreated(DeskCity.order("O-1", at: far, window: window)), .shiftStarted(rider: "R1"),
         .orderAssigned(order: "O-1", rider: "R1", reason: "t"),
         .routePlanned(rider: "R1", stops: [Stop(order: "O-1", kind: .pickup, eta: DeskCity.t0), Stop(order: "O-1", kind: .delivery, eta: DeskCity.t0 + 900)],
                       trigger: "t", costBefore: 0, costAfter: 1),
         .pickupDone(rider: "R1", order: "O-1")]
    }

    @Test func aRiderStandingStillAwayFromItsStopIsStalledNotOffline() {
        let t0 = DeskCity.t0
        var world = DeskCity.world(assigned(window: TimeWindow(start: t0, end: t0 + 4 * 3600)))
        let stuck = GeoPoint(lat: -22.915, lon: -43.195)
        for minute in 0..<20 {
            world.apply(Event(id: "p\(minute)", at: t0 + Int64(minute) * 60, by: "test", body: .riderPosition(rider: "R1", position: stuck)))
        }
        #expect(kinds(scan(world, at: t0 + 19 * 60), "R1") == [.riderStalled])
        #expect(kinds(scan(world, at: t0 + 10 * 60), "R1").isEmpty, "not yet: 15 minutes without progress")
    }

    @Test func silenceIsOffline() {
        let world = DeskCity.world(assigned(window: TimeWindow(start: DeskCity.t0, end: DeskCity.t0 + 4 * 3600)))
        #expect(kinds(scan(world, at: DeskCity.t0 + 15 * 60), "R1") == [.riderOffline])
    }

    @Test func farFromThePathIsOffRouteAndOutsideItsZonesIsAGeofenceExit() {
        var world = DeskCity.world(assigned(window: TimeWindow(start: DeskCity.t0, end: DeskCity.t0 + 4 * 3600)))
        world.apply(Event(id: "x", at: DeskCity.t0, by: "t", body: .riderPosition(rider: "R1", position: GeoPoint(lat: -22.80, lon: -43.20))))
        let found = kinds(scan(world, at: DeskCity.t0 + 60), "R1")
        #expect(found.contains(.offRoute) && found.contains(.geofenceExit))
    }

    @Test func predictedLateBeforeTheWindowClosesThenLateNow() {
        let t0 = DeskCity.t0
        let world = DeskCity.world(assigned(window: TimeWindow(start: t0 - 3600, end: t0 - 1500 + 300)))
        // Promised by t0-1200; the rider is at the hub at t0-1500ish and needs well over 5 minutes.
        #expect(kinds(scan(world, at: t0 - 1500), "O-1") == [.predictedLate])
        #expect(kinds(scan(world, at: t0), "O-1") == [.lateNow])
    }

    /// The standard policy raises a case for an order predicted a minute or two past its promise (the one a
    /// resequence or another rider can still save), and none for one predicted inside it.
    @Test func predictedLateByAMinuteIsACaseUnderTheStandardPolicy() throws {
        let t0 = DeskCity.t0, now = t0 - 1500
        let wide = DeskCity.world(assigned(window: TimeWindow(start: t0 - 3600, end: t0 + 4 * 3600)))
        let eta = try #require(Outlook(world: wide, now: now).lanes["R1"]?.stops.first { $0.kind == .delivery }?.eta)
        let late = DeskCity.world(assigned(window: TimeWindow(start: t0 - 3600, end: eta - 90)))
        #expect(kinds(scan(late, at: now), "O-1") == [.predictedLate])
        let inTime = DeskCity.world(assigned(window: TimeWindow(start: t0 - 3600, end: eta + 60)))
        #expect(kinds(scan(inTime, at: now), "O-1").isEmpty)
    }

    @Test func ordersWithoutARiderNearTheirWindow() {
        let t0 = DeskCity.t0
        let world = DeskCity.world([
            .orderCreated(DeskCity.order("O-S", at: far, window: TimeWindow(start: t0, end: t0 + 3600))),
            .orderCreated(DeskCity.order("O-C", at: far, window: TimeWindow(start: t0, end: t0 + 3600), tier: .critical)),
            // Beyond the horizon, inside the riders' shifts (one after every shift is a case at once: RosterReachTests).
            .orderCreated(DeskCity.order("O-T", at: far, window: TimeWindow(start: t0 + 4 * 3600, end: t0 + 5 * 3600))),
        ])
        let found = scan(world, at: t0)
        #expect(kinds(found, "O-S") == [.unassignedOrder])
        #expect(kinds(found, "O-C") == [.criticalWaiting])
        #expect(kinds(found, "O-T").isEmpty, "its window is beyond the horizon")
        #expect(kinds(found, "Z1") == [.capacityShortfall], "no rider of Z1 is on shift")
    }

    @Test func eventsThatShowTroubleAsTheyArrive() {
        let world = DeskCity.world(assigned(window: TimeWindow(start: DeskCity.t0, end: DeskCity.t0 + 3600)))
        func found(_ body: EventBody, in world: World = world) -> [ExceptionKind] {
            detector.findings(for: Event(id: "e", at: DeskCity.t0, by: "feed", body: body), before: world).map(\.kind)
        }
        #expect(found(.deliveryFailed(rider: "R1", order: "O-1", reason: .customerAbsent)) == [.failedAttempt])
        #expect(found(.riderBreakdown(rider: "R1", note: "flat")) == [.riderBreakdown])
        #expect(found(.orderCancelled(order: "O-1", reason: "changed mind")) == [.cancelledAfterPickup])
        #expect(found(.deliveryDone(rider: "R1", order: "O-1")).isEmpty, "a normal delivery")
        var delivered = world
        delivered.apply(Event(id: "d", at: DeskCity.t0, by: "feed", body: .deliveryDone(rider: "R1", order: "O-1")))
        #expect(found(.deliveryDone(rider: "R1", order: "O-1"), in: delivered) == [.contradictoryEvent], "delivered twice")
        var fresh = DeskCity.world([.orderCreated(DeskCity.order("O-2", at: far, window: TimeWindow(start: DeskCity.t0, end: DeskCity.t0 + 3600)))])
        fresh.apply(Event(id: "a", at: DeskCity.t0, by: "t", body: .orderAssigned(order: "O-2", rider: "R2", reason: "")))
        #expect(found(.deliveryDone(rider: "R2", order: "O-2"), in: fresh) == [.contradictoryEvent], "delivered before pickup")
    }
}

@Suite struct PolicyTests {
    @Test func theShippedPolicyIsTheBuiltInOne() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let shipped = try PolicyParser.load(path: root.appendingPathComponent("sample-data/policy.conf").path)
        let standard = Policy.standard
        #expect(shipped.costLimit == standard.costLimit && shipped.deadline == standard.deadline)
        #expect(shipped.templates == standard.templates)
        for kind in ExceptionKind.allCases {
            let a = shipped.rule(kind), b = standard.rule(kind)
            #expect(a.actions == b.actions && a.routine == b.routine && a.defaultChoice == b.defaultChoice
                    && a.deadline == b.deadline && a.cooldown == b.cooldown, "\(kind)")
        }
    }

    @Test(arguments: [
        ("[general]\ncost_limit = lots\n", "p.conf line 2, [general] cost_limit: 'lots' is not a number"),
        ("[weather]\n", "p.conf line 1: unknown section [weather]"),
        ("[predicted_late]\nactions = notify, teleport\n", "p.conf line 2, [predicted_late] actions: unknown action 'teleport'"),
        ("[detect]\nstalled = 15\n", "p.conf line 2, [detect] stalled: '15' is not a duration"),
        ("[general]\ndecision_horizon = 3000h\n", "p.conf line 2, [general] decision_horizon: '3000h' is not a duration from 0 to 48h"),
        ("[detect]\nstalled = -5m\n", "p.conf line 2, [detect] stalled: '-5m' is not a duration from 0 to 48h"),
        ("cost_limit = 3\n", "p.conf line 1: 'cost_limit' comes before any [section]"),
        ("[late_now]\ndefault = resequence\n", "p.conf: [late_now] default 'resequence' is not one of its actions"),
        ("[general]\ncolour = blue\n", "p.conf line 2, [general] colour: unknown key"),
    ])
    func aBadPolicyIsRefusedNamingTheLine(text: String, expected: String) {
        do {
            _ = try PolicyParser.parse(text, file: "p.conf")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message.hasPrefix(expected), "\(error.message)")
        }
    }

    @Test func templatesFillOncePerPlaceholder() {
        #expect(Template.render("{order} and {eta} {c}") { [.order: "{eta}", .eta: "x"][$0] ?? "-" } == "{eta} and x {c}")
        #expect(Template.render("open { brace") { _ in "?" } == "open { brace")
    }

    @Test func remediesRoundTripTheirText() {
        for text in ["reassign:O-1:R2", "notify:O-1", "reassign_all:R1", "handoff_zone:Z1", "none"] {
            #expect(Remedy(text: text)?.description == text)
        }
        for bad in ["reassign:O-1", "teleport:O-1", "notify", "none:x", ""] { #expect(Remedy(text: bad) == nil, "\(bad)") }
    }
}

@Suite struct EscalationTests {
    let t0 = DeskCity.t0
    let far = GeoPoint(lat: -22.93, lon: -43.17)

    func submit(_ engine: Engine, _ id: String, _ body: EventBody, at: Instant, by: String = "feed") throws {
        try engine.submit(Event(id: id, at: at, by: by, body: body))
    }

    /// Journals `body` as the core's own decision at `at` (a case in a given state; a feed may not make one).
    func decide(_ engine: Engine, _ body: EventBody, at: Instant) {
        engine.advance(to: at)
        engine.decide(body, at: at)
        engine.endStep()
    }

    /// A delivery reported for an order nobody picked up: a contradiction, which the policy always escalates.
    func contradiction(mode: EngineSettings.Mode = .continuousAuto) throws -> (Engine, ExceptionCase) {
        let engine = try DeskCity.engine(mode: mode)
        try submit(engine, "o", .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0, end: t0 + 3 * 3600))), at: t0 - 600)
        try submit(engine, "on", .shiftStarted(rider: "R1"), at: t0 - 600)
        try submit(engine, "d", .deliveryDone(rider: "R2", order: "O-1"), at: t0)
        let exception = try #require(engine.world.exceptions.values.first { $0.kind == .contradictoryEvent })
        return (engine, exception)
    }

    @Test func anAmbiguousCaseWaitsWithRankedOptionsADeadlineAndADefault() throws {
        let (engine, exception) = try contradiction()
        let holder = try #require(engine.world.orders["O-1"]?.rider)
        #expect(exception.state == .escalated)
        #expect(exception.options.map(\.action) == [Remedy(.askRider, holder), Remedy.none])
        #expect(exception.deadline == t0 + 15 * 60)
        #expect(exception.defaultAction == Remedy.none)
        #expect(exception.escalationReason == "the policy always asks a supervisor")
    }

    @Test func approvalIsJournaledOnceAndRepeatsAreRefused() throws {
        let (engine, exception) = try contradiction()
        try submit(engine, "ok", .exceptionApproved(exception: exception.id, option: 1, operator: "maria"), at: t0 + 60, by: "maria")
        let decided = try #require(engine.world.exceptions[exception.id])
        #expect(decided.state == .approved && decided.decidedBy == "maria" && decided.resolution?.remedy?.kind == .askRider)
        #expect(throws: EventError(field: "exception", reason: "exception \"\(exception.id)\" is already approved")) {
            try submit(engine, "again", .exceptionApproved(exception: exception.id, option: 1, operator: "joao"), at: t0 + 120, by: "joao")
        }
        #expect(throws: EventError(field: "id", reason: "duplicate event id \"ok\"")) {
            try submit(engine, "ok", .exceptionApproved(exception: exception.id, option: 1, operator: "maria"), at: t0 + 120, by: "maria")
        }
    }

    @Test func optionsOutOfRangeAndUnknownCasesAreRefused() throws {
        let (engine, exception) = try contradiction()
        #expect(throws: EventError(field: "option", reason: "exception \"\(exception.id)\" has 2 options")) {
            try submit(engine, "x", .exceptionApproved(exception: exception.id, option: 3, operator: "maria"), at: t0 + 60)
        }
        #expect(throws: EventError(field: "exception", reason: "unknown exception \"E-9999\"")) {
            try submit(engine, "y", .exceptionRejected(exception: "E-9999", operator: "maria", reason: ""), at: t0 + 60)
        }
    }

    /// A feed, under any name but the core's, may not make the core's decisions: an assignment, a message, or a
    /// case's escalation, resolution or default from outside would be a decision the core never made (a second
    /// escalation of a waiting case would re-open its options and deadline; a default would close it unasked).
    /// Each is refused by its type and changes nothing.
    @Test func aFeedCannotMakeTheCoresDecisions() throws {
        let (engine, exception) = try contradiction()
        let holder = try #require(engine.world.orders["O-1"]?.rider)
        let before = engine.world.digest
        let decisions: [EventBody] = [
            .orderAssigned(order: "O-1", rider: "R2", reason: "feed"),
            .orderReassigned(order: "O-1", from: holder, to: "R2", reason: "feed"),
            .orderUnassigned(order: "O-1", reason: "feed"),
            .routePlanned(rider: holder, stops: [], trigger: "feed", costBefore: 0, costAfter: 0),
            .customerNotified(order: "O-1", kind: .delayed, message: "hi", window: nil),
            .exceptionRaised(exception: "E-X", kind: .predictedLate, subject: "O-1", detail: "feed"),
            .exceptionAutoResolved(exception: exception.id, action: .none, rule: "feed"),
            .exceptionEscalated(exception: exception.id, options: [], deadline: t0 + 3600, defaultAction: .none, reason: "feed"),
            .exceptionDefaulted(exception: exception.id, option: 0),
        ]
        for (index, body) in decisions.enumerated() {
            #expect(throws: EventError(field: "type", reason: "\(body.type) is written by the core itself, never taken as input"
                                        + (index < 2 ? " (to put an order on a rider, send order.pinned)" : ""))) {
                try submit(engine, "f\(index)", body, at: t0 + 60)
            }
        }
        #expect(engine.world.digest == before, "nothing a refused line said took effect")
        #expect(engine.world.exceptions[exception.id]?.state == .escalated && engine.world.exceptions[exception.id]?.deadline == t0 + 15 * 60)
    }

    @Test func nobodyAnsweringTakesTheDefaultAtTheDeadline() throws {
        let (engine, exception) = try contradiction()
        engine.advance(to: t0 + 14 * 60)
        #expect(engine.world.exceptions[exception.id]?.state == .escalated)
        engine.advance(to: t0 + 16 * 60)
        let decided = try #require(engine.world.exceptions[exception.id])
        #expect(decided.state == .defaulted && decided.resolution == .action(Remedy.none) && decided.decidedBy == "core")
    }

    @Test func observingModesRaiseButNeverAct() throws {
        let (engine, exception) = try contradiction(mode: .continuous)
        #expect(exception.state == .open && exception.options.isEmpty)
        engine.advance(to: t0 + 3600)
        #expect(engine.world.exceptions[exception.id]?.state == .open)
    }

    @Test func anApprovalTheWorldHasOutrunIsRefusedAsStaleAndAnotherOptionStillWorks() throws {
        let engine = try DeskCity.engine()
        try submit(engine, "o", .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0, end: t0 + 3 * 3600))), at: t0 - 600)
        for rider in ["R1", "R2"] { try submit(engine, "on-\(rider)", .shiftStarted(rider: rider), at: t0 - 600) }
        let holder = try #require(engine.world.orders["O-1"]?.rider)
        let other = holder == "R1" ? "R2" : "R1"
        decide(engine, .exceptionRaised(exception: "E-T", kind: .predictedLate, subject: "O-1", detail: "test"), at: t0)
        decide(engine, .exceptionEscalated(exception: "E-T", options: [
            EscalationOption(action: Remedy(.reassign, "O-1", target: "\(other)"), summary: "move it", costDelta: 3),
            EscalationOption(action: Remedy(.notify, "O-1"), summary: "tell", costDelta: 0),
            EscalationOption(action: Remedy(.resequence, "\(holder)"), summary: "reorder", costDelta: 0),
        ], deadline: t0 + 900, defaultAction: Remedy.none, reason: "test"), at: t0)
        try #require(engine.unmadeDecisions.isEmpty, "\(engine.unmadeDecisions)")
        try submit(engine, "b", .riderBreakdown(rider: other, note: "flat"), at: t0 + 60)
        #expect(throws: EventError(field: "option", reason: "stale: option 1 of E-T cannot be done now: \(other) cannot take O-1 now: \(other) has broken down")) {
            try submit(engine, "a1", .exceptionApproved(exception: "E-T", option: 1, operator: "maria"), at: t0 + 120)
        }
        #expect(engine.world.exceptions["E-T"]?.state == .escalated, "a refused approval changes nothing")
        try submit(engine, "r2", .riderRecovered(rider: other), at: t0 + 180)
        try submit(engine, "a1b", .exceptionApproved(exception: "E-T", option: 1, operator: "maria"), at: t0 + 240)
        #expect(engine.world.orders["O-1"]?.rider == other, "the approved option changed the plan")
        #expect(engine.world.routes[other]?.stops.contains { $0.order == "O-1" } == true)
    }

    /// An order no rider can take (it needs a skill nobody on shift has): the core neither moves its window to a
    /// slot nobody can serve either ("now planned for…" would be an empty promise) nor watches it silently; it is
    /// put before a person once, with telling the customer it cannot come (the default) and doing nothing as its
    /// options (cold chain is no rule to waive), and not raised again while nothing changes (each scan finds it; no
    /// case is opened only to be resolved "watching"). Nobody answers: the customer is told.
    @Test func anOrderNoRiderCanTakeGoesToAPersonOnceAndIsNotGivenAnEmptySlot() throws {
        let engine = try DeskCity.engine()
        for rider in ["R1", "R2", "R3"] { try submit(engine, "on-\(rider)", .shiftStarted(rider: rider), at: t0 - 900) }
        var order = DeskCity.order("O-1", at: far, window: TimeWindow(start: t0, end: t0 + 90 * 60))
        order.requiredSkills = [.coldChain]
        try submit(engine, "o", .orderCreated(order), at: t0 - 600)
        #expect(engine.world.orders["O-1"]?.rider == nil)
        #expect(throws: ToolError.self) {
            try RemedyPlanner(planner: InsertionPlanner(), policy: .standard).decisions(for: Remedy(.nextSlot, "O-1"), in: engine.world, now: t0, because: "test")
        }
        engine.advance(to: t0)
        let cases = { engine.world.exceptions.values.filter { $0.subject == "O-1" }.sorted { $0.id < $1.id } }
        let first = try #require(cases().first)
        #expect(first.kind == .unassignedOrder && first.state == .escalated)
        #expect(first.options.map(\.action) == [Remedy(.cannotDeliver, "O-1"), Remedy.none] && first.defaultAction == Remedy(.cannotDeliver, "O-1"))
        #expect(first.escalationReason?.contains("no rider can take O-1") == true, "\(first.escalationReason ?? "")")
        engine.advance(to: t0 + 80 * 60)
        let later = cases()
        #expect(later.map(\.id) == [first.id], "put to a person once, and raised no more: \(later.map(\.state))")
        #expect(engine.world.orders["O-1"]?.window == order.window, "the window is not moved to a slot nobody serves")
        #expect(engine.world.orders["O-1"]?.notifiedAt == first.deadline, "told at the deadline nobody answered by, once")
        #expect(engine.world.orders["O-1"]?.promised == order.window, "and promised no new window")
    }
    /// A failed attempt late in the day, whose next slot starts after every rider on the roster has gone home: the
    /// customer is not told "we will try again between…" (nobody could), the order keeps its window and goes to a
    /// person at once, and if nobody answers the customer is told it cannot come.
    @Test func aFailedAttemptNobodyCanTryAgainTodayIsPromisedNoNewSlot() throws {
        let engine = try DeskCity.engine()
        for rider in ["R1", "R2"] { try submit(engine, "on-\(rider)", .shiftStarted(rider: rider), at: t0 - 900) }
        let window = TimeWindow(start: t0 + 5 * 3600, end: t0 + 6 * 3600)  // 15:00-16:00; shifts end at 16:00
        try submit(engine, "o", .orderCreated(DeskCity.order("O-1", at: far, window: window)), at: t0 - 600)
        let holder = try #require(engine.world.orders["O-1"]?.rider)
        var told: [(NoticeKind, String)] = []
        engine.observer = { if case let .customerNotified("O-1", kind, message, _) = $0.body { told.append((kind, message)) } }
        try submit(engine, "p", .pickupDone(rider: holder, order: "O-1"), at: t0 + 4 * 3600)
        let failedAt = t0 + 5 * 3600 + 40 * 60  // 15:40: the next slot would start at 16:30
        try submit(engine, "f", .deliveryFailed(rider: holder, order: "O-1", reason: .customerAbsent), at: failedAt)
        #expect(throws: ToolError.self) {
            try RemedyPlanner(planner: InsertionPlanner(), policy: .standard).decisions(for: Remedy(.nextSlot, "O-1"), in: engine.world, now: failedAt, because: "test")
        }
        let failure = try #require(engine.world.exceptions.values.first { $0.subject == "O-1" && $0.kind == .failedAttempt })
        #expect(failure.state == .escalated)
        #expect(failure.options.map(\.action) == [Remedy(.cannotDeliver, "O-1"), Remedy.none] && failure.defaultAction == Remedy(.cannotDeliver, "O-1"))
        #expect(told.isEmpty, "no new slot promised: \(told)")
        #expect(engine.world.orders["O-1"]?.window == window)
        engine.advance(to: try #require(failure.deadline) + 60)
        #expect(engine.world.exceptions[failure.id]?.state == .defaulted)
        // A rider came and nobody was in: the customer hears that, not that the order "cannot come".
        #expect(told.map(\.0) == [.cannotRetry], "\(told)")
        #expect(told.first?.1 == "Hi C O-1, we are sorry: we could not deliver order O-1 (customer absent) and no rider can try again between 15:00-16:00. We will contact you to arrange a new time.")
        #expect(engine.world.orders["O-1"]?.promised == window, "and promised no new window")
    }

    /// Several orders no rider can take, found by one scan: one case for a person (one decision: find riders for
    /// them, or tell their customers), naming the others, instead of an escalation each; afterwards each is watched.
    @Test func theOrdersOneScanFindsNoRiderCanTakeGoToAPersonAsOneCase() throws {
        let engine = try DeskCity.engine()
        for rider in ["R1", "R2", "R3"] { try submit(engine, "on-\(rider)", .shiftStarted(rider: rider), at: t0 - 900) }
        let ids = ["O-1", "O-2", "O-3"]
        for id in ids {
            var order = DeskCity.order(id, at: far, window: TimeWindow(start: t0, end: t0 + 90 * 60))
            order.requiredSkills = [.coldChain]
            try submit(engine, "o-\(id)", .orderCreated(order), at: t0 - 600)
        }
        engine.advance(to: t0)
        let escalated = engine.world.exceptions.values.filter { $0.escalationReason != nil }
        let lead = try #require(escalated.first)
        #expect(escalated.count == 1, "one case for the three: \(escalated.map(\.subject))")
        #expect(([lead.subject] + lead.covering).sorted() == ids, "\(lead.subject) + \(lead.covering)")
        #expect(lead.escalationReason?.contains("no rider can take 3 orders") == true, "\(lead.escalationReason ?? "")")
        // Doing nothing is counted over the three orders, not its lead's alone; telling the customers tells all three.
        #expect(lead.options.map(\.action) == [Remedy(.cannotDeliver, lead.subject), Remedy.none])
        let option = try #require(lead.options.last)
        #expect(option.lateBefore == 3 && option.lateAfter == 3 && option.summary.contains("late 3→3"), "\(option.summary)")
        #expect(lead.options[0].summary.contains("3 notified"), "\(lead.options[0].summary)")
        let sameScan = engine.world.exceptions.values.filter { ids.contains($0.subject) && $0.raisedAt == lead.raisedAt }
        #expect(sameScan.map(\.id) == [lead.id], "the others have no case of their own: \(sameScan.map(\.subject))")
        // Scanned every five minutes for 80 more, the three are found again each time; with nothing the core can do
        // and a person's decision made, no case is raised again only to be resolved "watching".
        engine.advance(to: t0 + 80 * 60)
        let later = engine.world.exceptions.values.filter { ids.contains($0.subject) || $0.covering.contains { ids.contains($0) } }
        #expect(later.map(\.id) == [lead.id], "put to a person once, and raised no more: \(later.map { "\($0.subject) \($0.state)" })")
        #expect(engine.world.exceptions[lead.id]?.state == .defaulted)
    }

    @Test func anEscalationCoveringAnUnknownOrderOrItsOwnSubjectIsRefused() throws {
        let engine = try DeskCity.engine()
        try submit(engine, "o", .orderCreated(DeskCity.order("O-1", at: far, window: TimeWindow(start: t0, end: t0 + 3 * 3600))), at: t0 - 600)
        decide(engine, .exceptionRaised(exception: "E-T", kind: .unassignedOrder, subject: "O-1", detail: "test"), at: t0)
        let options = [EscalationOption(action: Remedy.none, summary: "wait", costDelta: 0)]
        let escalation = { (covering: [String]) in
            Event(id: "d-e", at: t0, by: Event.core, body: .exceptionEscalated(exception: "E-T", options: options, deadline: t0 + 900,
                                                                              defaultAction: Remedy.none, reason: "test", covering: covering))
        }
        #expect(throws: EventError(field: "covering[0]", reason: "unknown order \"O-9\"")) { try engine.world.check(escalation(["O-9"])) }
        #expect(throws: EventError(field: "covering[0]", reason: "\"O-1\" is the case's own subject")) { try engine.world.check(escalation(["O-1"])) }
        decide(engine, escalation(["O-9"]).body, at: t0)
        #expect(engine.unmadeDecisions.count == 1 && engine.world.exceptions["E-T"]?.state == .open, "the core does not make it either")
    }
}
