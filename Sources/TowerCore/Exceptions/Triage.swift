/// The policy's judgement of a case once its remedies are priced: which option is best, whether the best may be
/// taken without asking anyone (routine) or goes to a supervisor (ambiguous, with the reasons), and which option
/// an escalation falls back to when nobody answers.
///
/// Pure: it sees the priced outcomes, the case, and what waiting escalations would act on; nothing else.
struct Triage {
    let policy: Policy
    /// The unit written after costs in reasons (`World.costUnit`).
    var unit = "units"

    /// Fewest late deliveries first, then cheapest (to the cent), then the order the policy lists the actions in.
    func ranked(_ outcomes: [RemedyPlanner.Outcome], for kind: ExceptionKind) -> [RemedyPlanner.Outcome] {
        let actions = policy.rule(kind).actions
        let rank = { (o: RemedyPlanner.Outcome) in actions.firstIndex(of: o.remedy.kind) ?? actions.count }
        return outcomes.sorted {
            ($0.lateAfter, ($0.costDelta * 100).rounded(), rank($0)) < ($1.lateAfter, ($1.costDelta * 100).rounded(), rank($1))
        }
    }

    /// Why a case is not routine; empty when the best of `ranked` may be taken at once.
    ///
    /// - Parameters:
    ///   - subjectIsCritical: the case's own subject is a critical order.
    ///   - pending: orders and riders that escalations still waiting would act on, with the case that names each.
    func escalationReasons(kind: ExceptionKind, subjectIsCritical: Bool, ranked: [RemedyPlanner.Outcome],
                           pending: [String: String]) -> [String] {
        guard let best = ranked.first else { return [] }
        let rule = policy.rule(kind)
        var reasons: [String] = []
        if rule.routine == .never { reasons.append("the policy always asks a supervisor") }
        // A trade-off: another option loses more windows (by the ranking) but saves more than the policy's price of
        // a broken promise for each; saving a few units by breaking a promise is no choice to put to a person.
        let cheaperExists = ranked.contains { $0.costDelta < best.costDelta - max(0.5, Double($0.lateAfter - best.lateAfter) * policy.movedPromiseCost) }
        if best.touchesCritical || subjectIsCritical {
            switch policy.escalateCritical {
            case .always: reasons.append("a critical order is involved")
            case .choice where cheaperExists: reasons.append("a critical order is involved")
            case .choice, .never: break
            }
        }
        if best.costDelta > policy.costLimit {
            reasons.append("the best action costs \(formatNumber((best.costDelta * 100).rounded() / 100)) \(unit), above the limit of \(formatNumber(policy.costLimit))")
        }
        // When no option keeps every window, the case is a trade-off only if a cheaper option loses more windows;
        // otherwise the best is also the cheapest and taking it is routine.
        if rule.routine == .slaAndCost, !best.keepsWindows, cheaperExists {
            reasons.append("no option keeps every window, and the cheaper ones lose more")
        }
        if let clash = best.touched.intersection(pending.keys).sorted().first {
            reasons.append("it touches \(clash), which \(pending[clash]!) is waiting on")
        }
        return reasons
    }

    /// The rule a routine resolution is journaled with: what decided it and the numbers.
    func routineRule(_ best: RemedyPlanner.Outcome) -> String {
        let window = best.keepsWindows ? "no new lateness" : "no option keeps every window; this one loses fewest and costs least"
        return "routine: \(window); \(best.summary); limit \(formatNumber(policy.costLimit))"
    }

    /// The option an escalation of `kind` takes at its deadline: the best, nothing, or the first option of the
    /// action the policy names (nothing when no option offers it) — never one above the cost limit. Nobody
    /// approved it, so the core is bound by the limit a supervisor's approval would have lifted: it falls back to
    /// the best option within the limit, or nothing, and `note` says so for the audit. Nor does it ever waive the
    /// channel rules (`waive`): that is for a person to choose. Where telling the customers of orders no rider can
    /// take is offered (`cannotDeliver`), that is the default, whatever the kind's: nobody answering means they are
    /// told, not left waiting for a parcel that will not come.
    func fallback(for kind: ExceptionKind, options offered: [RemedyPlanner.Outcome]) -> (remedy: Remedy, note: String?) {
        if let tell = offered.first(where: { $0.remedy.kind == .cannotDeliver }) { return (tell.remedy, nil) }
        let options = offered.filter { $0.remedy.kind != .waive }
        let named: RemedyPlanner.Outcome?
        switch policy.rule(kind).defaultChoice {
        case .best: named = options.first
        case .none: named = nil
        case let .action(action): named = options.first { $0.remedy.kind == action }
        }
        guard let named, named.remedy != .none else { return (.none, nil) }
        guard named.costDelta > policy.costLimit else { return (named.remedy, nil) }
        let within = options.first { $0.costDelta <= policy.costLimit }?.remedy ?? .none
        return (within, "the default \(named.remedy) costs \(formatNumber((named.costDelta * 100).rounded() / 100)) \(unit), above the limit of "
            + "\(formatNumber(policy.costLimit)) that no one approved: it falls back to \(within)")
    }
}
