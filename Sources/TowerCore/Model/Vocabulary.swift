/// Who employs a rider, which decides how it is paid and what it may carry.
public enum Channel: String, CaseIterable, Sendable, Codable {
    case own
    case thirdParty = "3pl"
    case gig

    /// Every channel: whoever may take an order.
    public static let everyone = Set(allCases)
}

/// How much an order's window matters.
public enum Tier: String, CaseIterable, Sendable, Codable, Comparable {
    case standard, express, critical

    public var rank: Int {
        switch self {
        case .standard: return 0
        case .express: return 1
        case .critical: return 2
        }
    }

    public static func < (lhs: Tier, rhs: Tier) -> Bool { lhs.rank < rhs.rank }
}

public enum Vehicle: String, CaseIterable, Sendable, Codable {
    case bicycle, motorbike, car, van
}

/// What a rider is certified or equipped for, and what an order requires.
public enum Skill: String, CaseIterable, Sendable, Codable, Comparable {
    case coldChain = "cold_chain"
    case idCheck = "id_check"
    case bulky

    public static func < (lhs: Skill, rhs: Skill) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// Why a delivery attempt failed.
public enum FailureReason: String, CaseIterable, Sendable, Codable {
    case customerAbsent = "customer_absent"
    case addressProblem = "address_problem"
    case refused
    case damaged
}

/// A half-open interval of time [start, end).
public struct TimeWindow: Hashable, Sendable, Codable {
    public var start: Instant
    public var end: Instant

    public init(start: Instant, end: Instant) {
        self.start = start
        self.end = end
    }

    public func contains(_ instant: Instant) -> Bool { instant >= start && instant <= end }
}
