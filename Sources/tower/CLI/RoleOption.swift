import Foundation
import TowerCore

/// `--role` and `--roster`: what the operator may do, checked against the roster when there is one
/// (`--roster FILE`, else `$TOWER_ROSTER`, else `/etc/tower/roster.conf` when it exists).
enum RoleOption {
    static let options: [CommandSpec.Option] = [
        .init(name: "role", value: "ROLE", help: "dispatcher (the default without a roster) or supervisor (approves above the policy's cost limit, and waives the channel rules)."),
        .init(name: "roster", value: "FILE", help: "Users and their roles, NAME = ROLE per line (default $TOWER_ROSTER, else /etc/tower/roster.conf if present)."),
    ]

    static let systemRoster = "/etc/tower/roster.conf"

    /// The role `operatorName` acts in, and the roster it was checked against (nil: none, the role on trust).
    static func resolve(_ arguments: ParsedArguments, operatorName: String, command: String) throws -> (role: Role, roster: Roster?) {
        var wanted: Role?
        if let text = arguments.value("role") {
            guard let role = Role(rawValue: text) else {
                throw UsageError(message: "--role is dispatcher or supervisor, got '\(TextSanitizer.clean(text))'", command: command)
            }
            wanted = role
        }
        guard let path = rosterPath(arguments) else { return (wanted ?? .dispatcher, nil) }
        let roster = try Roster.load(path: path)
        do {
            return (try roster.grant(wanted, to: operatorName), roster)
        } catch {
            throw ToolError("roster \(path): \(error)")
        }
    }

    /// The roster named by `--roster`, `$TOWER_ROSTER` or the system's, if any.
    static func roster(_ arguments: ParsedArguments) throws -> Roster? {
        try rosterPath(arguments).map { try Roster.load(path: $0) }
    }

    private static func rosterPath(_ arguments: ParsedArguments) -> String? {
        let environment = ProcessInfo.processInfo.environment["TOWER_ROSTER"].flatMap { $0.isEmpty ? nil : $0 }
        return arguments.value("roster") ?? environment ?? (FileManager.default.fileExists(atPath: systemRoster) ? systemRoster : nil)
    }
}
