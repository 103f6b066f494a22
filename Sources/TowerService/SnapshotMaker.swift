import Foundation
import TowerCore

/// Writes the core's snapshots on a thread of their own, so neither the core nor a board attaching waits for one:
/// the server hands over a copy of the core's state (values: copying them costs nothing until the core changes
/// them) and takes the frame when it is ready.
final class SnapshotMaker: Sendable {
    /// A snapshot ready to send: its frame, the journal position it stands at, where in the server's stream of
    /// frames it ends, when the core stood there (its writing began), and the instant its outlook was timed at.
    struct Made: Sendable {
        var frame: [UInt8]
        var seq: Int64
        var end: Int
        var taken: Date
        var outlookAt: Instant
    }

    private let task = BackgroundTask<Result<Made, ToolError>>()

    /// Starts writing `snapshot`, which ends at `end` in the server's stream; does nothing while one is being
    /// written.
    func start(_ snapshot: CoreSnapshot, end: Int) {
        let taken = Date()
        task.start(named: "snapshot") {
            do {
                let frame = ServiceFrame.snapshot(try snapshot.encoded()).encoded()
                return .success(Made(frame: frame, seq: snapshot.seq, end: end, taken: taken, outlookAt: snapshot.outlook.at))
            } catch {
                return .failure(ToolError("the core's snapshot could not be written: \(error)"))
            }
        }
    }

    /// The snapshot finished since the last call, if one did.
    func take() -> Result<Made, ToolError>? { task.take() }
}
