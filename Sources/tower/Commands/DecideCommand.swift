import Foundation
import TowerCore
import TowerService

/// `tower decide`: approve or reject an escalation from the command line, as a client of the running core.
enum DecideCommand: Command {
    static let spec = CommandSpec(
        name: "decide",
        summary: "Approve or reject an escalation on the running core (tower serve, or a board's).",
        arguments: [
            .init(name: "approve|reject", help: "The decision."),
            .init(name: "EXCEPTION", help: "The escalation's id, e.g. E-0012."),
        ],
        options: SocketOption.options + [
            .init(name: "option", value: "N", help: "The option to approve, 1-4 (default 1, the core's first choice)."),
            .init(name: "reason", value: "TEXT", help: "Why (for a rejection)."),
            SocketOption.roleOption,
        ],
        discussion: """
        The core checks the decision against the city as it is (the case waits, the option exists, your role may
        approve its cost), journals it and carries it out, or refuses it with the reason. You are the login name
        the kernel gives the core for this connection. Exit status 0: done; 1: refused or no core.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let verb = arguments.positionals[0]
        let exception = arguments.positionals[1]
        let command: OperatorCommand
        switch verb {
        case "approve":
            command = .approve(exception: exception, option: try arguments.int("option", default: 1, in: 1...4))
        case "reject":
            command = .reject(exception: exception, reason: arguments.value("reason") ?? "rejected from the command line")
        default:
            throw UsageError(message: "the decision is 'approve' or 'reject', got '\(TextSanitizer.clean(verb))'", command: spec.name)
        }
        let socket = try SocketOption.path(arguments)
        let client = try ServiceClient(socketPath: socket, request: .init(role: try SocketOption.role(arguments, command: spec.name), follow: false))
        defer { client.close() }
        guard let sent = client.send(command) else { throw ToolError("socket \(socket): the core closed the connection") }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let (frames, ended) = client.receive(timeout: 200)
            for frame in frames {
                switch frame {
                case let .reply(id, reply) where id == sent:
                    guard reply.outcome == .done else { throw ToolError(TextSanitizer.clean(reply.text)) }
                    print(TextSanitizer.clean(reply.text))
                    return 0
                case let .refused(reason):
                    throw ToolError("socket \(socket): the core refused: \(reason)")
                default:
                    continue
                }
            }
            if let ended { throw ToolError("socket \(socket): \(ended) before the core answered") }
        }
        throw ToolError("socket \(socket): no answer from the core within 10 s")
    }
}
