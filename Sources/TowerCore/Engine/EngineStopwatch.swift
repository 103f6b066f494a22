import Foundation

/// How long the engine's work takes, by kind, for `tower bench scale`: set `Engine.stopwatch` and each piece of
/// work is timed on the monotonic clock. Never read by a decision (those take time from the events), and off
/// (nil) everywhere but benchmarks.
public final class EngineStopwatch {
    public enum Work: String, CaseIterable, Sendable {
        /// One input through `Engine.submit`: the timed work due before it, its check, journal, apply and reaction.
        case event
        /// The 06:00 plan.
        case planDay = "06:00 plan"
        /// One exception scan: the outlook, the detectors, and triage of what they found.
        case scan = "exception scan"
        /// One ruin-and-recreate plan search (inline).
        case planSearch = "plan search"
        /// One retry of the orders no rider could take.
        case retry = "waiting-order retry"
        case release = "held-order release"
    }

    /// Milliseconds per run of each kind of work, in the order they ran.
    public private(set) var samples: [Work: [Double]] = [:]

    public init() {}

    /// Now, to pass to `record` when the work is done.
    func start() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    func record(_ work: Work, since start: UInt64?) {
        guard let start else { return }
        samples[work, default: []].append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }

    public func reset() { samples = [:] }
}
