import Foundation

/// The engine's exception desk, the control-tower loop on top of the plan: raises what the detectors see, resolves
/// the routine cases under the policy, escalates the others with ranked options, takes an escalation's default at
/// its deadline, and drafts what a supervisor's approval or a dispatcher's pin does. It decides through the ledger.
final class ExceptionDesk {
    private let ledger: CoreLedger
    private let planner: InsertionPlanner
    private let settings: EngineSettings
    private let detector: ExceptionDetector
    private let remedies: RemedyPlanner
    private var world: World { _read { yield ledger.world } }
    private var policy: Policy { settings.policy }
    private var halted: Bool { ledger.halted != nil }
    /// While a scan runs, the orders it found that no rider can take: they go to a person as one case when it ends.
    private var stranded: StrandedGroup?

    init(ledger: CoreLedger, planner: InsertionPlanner, settings: EngineSettings) {
        self.ledger = ledger
        self.planner = planner
        self.settings = settings
        detector = ExceptionDetector(thresholds: settings.policy.thresholds)
        remedies = RemedyPlanner(planner: planner, policy: settings.policy)
    }

    /// The outlook at `now`, as the detectors and the board see it (the learned model's when the core runs one).
    func outlook(at now: Instant, horizon: Int64? = nil) -> Outlook { outlookInputs(at: now, horizon: horizon).outlook() }

    /// One rider's lane of that outlook, timed alone.
    func lane(of rider: String, at now: Instant) -> Outlook.Lane? {
        Outlook.lane(of: rider, world: world, now: now, planner: planner, learned: ledger.learner?.model, calibration: ledger.ranges.calibration)
    }

    /// What that outlook is timed from, as values (to time it on another thread).
    func outlookInputs(at now: Instant, horizon: Int64? = nil) -> Outlook.Inputs {
        Outlook.Inputs(world: world, now: now, planner: planner, learned: ledger.learner?.model, calibration: ledger.ranges.calibration,
                       horizon: horizon)
    }

    /// What an input shows at once (a failed attempt, a contradiction), judged on the world before it applies.
    func findings(for input: Event) -> [Finding] { ledger.reading { detector.findings(for: input, before: $0) } }
    /// Looks at the live state: closes cases whose trouble is gone, raises new ones, and (when the core may
    /// act) tells customers whose rider is about to arrive.
    func scanExceptions(at now: Instant) {
        stranded = StrandedGroup()
        defer { stranded = nil }
        let outlook = outlook(at: now)
        let findings = detector.scan(world, outlook: outlook, now: now)
        let seen = Set(findings.map { CaseKey($0.kind, $0.subject) })
        for exception in world.pendingCases {
            guard exception.kind.isScanned, !seen.contains(CaseKey(exception.kind, exception.subject)) else { continue }
            ledger.decide(.exceptionAutoResolved(exception: exception.id, action: .none, rule: "cleared: no longer \(exception.kind.words)"), at: now)
        }
        var latest: [CaseKey: ExceptionCase] = [:]
        for exception in world.exceptions.values {
            let key = CaseKey(exception.kind, exception.subject)
            if latest[key].map({ $0.id < exception.id }) ?? true { latest[key] = exception }
        }
        // One case per rider or order: a pending case of another kind about the same subject, or about the rider
        // of the order a finding is about, already holds its trouble (its options act on all the rider's orders),
        // so no second case is raised while it is pending; once it closes, the next scan raises what is still
        // wrong. Riders' findings come first so that their cases hold their orders' findings of the same scan.
        var pendingKinds: [String: Set<ExceptionKind>] = [:]
        for exception in world.pendingCases { pendingKinds[exception.subject, default: []].insert(exception.kind) }
        func heldElsewhere(_ finding: Finding) -> Bool {
            let holders = [finding.subject, world.orders[finding.subject]?.rider].compactMap { $0 }
            return holders.contains { !(pendingKinds[$0] ?? []).subtracting([finding.kind]).isEmpty }
        }
        let ordered = findings.filter { world.riders[$0.subject] != nil } + findings.filter { world.riders[$0.subject] == nil }
        for finding in ordered {
            let rule = policy.rule(finding.kind)
            guard rule.enabled else { continue }
            let key = CaseKey(finding.kind, finding.subject)
            if latest[key].map({ !$0.isPending }) ?? true, heldElsewhere(finding) { continue }
            if let last = latest[key] {
                // A case being watched (open, not yet due for a person) is judged again: one case, decided when due.
                if last.state == .open, settings.mode == .continuousAuto {
                    triage(last.id, finding, at: now)
                    if halted { return }
                    continue
                }
                if last.isPending { continue }
                if let resolved = last.resolvedAt, now - resolved < rule.cooldown { continue }
            }
            let id = raise(finding, at: now)
            if halted { return }
            if let id, world.exceptions[id]?.isPending == true { pendingKinds[finding.subject, default: []].insert(finding.kind) }
        }
        if let group = stranded, let lead = group.lead {
            // Doing nothing, the group's one option, counted over every order of it (not its lead's alone).
            let ranked = strandedOptions(lead.ranked.map { $0.remedy == .none ? remedies.together($0, with: group.doingNothing, in: world) : $0 },
                                         case: lead.id, finding: lead.finding, covering: group.others, at: now)
            escalate(lead.id, finding: lead.finding, ranked: ranked, reasons: [strandedReason([lead.finding.subject] + group.others, ranked)],
                     covering: group.others, at: now)
            if halted { return }
        }
        if settings.mode == .continuousAuto { tellArrivingSoon(outlook, at: now) }
    }

