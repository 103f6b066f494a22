/// What an operator asks the core to do, from a board's keys, `tower decide` or an attached board's socket. The
/// core checks each against the world and the operator's role (from the roster, never from the asker's word),
/// journals it when accepted and answers with a `CommandReply`.
public enum OperatorCommand: Codable, Equatable, Sendable {
    /// Carry out option `option` (1-based) of a waiting escalation.
    case approve(exception: String, option: Int)
    /// Close a waiting escalation without acting on it.
    case reject(exception: String, reason: String)
    /// Pin an order to a rider. Unconfirmed, one that costs more than the policy's limit or makes a delivery late
    /// comes back as `.confirm` with its impact, to be sent again confirmed.
    case assign(order: String, rider: String, confirmed: Bool)
    /// Undo the operator's last decision, within `World.undoWindow`.
    case undo
    /// Set the simulated clock's speed (simulated seconds per real second) or pause it; nil leaves it as it is.
    case pace(speed: Double?, paused: Bool?)
}

/// The core's answer to an `OperatorCommand`.
public struct CommandReply: Codable, Equatable, Sendable {
    public enum Outcome: String, Codable, Sendable {
        /// Accepted and journaled (or, for `pace`, in effect).
        case done
        /// Not done, with the reason.
        case refused
        /// Needs the operator's confirmation: send the command again confirmed.
        case confirm
    }

    public var outcome: Outcome
    /// For the status line: what was done, why not, or what confirming would do.
    public var text: String

    public init(_ outcome: Outcome, _ text: String) {
        self.outcome = outcome
        self.text = text
    }
}

/// Who is asking, as the core established it: the name (the login name behind a socket, or the board's
/// operator) and the role the roster gives them.
public struct OperatorIdentity: Codable, Equatable, Sendable {
    public var name: String
    public var role: Role

    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    /// The longest name an operator may have: a decision's journal id is the name, `@` and the journal's sequence
    /// number (room is left for 15 digits), and an id holds at most `FieldReader.maxIDLength` bytes.
    public static let maxNameBytes = 48

    /// Why `name` cannot name an operator (nil when it can). It is the `by` of every decision the operator makes and
    /// begins each one's id, so it must be an id the journal's reader takes back, with room for the number.
    public static func problem(name: String) -> String? {
        do throws(EventError) { try FieldReader.checkID(name, field: "operator") } catch { return error.reason }
        return name.utf8.count <= maxNameBytes ? nil : "longer than \(maxNameBytes) bytes"
    }
}
