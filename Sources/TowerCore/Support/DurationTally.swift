import Foundation

/// How many times something took how long in all (wall time): the journal's writes and syncs, for `/metrics`.
/// Operational telemetry, never an input to a decision.
public struct DurationTally: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var seconds = 0.0
    /// The last one's time.
    public private(set) var last = 0.0

    public init() {}

    /// Runs `body`, adding its time.
    public mutating func time<T>(_ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { add(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9) }
        return try body()
    }

    /// Adds one that took `duration` seconds.
    public mutating func add(_ duration: Double) {
        last = duration
        count += 1
        seconds += duration
    }
}
