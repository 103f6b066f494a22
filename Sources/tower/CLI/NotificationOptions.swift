import Foundation
import TowerCore

/// `--outbox FILE` and `--webhook URL`: where customer messages go (see `Outbox` and `WebhookRelay`).
struct NotificationOptions {
    static let options: [CommandSpec.Option] = [
        .init(name: "outbox", value: "FILE", help: "Customer messages as JSON lines (default: NAME.outbox.jsonl beside the journal)."),
        .init(name: "webhook", value: "URL", help: "Also POST each message to this http(s) address, with retries; failures go to OUTBOX.dead.jsonl."),
    ]

    /// The outbox file; nil for a run without a journal and without `--outbox` (nothing of it is kept).
    let outbox: String?
    let journal: String?
    let webhook: HTTPWebhookTransport?

    init(_ arguments: ParsedArguments, journal: String?) throws {
        self.journal = journal
        outbox = arguments.value("outbox") ?? journal.map { JournalFiles(journal: $0).outbox }
        webhook = try arguments.value("webhook").map { try HTTPWebhookTransport(address: $0) }
        if webhook != nil, outbox == nil { throw UsageError(message: "--webhook sends from an outbox: give --journal or --outbox too") }
    }

    /// Opens the outbox and adds what the journal holds and the outbox lacks (a crash between the two).
    func openOutbox(world: World) throws -> Outbox? {
        guard let outbox else { return nil }
        let opened = try Outbox(path: outbox, utcOffsetSeconds: world.utcOffsetSeconds)
        if let journal, FileManager.default.fileExists(atPath: journal) { _ = try opened.catchUp(journal: journal, world: world) }
        return opened
    }

    /// The relay to the webhook, when one was given.
    func relay(retry: RetryPolicy = RetryPolicy()) throws -> WebhookRelay? {
        guard let webhook, let outbox else { return nil }
        let start = Date()
        return try WebhookRelay(outbox: outbox, ledger: JournalFiles.ledger(forOutbox: outbox),
                                deadLetter: JournalFiles.deadLetter(forOutbox: outbox),
                                transport: webhook, retry: retry, clock: { Date().timeIntervalSince(start) })
    }
}
