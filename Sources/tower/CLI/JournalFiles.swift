import Foundation

/// The files that belong to one journal, named after it: `NAME.jsonl` has `NAME.outbox.jsonl` (customer messages),
/// `NAME.dead-letter.jsonl` (the inputs it refused, with why) and, with a rider webhook, `NAME.riders.jsonl` (riders'
/// route changes); a webhook adds `NAME.outbox.sent.jsonl` (its delivery ledger) and `NAME.outbox.dead.jsonl`
/// (messages it gave up on), and likewise for the riders'. An outbox given with `--outbox` keeps its ledger and dead
/// letters beside itself in the same way.
struct JournalFiles {
    let journal: String
    let outbox: String

    init(journal: String, outbox: String? = nil) {
        self.journal = journal
        self.outbox = outbox ?? JournalFiles.stem(journal) + ".outbox.jsonl"
    }

    /// The inputs the core refused (feed lines, HTTP and phones' inputs), each with its reason: a day's own, like its
    /// journal, never mixed with another core's.
    var deadLetter: String { JournalFiles.stem(journal) + ".dead-letter.jsonl" }
    /// Riders' route changes, for `--rider-webhook`.
    var riderOutbox: String { JournalFiles.stem(journal) + ".riders.jsonl" }
    var ledger: String { JournalFiles.ledger(forOutbox: outbox) }
    var webhookDeadLetter: String { JournalFiles.deadLetter(forOutbox: outbox) }
    static func ledger(forOutbox outbox: String) -> String { stem(outbox) + ".sent.jsonl" }
    static func deadLetter(forOutbox outbox: String) -> String { stem(outbox) + ".dead.jsonl" }

    /// Starts the day over (`--fresh`): the journal and everything kept beside it become `FILE.old`, so the new
    /// day's messages are not mistaken for the old day's.
    func moveAside() throws {
        for path in [journal, outbox, deadLetter, ledger, webhookDeadLetter, riderOutbox, JournalFiles.ledger(forOutbox: riderOutbox),
                     JournalFiles.deadLetter(forOutbox: riderOutbox)] where FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.removeItem(atPath: path + ".old")
            try FileManager.default.moveItem(atPath: path, toPath: path + ".old")
        }
    }

    private static func stem(_ path: String) -> String { path.hasSuffix(".jsonl") ? String(path.dropLast(6)) : path }
}
