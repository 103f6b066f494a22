/// What an operator may do from the board or `tower decide`.
public enum Role: String, CaseIterable, Comparable, Codable, Sendable {
    /// Watches, assigns, approves and rejects within the policy's cost limit.
    case dispatcher
    /// Also approves options that cost more than the limit.
    case supervisor

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }
    private var rank: Int { self == .dispatcher ? 0 : 1 }

    /// Why this role may not approve an option costing `cost` under a policy with `costLimit`, or nil when it may.
    public func refusal(toApproveCost cost: Double, costLimit: Double, unit: String = "units") -> String? {
        guard self < .supervisor, cost > costLimit else { return nil }
        return "the option costs +\(formatNumber(cost)) \(unit), above the limit of \(formatNumber(costLimit)): a supervisor must approve it"
    }
}
