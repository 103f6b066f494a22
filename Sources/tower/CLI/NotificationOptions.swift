import Foundation
import TowerCore

/// `--outbox FILE` and `--webhook URL`: where customer messages go (see `Outbox` and `WebhookRelay`).
struct NotificationOptions {
    static let options: [CommandSpec.Option] = [
        .init(name: "outbox", value: "FILE", help: "Customer messages as JSON lines (default: NAME.outbox.jsonl beside the journal)."),
        .init(name: "webhook", value: "URL", help: "Also POST each message to this http(s) address, with retries; failures go to OUTBOX.dead.jsonl."),
        .init(name: "rider-webhook", value: "URL", help: "POST each change to a rider's stops to this address (from NAME.riders.jsonl beside the journal), with the same guarantees."),
    ]

    /// The outbox file; nil for a run without a journal and without `--outbox` (nothing of it is kept).
    let outbox: String?
    let journal: String?
    let webhook: HTTPWebhookTransport?
    /// Riders' route changes: their outbox (beside the journal) and where they are posted, when asked for.
    let riderOutbox: String?
    let riderWebhook: HTTPWebhookTransport?

    init(_ arguments: ParsedArguments, journal: String?) throws {
        self.journal = journal
        outbox = arguments.value("outbox") ?? journal.map { JournalFiles(journal: $0).outbox }
        webhook = try arguments.value("webhook").map { try HTTPWebhookTransport(address: $0) }
        if webhook != nil, outbox == nil { throw UsageError(message: "--webhook sends from an outbox: give --journal or --outbox too") }
        riderWebhook = try arguments.value("rider-webhook").map { try HTTPWebhookTransport(address: $0, option: "rider-webhook") }
        riderOutbox = riderWebhook == nil ? nil : journal.map { JournalFiles(journal: $0).riderOutbox }
        if riderWebhook != nil, riderOutbox == nil { throw UsageError(message: "--rider-webhook sends from the riders' outbox beside the journal: give --journal") }
    }

    /// Opens the outboxes (customers', and riders' when asked for) and adds what the journal holds and an outbox
    /// lacks (a crash between the two).
    func openOutboxes(world: World) throws -> [Outbox] {
        try [(outbox, Outbox.Kind.customers), (riderOutbox, .riders)].compactMap { path, kind in
            guard let path else { return nil }
            let opened = try Outbox(path: path, utcOffsetSeconds: world.utcOffsetSeconds, kind: kind)
            if let journal, FileManager.default.fileExists(atPath: journal) { _ = try opened.catchUp(journal: journal, world: world) }
            return opened
        }
    }

    /// The relays to the webhooks given: customers' messages, riders' route changes.
    func relays(retry: RetryPolicy = RetryPolicy()) throws -> [WebhookRelay] {
        let start = Date()
        return try [(webhook, outbox), (riderWebhook, riderOutbox)].compactMap { transport, path in
            guard let transport, let path else { return nil }
            return try WebhookRelay(outbox: path, ledger: JournalFiles.ledger(forOutbox: path), deadLetter: JournalFiles.deadLetter(forOutbox: path),
                                    transport: transport, retry: retry, clock: { Date().timeIntervalSince(start) })
        }
    }
}
