import Foundation
import Synchronization
import TowerCore

/// Writes the core's snapshots on a thread of their own, so neither the core nor a board attaching waits for one:
/// the server hands over a copy of the core's state (values: copying them costs nothing until the core changes
/// them) and takes the frame when it is ready.
final class SnapshotMaker: Sendable {
    /// A snapshot ready to send: its frame, the journal position it stands at, where in the server's stream of
    /// events it ends, and when the core stood there.
    struct Made: Sendable {
        var frame: [UInt8]
        var seq: Int64
        var end: Int
        var taken: Date
        /// How long writing it took.
        var seconds: Double
    }

    private let state = Mutex<(running: Bool, done: Result<Made, ToolError>?)>((false, nil))

    /// Starts writing `snapshot`, which ends at `end` in the server's stream, with the core's outlook at `now`
    /// (the first frame of a board that starts from it); does nothing while one is being written.
    func start(_ snapshot: CoreSnapshot, end: Int, outlookAt now: Instant, horizon: Int64?) {
        let started = state.withLock { state -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard started else { return }
        let taken = Date()
        let thread = Thread { [self] in
            let result: Result<Made, ToolError>
            do {
                let frame = ServiceFrame.snapshot(try snapshot.timingOutlook(at: now, horizon: horizon).encoded()).encoded()
                result = .success(Made(frame: frame, seq: snapshot.seq, end: end, taken: taken, seconds: Date().timeIntervalSince(taken)))
            } catch {
                result = .failure(ToolError("the core's snapshot could not be written: \(error)"))
            }
            state.withLock { $0 = (false, result) }
        }
        thread.name = "snapshot"
        thread.start()
    }

    /// The snapshot finished since the last call, if one did.
    func take() -> Result<Made, ToolError>? {
        state.withLock { state in
            defer { state.done = nil }
            return state.done
        }
    }
}
