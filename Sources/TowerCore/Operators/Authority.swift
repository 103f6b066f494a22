/// Who may decide what, checked by the core for every operator decision whatever its source: the board's keys,
/// `tower decide`, a feed line. The role an accepted decision was made in is journaled with it (`role`).
///
/// With a roster the role comes from it: a line may claim a lower role, never a higher one, and someone not on the
/// roster may not act at all. Without a roster (a small team on one machine) the role a line claims is taken on
/// trust, and a line that claims none acts as a dispatcher.
public struct Authority: Equatable, Sendable {
    public var roster: Roster?

    public init(roster: Roster? = nil) { self.roster = roster }

    /// The role `event`'s operator acts in, or why they may not act.
    public func role(for event: Event) throws(EventError) -> Role {
        let name = event.operatorName
        guard let roster else { return event.role ?? .dispatcher }
        guard let allowed = roster.roles[name] else { throw EventError(field: "operator", reason: "\(name) is not on the roster") }
        guard let claimed = event.role else { return allowed }
        if claimed > allowed {
            throw EventError(field: "role", reason: "\(name) is a \(allowed.rawValue) on the roster and cannot act as \(claimed.rawValue)")
        }
        return claimed
    }
}

extension Event {
    /// The person an operator decision is by: the `operator` field, or `by` for a pin.
    public var operatorName: String {
        switch body {
        case let .exceptionApproved(_, _, op), let .exceptionRejected(_, op, _), let .decisionUndone(_, op): return op
        default: return by
        }
    }
}
