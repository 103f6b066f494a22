/// A concrete action on a concrete subject: what an escalation option or an auto-resolution does.
///
/// Its text (`reassign:O-17:R05`, `notify:O-17`, `none`) is what the journal stores as an option's `action`, so an
/// approval read back from the journal or a feed performs exactly the action that was offered.
public struct Remedy: Hashable, Sendable, CustomStringConvertible, Codable {
    public var kind: ActionKind
    /// The order, rider or zone the action is about (empty for `none`).
    public var subject: String
    /// The receiving rider of a reassignment or handoff, or the rider room is made on.
    public var target: String?

    public init(_ kind: ActionKind, _ subject: String = "", target: String? = nil) {
        self.kind = kind; self.subject = subject; self.target = target
    }

    public static let none = Remedy(.none)

    public var description: String {
        ([kind.rawValue] + (subject.isEmpty ? [] : [subject]) + (target.map { [$0] } ?? [])).joined(separator: ":")
    }

    /// What it does in plain words, for people (never the journal's code).
    public var words: String {
        let s = subject
        switch kind {
        case .reassign: return "reassign \(s) to \(target ?? "?")"
        case .handoff: return "hand \(s) to \(target ?? "?")"
        case .makeRoom: return "make room for \(s) on \(target ?? "?")"
        case .reassignAll: return "move \(s)'s unpicked orders to other riders"
        case .resequence: return "re-sequence \(s)'s route"
        case .retry: return "try \(s) again within its window and tell the customer"
        case .nextSlot: return "move \(s) to the next slot and tell the customer"
        case .notify: return "tell the customer of \(s) the new window"
        case .notifyLate: return "tell \(s)'s late customers their new windows"
        case .askRider: return "ask \(s) what is going on"
        case .handoffZone: return "hand \(s)'s waiting orders to 3PL/gig"
        case .returnToHub: return "parcel \(s) goes back to the hub"
        case .cannotDeliver: return "tell the customer of \(s) it cannot come in its window"
        case .waive: return "put \(s) on \(target ?? "?"), waiving the channel rules"
        case .none: return "do nothing, keep watching"
        }
    }

    /// What it does in a few words, its subject left out: for a line under the case, which names the subject, where
    /// `words` and the effect do not fit.
    public var brief: String {
        let to = target ?? "?"
        switch kind {
        case .reassign: return "move to \(to)"
        case .handoff: return "hand to \(to)"
        case .makeRoom: return "room on \(to)"
        case .reassignAll: return "move the unpicked"
        case .resequence: return "re-sequence"
        case .retry: return "retry, tell"
        case .nextSlot: return "next slot, tell"
        case .notify: return "tell new window"
        case .notifyLate: return "tell the late"
        case .askRider: return "ask the rider"
        case .handoffZone: return "to 3PL/gig"
        case .returnToHub: return "back to hub"
        case .cannotDeliver: return "cannot come, tell"
        case .waive: return "on \(to), rules waived"
        case .none: return "do nothing"
        }
    }

    /// Parses the text form; nil when it is not one.
    public init?(text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard let kind = ActionKind(rawValue: parts[0]) else { return nil }
        let needsTarget = kind == .reassign || kind == .handoff || kind == .makeRoom || kind == .waive
        switch (kind, parts.count) {
        case (.none, 1): self.init(.none)
        case (_, 2) where !needsTarget && kind != .none && !parts[1].isEmpty: self.init(kind, parts[1])
        case (_, 3) where needsTarget && !parts[1].isEmpty && !parts[2].isEmpty: self.init(kind, parts[1], target: parts[2])
        default: return nil
        }
    }

    /// Coded as its text, as in the journal.
    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let remedy = Remedy(text: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an action: \(TextSanitizer.clean(String(text.prefix(40))))"))
        }
        self = remedy
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