    /// Raises a case and, when the core may act, resolves or escalates it at once; returns its id. Nil when the
    /// rule is off, when the finding joins the scan's case of orders no rider can take (no case of its own), or when a
    /// scan finds again an order a person decided about that still has nothing the core can do.
    @discardableResult
    func raise(_ finding: Finding, at now: Instant) -> String? {
        guard policy.rule(finding.kind).enabled else { return nil }
        let number = String(world.exceptions.count + 1)
        let id = "E-" + String(repeating: "0", count: max(0, 4 - number.count)) + number
        guard settings.mode == .continuousAuto else {
            ledger.decide(.exceptionRaised(exception: id, kind: finding.kind, subject: finding.subject, detail: finding.detail), at: now)
            return id
        }
        let ranked = rank(id, finding, at: now)
        // An order a person already decided about today, that still waits for a rider with nothing the core can do,
        // is not raised again each cooldown only to be resolved "watching": the decision stands, and the journal and
        // the queue's history would fill with such cases all evening. Once something applies (a rider came on), it
        // is raised and handled. (One an event raised, a failed attempt, is recorded all the same.)
        if finding.kind.isScanned, awaitsRiderWithNothingToDo(finding.subject, ranked), world.escalatedSubjects.contains(finding.subject) {
            return nil
        }
        if stranded?.lead != nil, isStranded(finding.subject, ranked) {
            stranded?.join(finding.subject, ranked)
            return nil
        }
        ledger.decide(.exceptionRaised(exception: id, kind: finding.kind, subject: finding.subject, detail: finding.detail), at: now)
        judge(id, finding, ranked, at: now)
        return id
    }

    /// A case's options, best first, under the policy.
    private func rank(_ id: String, _ finding: Finding, at now: Instant) -> [RemedyPlanner.Outcome] {
        let because = "\(id) \(finding.kind.rawValue) \(finding.subject)"
        let outcomes = remedies.outcomes(of: remedies.candidates(for: finding.kind, subject: finding.subject, in: world, now: now),
                                         about: finding.subject, in: world, now: now, because: because)
        return Triage(policy: policy, unit: world.costUnit).ranked(outcomes, for: finding.kind)
    }

    /// Judges an open case again (one being watched).
    private func triage(_ id: String, _ finding: Finding, at now: Instant) { judge(id, finding, rank(id, finding, at: now), at: now) }

