import Foundation
import Synchronization
import TowerCore

/// Runs a `WebhookRelay` on its own thread, so a slow or dead endpoint never holds up the board.
final class WebhookWorker: Sendable {
    /// Hands the relay to the worker thread, which alone uses it from then on.
    private final class Handoff: @unchecked Sendable {
        let relay: WebhookRelay
        init(_ relay: WebhookRelay) { self.relay = relay }
    }

    private let stopping = Mutex(false)
    private let stopped = DispatchSemaphore(value: 0)
    private let figures = Mutex((sent: 0, dead: 0, pending: 0))

    init(relay: WebhookRelay) {
        let handoff = Handoff(relay)
        let thread = Thread { [self] in
            let relay = handoff.relay
            while !stopping.withLock({ $0 }) {
                let wait = relay.step()
                figures.withLock { $0 = (relay.sent, relay.deadLettered, relay.pending) }
                Thread.sleep(forTimeInterval: min(wait ?? 0.5, 0.5))
            }
            relay.close()
            stopped.signal()
        }
        thread.name = "webhook"
        thread.start()
    }

    /// Messages sent, dead-lettered and waiting so far.
    var status: (sent: Int, dead: Int, pending: Int) { figures.withLock { $0 } }

    /// Asks the thread to finish after the POST under way (at most its timeout) and waits for it. What is still
    /// pending stays in the outbox and goes on the next start.
    func stop() {
        stopping.withLock { $0 = true }
        _ = stopped.wait(timeout: .now() + 20)
    }
}
