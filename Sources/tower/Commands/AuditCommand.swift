import Foundation
import TowerCore

/// `tower audit`: every exception decision in a journal, who took it and when.
enum AuditCommand: Command {
    static let spec = CommandSpec(
        name: "audit",
        summary: "List the exception decisions in a journal: who, when, which case, what was done and why.",
        arguments: [.init(name: "JOURNAL", help: "A journal written by Tower.")],
        options: [.init(name: "all", value: nil, help: "Also list the cases the core resolved itself (default: escalations only).")],
        discussion: "Columns: time, exception, kind, subject, decision (approved, rejected, defaulted, auto), by, action, reason.")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = arguments.positionals[0]
        var world = World()
        var rows: [[String]] = []
        for event in try Replayer.replay(path: path, keepEvents: true).events {
            world.apply(event)
            let time = ISOTime.clock(event.at, offsetSeconds: world.utcOffsetSeconds)
            func row(_ id: String, _ decision: String, _ action: String, _ why: String) {
                let exception = world.exceptions[id]
                rows.append([time, id, exception?.kind.rawValue ?? "?", exception?.subject ?? "?", decision, event.by, action, why])
            }
            switch event.body {
            case let .exceptionApproved(id, option, op):
                row(id, "approved", world.exceptions[id]?.resolution?.text ?? "option \(option)", "by \(op), option \(option)")
            case let .exceptionRejected(id, _, reason):
                row(id, "rejected", "-", reason)
            case let .exceptionDefaulted(id, option):
                row(id, "defaulted", world.exceptions[id]?.resolution?.text ?? "none", option == 0 ? "deadline passed; default none" : "deadline passed; option \(option)")
            case let .orderPinned(order, rider):
                rows.append([time, "-", "assign", order, "assigned", event.by, Remedy(.reassign, order, target: rider).description, "put on \(rider) by \(event.by)"])
            case let .exceptionAutoResolved(id, action, rule) where arguments.has("all"):
                row(id, "auto", action.description, rule)
            default:
                break
            }
        }
        print(["time", "exception", "kind", "subject", "decision", "by", "action", "reason"].joined(separator: "\t"))
        for row in rows { print(row.map { TextSanitizer.clean($0) }.joined(separator: "\t")) }
        let escalated = world.exceptions.values.filter { $0.options.count > 0 }.count
        let waiting = world.escalatedCases.count
        FileHandle.standardError.write(Data("\(rows.count) decisions; \(escalated) escalations, \(waiting) still waiting\n".utf8))
        return 0
    }
}