    /// Judges an open case under the policy: resolves it when routine, escalates it when a person's decision is
    /// due, or leaves it open (watched) when it touches what a waiting escalation holds or nothing it touches is due
    /// within the decision horizon; a watched case is judged again at the next scan. An order no rider can take
    /// goes to a person with the scan's others (see `StrandedGroup`), or at once when no scan is running.
    private func judge(_ id: String, _ finding: Finding, _ ranked: [RemedyPlanner.Outcome], at now: Instant) {
        let triage = Triage(policy: policy, unit: world.costUnit)
        guard let best = ranked.first, ranked.contains(where: { $0.remedy != .none }) else {
            if !isStranded(finding.subject, ranked) {
                ledger.decide(.exceptionAutoResolved(exception: id, action: .none, rule: "no listed action applies now; watching"), at: now)
            } else if stranded == nil {
                let offered = strandedOptions(ranked, case: id, finding: finding, covering: [], at: now)
                escalate(id, finding: finding, ranked: offered, reasons: [strandedReason([finding.subject], offered)], at: now)
            } else if stranded?.lead == nil {
                stranded?.lead = (id, finding, ranked)
            } else {
                stranded?.join(finding.subject, ranked)  // stays open; the next scan finds it put to a person and watches it
            }
            return
        }
        let pending = pendingTouches()
        let reasons = triage.escalationReasons(kind: finding.kind, subjectIsCritical: world.orders[finding.subject]?.tier == .critical,
                                               ranked: ranked, pending: pending)
        if reasons.isEmpty {
            ledger.carryOut(best.bodies, at: now)
            ledger.decide(.exceptionAutoResolved(exception: id, action: best.remedy, rule: triage.routineRule(best)), at: now)
            return
        }
        // One case per rider or order, and a person only when a decision is due: a case about what a waiting
        // escalation holds waits for it; one whose windows all end beyond the horizon waits until one does. (Only
        // cases the scan sees again can wait: one an event raised is decided now.)
        if finding.kind.isScanned {
            if !reach(of: finding.subject, options: ranked.map(\.remedy), touched: best.touched).isDisjoint(with: pending.keys) { return }
            if let due = dueTime(of: finding.subject, touching: best.touched), due > now + policy.decisionHorizon { return }
        }
        escalate(id, finding: finding, ranked: ranked, reasons: reasons, at: now)
    }

    /// Whether a case goes to a person because its order waits for a rider (`Order.awaitsRider`: after a failed
    /// attempt too) and nothing the core can do: no rider can take it (nobody with the skill, the room or the shift; a
    /// new slot would have nobody either), so only a person can get it delivered (put it on a rider by hand, send a
    /// courier) or tell the customer. False for any other subject, when an option other than doing nothing applies,
    /// and once the order was put to a person today: a scan then raises it no more while nothing applies (`raise`).
    private func isStranded(_ subject: String, _ ranked: [RemedyPlanner.Outcome]) -> Bool {
        awaitsRiderWithNothingToDo(subject, ranked) && !world.escalatedSubjects.contains(subject)
    }

    /// Whether `subject` is an order that waits for a rider (`Order.awaitsRider`) and no option but doing nothing applies.
    private func awaitsRiderWithNothingToDo(_ subject: String, _ ranked: [RemedyPlanner.Outcome]) -> Bool {
        !ranked.contains(where: { $0.remedy != .none }) && world.orders[subject]?.awaitsRider == true
    }

    /// The options a person gets for orders no rider can take, in this order: when a rider could carry the case's
    /// order were its channel's rule waived, that waiver (which places the case's other orders too, each on the
    /// rider fit to carry it at the least cost; the core never waives a rule itself); telling the customers their
    /// order cannot come in its window (`cannotDeliver`, the default when nobody answers); and `ranked`
    /// (doing nothing).
    private func strandedOptions(_ ranked: [RemedyPlanner.Outcome], case id: String, finding: Finding, covering: [String],
                                 at now: Instant) -> [RemedyPlanner.Outcome] {
        guard let order = world.orders[finding.subject] else { return ranked }
        let because = "\(id) \(finding.kind.rawValue) \(finding.subject)"
        // The waiver goes on the first of the case's orders (its own first) that a rider could carry with the rules
        // waived, and places the others it can: a case whose own order needs what nobody has (a skill) still offers
        // the waiver that would place the rest.
        let waiver = ([order.id] + covering).lazy.compactMap { subject -> RemedyPlanner.Outcome? in
            guard let candidate = self.world.orders[subject],
                  let best = self.planner.allocation(of: candidate, in: self.world, now: now, underRules: false).best else { return nil }
            return try? self.remedies.outcome(of: Remedy(.waive, subject, target: best.rider), about: order.id, covering: covering,
                                              in: self.world, now: now, because: because)
        }.first
        let tell = try? remedies.outcome(of: Remedy(.cannotDeliver, order.id), about: order.id, covering: covering, in: world, now: now, because: because)
        return [waiver, tell].compactMap { $0 } + ranked
    }

