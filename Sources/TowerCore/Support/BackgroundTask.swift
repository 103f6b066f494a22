import Foundation
import Synchronization

/// One piece of work at a time on a thread of its own, whose result the owner takes when it looks: the core's
/// snapshots and outlooks are made this way, so neither the core's loop nor a frame waits for them.
public final class BackgroundTask<Value: Sendable>: Sendable {
    private let state = Mutex<(running: Bool, done: Value?)>((false, nil))

    public init() {}

    /// Starts `work` on a thread named `name` unless work is under way; returns whether it started.
    @discardableResult
    public func start(named name: String, _ work: @escaping @Sendable () -> Value) -> Bool {
        let started = state.withLock { state -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        guard started else { return false }
        let thread = Thread { [self] in
            let value = work()
            state.withLock { $0 = (false, value) }
        }
        thread.name = name
        thread.start()
        return true
    }

    /// The result finished since the last call, if one did.
    public func take() -> Value? {
        state.withLock { state in
            defer { state.done = nil }
            return state.done
        }
    }

    /// Whether work is under way.
    public var isRunning: Bool { state.withLock { $0.running } }
}
