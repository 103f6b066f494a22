import Foundation
import TowerCore

/// Times a board's outlook on a thread of its own, one at a time, so a frame never waits for it: re-timing every
/// route of a 2,000-rider city takes longer than a frame may (`tower bench scale`), while a frame only draws the
/// latest outlook finished. The loop asks for a new one when an event arrives or the clock leaves its step, takes
/// it when it is done, and draws with the one it has until then (one timing behind at most).
final class BackgroundOutlook: @unchecked Sendable {
    /// What an outlook was asked for: the board's copy (its generation), the event it had seen, the clock's step.
    struct Key: Equatable, Sendable {
        var generation: Int
        var seq: Int64
        var step: Int64
    }

    private let lock = NSLock()
    private var running = false  // guarded by `lock`
    private var finished: (key: Key, outlook: Outlook)?  // guarded by `lock`

    /// Starts timing `inputs` unless an outlook is being timed already (then the next frame asks again).
    func request(_ key: Key, _ inputs: Outlook.Inputs) {
        let start = lock.withLock { () -> Bool in
            guard !running else { return false }
            running = true
            return true
        }
        guard start else { return }
        DispatchQueue.global(qos: .userInitiated).async {
            let outlook = inputs.outlook()
            self.lock.withLock {
                self.finished = (key, outlook)
                self.running = false
            }
        }
    }

    /// The outlook finished since the last call, if any.
    func take() -> (key: Key, outlook: Outlook)? {
        lock.withLock {
            defer { finished = nil }
            return finished
        }
    }

    /// Whether an outlook is waiting to be taken (the loop draws again when one is).
    var hasFinished: Bool { lock.withLock { finished != nil } }
}