    /// Why orders no rider can take go to a person, and what the person can do: waive the channel rules that keep
    /// them from the riders who could carry them (an option, when `ranked` has one), or find a rider or tell the
    /// customer.
    private func strandedReason(_ orders: [String], _ ranked: [RemedyPlanner.Outcome]) -> String {
        let lead = orders[0]
        let which = orders.count == 1 ? lead : "\(orders.count) orders (\(orders.joined(separator: ", ")))"
        guard let waiver = ranked.first(where: { $0.remedy.kind == .waive })?.remedy, let order = world.orders[waiver.subject] else {
            // Nobody on the roster can carry it even with the rules waived (a pin would be refused as the core's
            // own placement was): what a person can do is outside the roster, or tell the customer.
            return orders.count == 1
                ? "no rider can take \(lead) and no listed action applies: it needs a person (a courier from outside today's roster, or tell the customer)"
                : "no rider can take \(which) and no listed action applies: they need a person (couriers from outside today's roster, or tell the customers)"
        }
        let rules = Channel.allCases.compactMap { channel in world.channelRefusal(channel, for: order).map { "\(channel.rawValue): \($0)" } }
        let may = "a person may waive them (\(waiver.target ?? "?") can carry \(waiver.subject)) or tell the " + (orders.count == 1 ? "customer" : "customers")
        guard waiver.subject == lead else {
            return "no rider can take \(which) and no listed action applies; the channel rules keep \(waiver.subject) "
                + "(\(rules.joined(separator: "; "))): " + may
        }
        return "no rider can take \(which) under the channel rules (\(rules.joined(separator: "; "))) and no listed action applies: " + may
    }

    /// The earliest end of a window the case touches: its order's, its rider's orders', or the orders the best
    /// option acts on; nil when it touches none (a zone's shortfall is due now).
    private func dueTime(of subject: String, touching touched: Set<String>) -> Instant? {
        var orders = touched.filter { world.orders[$0] != nil }
        if world.orders[subject] != nil { orders.insert(subject) }
        for stop in world.routes[subject]?.stops ?? [] { orders.insert(stop.order) }
        return orders.compactMap { world.orders[$0]?.window.end }.min()
    }

    /// Orders and riders that escalations still waiting would act on, with the case that names them.
    private func pendingTouches() -> [String: String] {
        var touches: [String: String] = [:]
        for exception in world.pendingCases.reversed() where exception.state == .escalated {
            for key in reach(of: exception.subject, options: exception.options.map(\.action)) { touches[key] = exception.id }
        }
        return touches
    }

    /// What a case is about, for "one case per rider or order": its subject, what its options act on (and the
    /// receiving riders), and the rider carrying each order among them; so two orders of one rider, or an order
    /// and its rider, never wait for a person as two cases. A waiver's rider is not held: the core would never
    /// choose that option itself, so it does not stop deciding about the rider while a person might (an approval
    /// re-plans the order on the rider as things are then, and is refused as stale when it no longer fits).
    private func reach(of subject: String, options: [Remedy], touched: Set<String> = []) -> Set<String> {
        var keys: Set<String> = touched.union([subject])
        for remedy in options {
            if !remedy.subject.isEmpty { keys.insert(remedy.subject) }
            if let target = remedy.target, remedy.kind != .waive { keys.insert(target) }
        }
        for key in keys { if let rider = world.orders[key]?.rider { keys.insert(rider) } }
        return keys
    }

