import Foundation

/// One run of the live plan's ruin-and-recreate search: a copy of the world, the instant it was taken, and a budget
/// in iterations with a seed, so the outcome depends on nothing else (not on the thread or the machine's load).
public struct PlanSearch: Sendable {
    public var world: World
    public var now: Instant
    public var seed: UInt64
    public var iterations: Int
    public var planner: InsertionPlanner

    public func run() -> LiveImprover.Outcome {
        LiveImprover(planner: planner).improve(world, now: now, seed: seed, iterations: iterations)
    }
}

/// Where the engine's plan searches run. The engine starts one at a time and collects its outcome a fixed
/// simulated time later; a runner only decides which thread does the work.
public protocol PlanSearchRunner: AnyObject {
    func start(_ search: PlanSearch)
    /// The outcome of the search started last, waiting for it when it is still running.
    func outcome() -> LiveImprover.Outcome
}

/// Runs each search on the caller's thread when its outcome is asked for: headless runs and tests. (The outcome
/// is the same whenever it runs; a search restored from a checkpoint costs nothing until it is due.)
public final class InlinePlanSearch: PlanSearchRunner {
    private var pending: PlanSearch?
    private var result = LiveImprover.Outcome()

    public init() {}

    public func start(_ search: PlanSearch) { pending = search }

    public func outcome() -> LiveImprover.Outcome {
        if let search = pending {
            result = search.run()
            pending = nil
        }
        return result
    }
}

/// Runs searches on a thread of its own, so the board keeps drawing and reading keys while one runs. The thread
/// lives as long as the process (one per board).
public final class BackgroundPlanSearch: PlanSearchRunner, @unchecked Sendable {
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: PlanSearch?
    private var result: LiveImprover.Outcome?

    public init() {
        let thread = Thread { self.work() }
        thread.name = "tower.plan-search"
        thread.start()
    }

    public func start(_ search: PlanSearch) {
        condition.lock()
        pending = search
        result = nil
        condition.broadcast()
        condition.unlock()
    }

    public func outcome() -> LiveImprover.Outcome {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return result!
    }

    private func work() {
        while true {
            condition.lock()
            while pending == nil { condition.wait() }
            let search = pending!
            pending = nil
            condition.unlock()
            let outcome = search.run()
            condition.lock()
            // A newer search started meanwhile replaces this one's outcome.
            if pending == nil { result = outcome }
            condition.broadcast()
            condition.unlock()
        }
    }
}
