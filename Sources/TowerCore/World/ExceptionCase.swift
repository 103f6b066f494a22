/// An exception the core raised, and what became of it.
public struct ExceptionCase: Hashable, Sendable, Codable {
    public enum State: String, Sendable, Codable {
        case open, autoResolved = "auto_resolved", escalated, approved, rejected, defaulted
    }

    public var id: String
    public var kind: String
    /// The order or rider it is about.
    public var subject: String
    public var detail: String
    public var raisedAt: Instant
    public var state: State = .open
    public var options: [EscalationOption] = []
    public var deadline: Instant?
    public var defaultAction: String?
    /// Why the core did not resolve it itself.
    public var escalationReason: String?
    /// The action taken or the reason given, once decided.
    public var resolution: String?
    /// The rule and numbers behind an auto-resolution.
    public var rule: String?
    public var resolvedAt: Instant?
    public var decidedBy: String?

    public init(id: String, kind: String, subject: String, detail: String, raisedAt: Instant) {
        self.id = id; self.kind = kind; self.subject = subject; self.detail = detail; self.raisedAt = raisedAt
    }

    public var isPending: Bool { state == .open || state == .escalated }
}