    private func escalate(_ id: String, finding: Finding, ranked: [RemedyPlanner.Outcome], reasons: [String], covering: [String] = [],
                          at now: Instant) {
        // A person sees what is worth choosing: an option another beats on both counts (as few late, as cheap) is
        // left out, except doing nothing, the baseline every option is read against, and telling the customers of
        // orders nobody can take, which the figures do not weigh (and the default when nobody answers). Doing
        // nothing is among the candidates, so there is at least one.
        let offered = ranked.map { ($0, EscalationOption(action: $0.remedy, summary: $0.summary, costDelta: ($0.costDelta * 100).rounded() / 100,
                                                         lateBefore: $0.lateBefore, lateAfter: $0.lateAfter)) }
        var worth = offered.filter { candidate in
            candidate.0.remedy == .none || candidate.0.remedy.kind == .cannotDeliver || !offered.contains { candidate.1.isDominated(by: $0.1) }
        }
        // A person is never asked to choose from one option: when only doing nothing is left, the best of the
        // rest stays beside it (a person may know what the figures do not).
        if worth.count < 2, let next = offered.first(where: { $0.0.remedy != .none }) { worth.append(next) }
        let options = Array(worth.prefix(4))
        let rule = policy.rule(finding.kind)
        let fallback = Triage(policy: policy, unit: world.costUnit).fallback(for: finding.kind, options: options.map(\.0))
        ledger.decide(.exceptionEscalated(exception: id,
                                   options: options.map(\.1),
                                   deadline: now + (rule.deadline ?? policy.deadline), defaultAction: fallback.remedy,
                                   reason: (reasons + [fallback.note].compactMap { $0 }).joined(separator: "; "), covering: covering), at: now)
    }

    /// Escalations whose deadline has passed take the policy's default (only when the core may act).
    func takeDefaults(at now: Instant) {
        guard settings.mode == .continuousAuto else { return }
        let due = world.pendingCases.filter { $0.state == .escalated && ($0.deadline.map { $0 <= now } ?? false) }
        for exception in due {
            var option = exception.options.firstIndex { $0.action == exception.defaultAction }.map { $0 + 1 } ?? 0
            var draft: DecisionDraft?
            if option > 0 {
                draft = try? drafted(option: option, of: exception, at: now)
                if draft == nil { option = 0 }
            }
            ledger.decide(.exceptionDefaulted(exception: exception.id, option: option), at: now)
            if let draft { ledger.carryOut(draft.bodies, at: now) }
        }
    }

    /// Refuses an approval above the cost limit, or one that waives the channel rules, by anyone but a supervisor,
    /// whatever the decision's source.
    func checkApproval(_ event: Event, role: Role) throws(EventError) {
        guard case let .exceptionApproved(id, option, op) = event.body, let exception = world.exceptions[id],
              exception.options.indices.contains(option - 1) else { return }
        let chosen = exception.options[option - 1]
        let refusal = chosen.action.kind == .waive && role < .supervisor
            ? "the option waives the channel rules: a supervisor must approve it"
            : role.refusal(toApproveCost: chosen.costDelta, costLimit: policy.costLimit, unit: world.costUnit)
        if let refusal { throw EventError(field: "option", reason: "\(refusal) (\(op) is a \(role.rawValue))") }
    }

    /// What an operator's approval or pin will do, planned on the world it arrives in; refuses one that can no
    /// longer be carried out (the world moved on since the option was offered). Nil for other inputs and for a pin
    /// to the rider the order is on. The engine carries the draft out once the input is journaled, so each remedy is
    /// planned once.
    func draft(for event: Event) throws(EventError) -> DecisionDraft? {
        switch event.body {
        case let .exceptionApproved(id, option, _):
            guard let exception = world.exceptions[id] else { return nil }
            do {
                return try drafted(option: option, of: exception, at: event.at)
            } catch {
                throw EventError(field: "option", reason: "stale: option \(option) of \(id) cannot be done now: \(error.message)")
            }
        case let .orderPinned(order, rider):
            do { return try pinDraft(order, to: rider, by: event.by, as: event.role ?? .dispatcher, at: event.at) } catch {
                throw EventError(field: "rider", reason: error.message)
            }
        default:
            return nil
        }
    }

    /// What putting `order` on `rider` would do and cost now, for a confirmation before the dispatcher commits it.
    func preview(pin order: String, to rider: String, by person: String, as role: Role, at now: Instant) throws(EventError) -> RemedyPlanner.Outcome {
        let probe = Event(id: "preview", at: now, by: person, body: .orderPinned(order: order, rider: rider))
        try world.check(probe)
        do {
            return try remedies.outcome(of: try pinRemedy(order, to: rider, as: role, at: now), about: order, in: world, now: now,
                                        because: Self.pinReason(rider, by: person))
        } catch {
            throw EventError(field: "rider", reason: error.message)
        }
    }

