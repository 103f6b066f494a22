/// An exception the core raised, and what became of it.
public struct ExceptionCase: Hashable, Sendable, Codable {
    public enum State: String, Sendable, Codable {
        case open, autoResolved = "auto_resolved", escalated, approved, rejected, defaulted
    }

    public var id: String
    public var kind: ExceptionKind
    /// The order or rider it is about.
    public var subject: String
    public var detail: String
    public var raisedAt: Instant
    public var state: State = .open
    public var options: [EscalationOption] = []
    public var deadline: Instant?
    public var defaultAction: Remedy?
    /// Why the core did not resolve it itself.
    public var escalationReason: String?
    /// The other orders its escalation is about (orders no rider can take, put to a person together).
    public var covering: [String] = []
    /// The action taken or the reason given, once decided.
    public var resolution: Resolution?
    /// The rule and numbers behind an auto-resolution.
    public var rule: String?
    public var resolvedAt: Instant?
    public var decidedBy: String?

    public init(id: String, kind: ExceptionKind, subject: String, detail: String, raisedAt: Instant) {
        self.id = id; self.kind = kind; self.subject = subject; self.detail = detail; self.raisedAt = raisedAt
    }

    public var isPending: Bool { state == .open || state == .escalated }
}

/// How a case was closed: an action carried out (by the core, an approval or a deadline's default), or a person's
/// rejection with their reason.
public enum Resolution: Hashable, Sendable, Codable {
    case action(Remedy)
    case rejected(reason: String)

    /// The journal's words for it: the action's text, or the reason.
    public var text: String {
        switch self {
        case let .action(remedy): return remedy.description
        case let .rejected(reason): return reason
        }
    }

    /// In plain words, for people.
    public var words: String {
        switch self {
        case let .action(remedy): return remedy.words
        case let .rejected(reason): return reason
        }
    }

    /// The action, when one was taken.
    public var remedy: Remedy? {
        if case let .action(remedy) = self { return remedy }
        return nil
    }
}
