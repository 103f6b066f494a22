import Foundation
import TowerCore

/// `tower outbox retry`: the way back for customer messages the webhook gave up on.
enum OutboxCommand: Command {
    static let spec = CommandSpec(
        name: "outbox",
        summary: "Send again the customer messages the webhook gave up on (tower outbox retry).",
        arguments: [.init(name: "ACTION", help: "retry: put the webhook's dead letters back in line for the next run with --webhook.")],
        options: [
            .init(name: "journal", value: "FILE", help: "The journal whose outbox it is (its files are named after it)."),
            .init(name: "outbox", value: "FILE", help: "The outbox itself, when it was given with --outbox."),
        ],
        discussion: """
        The relay tries each message for about an hour before it gives up and files it in OUTBOX.dead.jsonl. After
        the endpoint is mended, 'tower outbox retry' puts those messages back: the next board or simulate run with
        --webhook sends them, in outbox order, with their original Idempotency-Key. The dead letters move to
        OUTBOX.dead.jsonl.retried as the record.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        guard arguments.positionals[0] == "retry" else {
            throw UsageError(message: "the action is 'retry', got '\(TextSanitizer.clean(arguments.positionals[0]))'", command: spec.name)
        }
        let outbox: String
        if let given = arguments.value("outbox") {
            outbox = given
        } else if let journal = arguments.value("journal") {
            outbox = JournalFiles(journal: journal).outbox
        } else {
            throw UsageError(message: "name the outbox: --journal FILE or --outbox FILE", command: spec.name)
        }
        guard FileManager.default.fileExists(atPath: outbox) else { throw ToolError("no outbox at \(outbox)") }
        let count = try WebhookRelay.requeueDeadLetters(ledger: JournalFiles.ledger(forOutbox: outbox),
                                                        deadLetter: JournalFiles.deadLetter(forOutbox: outbox))
        print(count == 0 ? "nothing to retry: \(TextSanitizer.clean(JournalFiles.deadLetter(forOutbox: outbox))) holds no messages"
                         : "\(count) messages back in line: the next run with --webhook on \(TextSanitizer.clean(outbox)) sends them")
        return 0
    }
}
