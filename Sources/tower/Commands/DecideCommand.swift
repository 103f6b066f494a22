import Foundation
import TowerCore

/// `tower decide`: approve or reject an escalation from the command line, for the board that keeps the journal.
enum DecideCommand: Command {
    static let spec = CommandSpec(
        name: "decide",
        summary: "Approve or reject an escalation: the running board takes it from its inbox.",
        arguments: [
            .init(name: "approve|reject", help: "The decision."),
            .init(name: "EXCEPTION", help: "The escalation's id, e.g. E-0012."),
        ],
        options: [
            .init(name: "option", value: "N", help: "The option to approve, 1-4 (default 1, the core's first choice)."),
            .init(name: "reason", value: "TEXT", help: "Why (for a rejection)."),
            .init(name: "operator", value: "NAME", help: "Who decides (default: the login name)."),
            .init(name: "journal", value: "FILE", help: "The board's journal (default NAME-seedN.jsonl in the state folder, from --scenario and --seed)."),
            .init(name: "scenario", value: "DIR", help: "Scenario of the board (default \(defaultScenarioName))."),
            .init(name: "seed", value: "N", help: "Seed of the board (default 1)."),
            .init(name: "policy", value: "NAME|FILE", help: "The board's policy, for its cost limit (default: the built-in one)."),
        ] + RoleOption.options,
        discussion: """
        The decision is checked against the journal (the case exists and waits for a decision, the option exists)
        and appended to the board's inbox, JOURNAL with .inbox.jsonl for .jsonl; the board applies it within a
        second, re-planning the option against the city as it is then, and refuses it (with the reason, in the
        dead-letter file) if it is stale by then.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let verb = arguments.positionals[0]
        let exception = arguments.positionals[1]
        guard verb == "approve" || verb == "reject" else {
            throw UsageError(message: "the decision is 'approve' or 'reject', got '\(TextSanitizer.clean(verb))'", command: spec.name)
        }
        let operatorName = try BoardCommand.operatorName(arguments.value("operator"))
        let role = try RoleOption.resolve(arguments, operatorName: operatorName, command: spec.name).role
        let policy = try PolicyChoice.parse(arguments.value("policy")).policy
        let option = Int(try arguments.double("option", default: 1, in: 1...4))
        let journalPath: String
        if let given = arguments.value("journal") {
            journalPath = given
        } else {
            let scenario = try ScenarioLoader.load(directory: arguments.value("scenario") ?? defaultScenario)
            journalPath = try BoardCommand.defaultJournal(scenario: scenario, seed: try arguments.seed())
        }
        let world = try Replayer.replay(path: journalPath).world
        let body: EventBody = verb == "approve"
            ? .exceptionApproved(exception: exception, option: option, operator: operatorName)
            : .exceptionRejected(exception: exception, operator: operatorName, reason: arguments.value("reason") ?? "rejected from the command line")
        let stamp = Int64(Date().timeIntervalSince1970 * 1000)
        // Unique beyond the millisecond: two decisions in the same one (a script, two operators) never share an id.
        let event = Event(id: "decide-\(operatorName)-\(stamp)-\(UUID().uuidString.prefix(8).lowercased())", at: world.clock ?? Instant(seconds: stamp / 1000), by: operatorName, body: body, role: role)
        do {
            try world.check(event)
        } catch {
            throw ToolError("\(journalPath): \(error.reason)")
        }
        if verb == "approve", let cost = world.exceptions[exception]?.options[option - 1].costDelta,
           let refusal = role.refusal(toApproveCost: cost, costLimit: policy.costLimit) {
            throw ToolError("\(exception) option \(option): \(refusal) (\(operatorName) is a \(role.rawValue))")
        }
        let inbox = JournalFiles(journal: journalPath).inbox
        let file = try AppendOnlyFile(path: inbox, what: "inbox")
        file.append(line: EventCodec.encode(event, utcOffsetSeconds: world.utcOffsetSeconds))
        try file.flush()
        file.close()
        if verb == "approve", let summary = world.exceptions[exception]?.options[option - 1].summary {
            print("queued: approve \(exception) option \(option): \(summary)")
        } else {
            print("queued: \(verb) \(exception)")
        }
        print("inbox: \(inbox) (the board applies it within a second)")
        return 0
    }
}
