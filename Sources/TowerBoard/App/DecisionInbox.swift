import TowerCore

/// Decisions written by `tower decide` while the board runs: a JSON-lines file the board follows. Only approvals
/// and rejections (and dispatchers' pins) are taken; each is stamped with the board's clock when it arrives (the
/// writer cannot know it), and a refused one (already decided, stale, unknown) goes to the dead-letter file with
/// the reason.
public final class DecisionInbox {
    private let follower: FeedFollower
    private let ingestion: Ingestion

    public init(follower: FeedFollower, deadLetter: DeadLetterFile) {
        self.follower = follower
        ingestion = Ingestion(source: follower.name, deadLetter: deadLetter)
    }

    /// Submits what arrived since the last poll; returns one line per decision for the status bar.
    public func poll(engine: Engine, now: Instant) -> [String] {
        var notes: [String] = []
        for line in follower.poll() {
            var taken: Event?
            let outcome = ingestion.take(line.bytes, line: line.number, overlongBytes: line.overlongBytes, engine: engine) { event in
                guard event.isOperatorDecision else {
                    return EventError(field: "type", reason: "the inbox takes only exception.approved, exception.rejected and order.pinned")
                }
                event.at = max(now, engine.world.clock ?? now)
                taken = event
                return nil
            }
            switch outcome {
            case .accepted:
                if let event = taken {
                    notes.append("\(event.by): \(event.type.replacingOccurrences(of: "exception.", with: "")) \(Self.subject(event))")
                }
            case let .refused(refusal):
                notes.append("inbox line \(line.number) refused: \(refusal.reason)")
            case .stopped:
                return notes
            case .repeated, .skippedCoreDecision, .blank:
                break
            }
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
