import Foundation

/// Who may act as what: one `NAME = ROLE` per line (`#` starts a comment). With a roster, an operator may claim
/// only the role it gives them (or a lower one), and someone not on it may not act at all; without one, the
/// role asked for is taken on trust (a small team on one machine).
public struct Roster: Equatable, Sendable {
    public var roles: [String: Role]

    public init(roles: [String: Role]) { self.roles = roles }

    /// Reads a roster file; a bad line is an error naming the line and the reason.
    public static func load(path: String) throws -> Roster {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read roster \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name: String) throws -> Roster {
        var roles: [String: Role] = [:]
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            guard !line.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            func fail(_ reason: String) -> ToolError { ToolError("\(name) line \(index + 1): \(reason)") }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw fail("expected NAME = ROLE") }
            do { try FieldReader.checkID(parts[0], field: "name") } catch { throw fail("name '\(TextSanitizer.clean(parts[0]))': \(error.reason)") }
            guard let role = Role(rawValue: parts[1]) else {
                throw fail("unknown role '\(TextSanitizer.clean(parts[1]))' (dispatcher or supervisor)")
            }
            if roles[parts[0]] != nil { throw fail("\(parts[0]) is listed twice") }
            roles[parts[0]] = role
        }
        return Roster(roles: roles)
    }

    /// The role `name` gets when asking for `wanted` (nil: the highest the roster allows).
    public func grant(_ wanted: Role?, to name: String) throws(ToolError) -> Role {
        guard let allowed = roles[name] else { throw ToolError("\(name) is not on the roster") }
        guard let wanted else { return allowed }
        if wanted > allowed { throw ToolError("\(name) is a \(allowed.rawValue) on the roster and cannot act as \(wanted.rawValue)") }
        return wanted
    }
}
