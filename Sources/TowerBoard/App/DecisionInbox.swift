import TowerCore

/// Decisions written by `tower decide` while the board runs: a JSON-lines file the board follows. Only approvals
/// and rejections are taken; each is stamped with the board's clock when it arrives (the writer cannot know it),
/// and a refused one (already decided, stale, unknown) goes to the dead-letter file with the reason.
public final class DecisionInbox {
    private let follower: FeedFollower
    private let deadLetter: DeadLetterFile

    public init(follower: FeedFollower, deadLetter: DeadLetterFile) {
        self.follower = follower
        self.deadLetter = deadLetter
    }

    /// Submits what arrived since the last poll; returns one line per decision for the status bar.
    public func poll(engine: Engine, now: Instant) -> [String] {
        var notes: [String] = []
        for line in follower.poll() where !JournalReader.isBlank(line.bytes) {
            let decoded = line.bytes.withUnsafeBufferPointer { JournalReader.decode($0) }
            var refusal: EventError
            switch decoded {
            case let .bad(error):
                refusal = error
            case var .event(event, _):
                if engine.world.hasSeen(eventID: event.id) { continue }  // taken before a restart
                guard event.isOperatorDecision else {
                    refusal = EventError(field: "type", reason: "the inbox takes only exception.approved, exception.rejected and order.pinned")
                    break
                }
                event.at = max(now, engine.world.clock ?? now)
                do throws(EventError) {
                    try engine.submit(event)
                    notes.append("\(event.by): \(event.type.replacingOccurrences(of: "exception.", with: "")) \(Self.subject(event))")
                    continue
                } catch {
                    refusal = error
                }
            }
            deadLetter.record(source: follower.name, line: line.number, error: refusal, raw: line.bytes)
            notes.append("inbox line \(line.number) refused: \(refusal.reason)")
        }
        return notes
    }

    private static func subject(_ event: Event) -> String {
        switch event.body {
        case let .exceptionApproved(exception, option, _): return "\(exception) option \(option)"
        case let .exceptionRejected(exception, _, _): return exception
        case let .orderPinned(order, rider): return "\(order) to \(rider)"
        default: return ""
        }
    }
}