    /// The decisions that move `order` to `rider`; none when it is there already.
    private func pinDraft(_ order: String, to rider: String, by person: String, as role: Role, at now: Instant) throws(ToolError) -> DecisionDraft? {
        guard world.orders[order]?.rider != rider else { return nil }
        return try remedies.decisions(for: try pinRemedy(order, to: rider, as: role, at: now), in: world, now: now, because: Self.pinReason(rider, by: person))
    }

    /// What a pin does: moves the order as a reassignment does; when only the channel rules keep the rider from it
    /// (the rider could carry it), a supervisor's pin waives them (`waive`, the rule named in the reason journaled)
    /// and a dispatcher's is refused, saying a supervisor may.
    private func pinRemedy(_ order: String, to rider: String, as role: Role, at now: Instant) throws(ToolError) -> Remedy {
        guard let o = world.orders[order], let r = world.riders[rider], let rule = planner.refusal(r, o, now: now, in: world),
              planner.refusal(r, o, now: now, in: world, underRules: false) == nil else { return Remedy(.reassign, order, target: rider) }
        guard role >= .supervisor else { throw ToolError("\(rider) cannot take \(order) now: \(rule); a supervisor may waive the channel rules") }
        return Remedy(.waive, order, target: rider)
    }

    private static func pinReason(_ rider: String, by person: String) -> String { "put on \(rider) by \(person)" }

    /// Takes back an operator's decision (already found undoable when the world checked the undo).
    func carryOut(undo id: String, by op: String, at now: Instant) {
        guard let decision = world.lastDecisions[op], decision.id == id else { return }
        ledger.carryOut(remedies.reversal(of: decision, in: world, now: now, because: "\(op) undid \(id)").bodies, at: now)
    }

    private func drafted(option: Int, of exception: ExceptionCase, at now: Instant) throws(ToolError) -> DecisionDraft {
        guard exception.options.indices.contains(option - 1) else { throw ToolError("\(exception.id) has no option \(option)") }
        return try remedies.decisions(for: exception.options[option - 1].action, covering: exception.covering, in: world, now: now,
                                      because: "\(exception.id) \(exception.kind.rawValue) \(exception.subject)")
    }

    /// "Arriving soon" for each delivery the rider may knock at before the next scan has a chance to say so: due
    /// within the policy's lead plus a scan interval (a leg shorter than the interval would otherwise bring the rider
    /// to the door before the message, and a customer told is more often at the door), once per notify interval.
    private func tellArrivingSoon(_ outlook: Outlook, at now: Instant) {
        let horizon = now + policy.arrivingSoon + Engine.scanInterval
        for id in world.riderIDs {
            for stop in outlook.lanes[id]?.stops ?? [] where stop.kind == .delivery {
                guard stop.eta <= horizon else { break }
                guard let order = world.orders[stop.order], !order.status.isFinal,
                      order.notifiedAt.map({ now - $0 >= policy.notifyInterval }) ?? true else { continue }
                let message = remedies.message(.arrivingSoon, order: order, window: nil, eta: stop.eta, world: world)
                ledger.decide(.customerNotified(order: order.id, kind: .arrivingSoon, message: message, window: nil), at: now)
            }
        }
    }
}

/// The orders one scan finds that no rider can take, put to a person as one case (one decision: find riders for
/// them, or tell their customers) instead of one escalation each: the first one's case leads, the others are named
/// in it (`covering`) and get no case of their own.
private struct StrandedGroup {
    var lead: (id: String, finding: Finding, ranked: [RemedyPlanner.Outcome])?
    var others: [String] = []
    /// The others' outcomes of doing nothing, to be counted with the lead's.
    var doingNothing: [RemedyPlanner.Outcome] = []

    mutating func join(_ order: String, _ ranked: [RemedyPlanner.Outcome]) {
        others.append(order)
        if let nothing = ranked.first(where: { $0.remedy == .none }) { doingNothing.append(nothing) }
    }
}

/// A kind and a subject: at most one case per key is pending.
struct CaseKey: Hashable {
    var kind: ExceptionKind
    var subject: String
    init(_ kind: ExceptionKind, _ subject: String) { self.kind = kind; self.subject = subject }
}
