import Foundation
import Synchronization
import Testing
@testable import TowerCore

/// The 06:00 plan within its budget (`EngineSettings.planBudget`): past its share of the budget the plan stops
/// inserting and holds the least urgent orders for their waves; past the whole budget it stops re-sequencing. The
/// work clock is the test's, so the cut falls at the same order every run.
@Suite struct PlanBudgetTests {
    /// A work clock that reads `step(n)` nanoseconds at its n-th reading (from 1).
    final class WorkClock: Sendable {
        private let reads = Mutex<UInt64>(0)
        private let step: @Sendable (UInt64) -> UInt64
        init(_ step: @escaping @Sendable (UInt64) -> UInt64) { self.step = step }
        @Sendable func read() -> UInt64 { step(reads.withLock { $0 += 1; return $0 }) }
    }

    static let budget = 10.0

    /// A day of the test city with the budget and its own work clock (nil: the real one), played to the lock.
    static func lockPlan(budget: Double?, clock: WorkClock?, journal: String? = nil) throws -> SessionStarter.Session {
        var scenario = try TestCity.scenario(riders: 10, orders: 200)
        scenario.planBudget = budget ?? 3600
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: journal, durability: .batch)
        if let clock { session.engine.dispatcher.workClock = clock.read }
        session.simulation.run(until: scenario.planLock, engine: session.engine)
        return session
    }

    /// The orders the lock had to plan, most urgent first, from a plan that planned them all.
    static func planned(in engine: Engine) -> [Order] {
        engine.world.orders.values.filter { $0.rider != nil || engine.dispatcher.waiting.contains($0.id) }
            .sorted { ($0.window.end, -$0.tier.rank, $0.id) < ($1.window.end, -$1.tier.rank, $1.id) }
    }

    @Test func pastItsShareTheLockHoldsTheLeastUrgentForTheirWaves() throws {
        let whole = try Self.lockPlan(budget: nil, clock: nil).engine
        let due = Self.planned(in: whole)
        // One second a reading: the plan starts at 1 s and may insert until 1 + 8 s, one reading before each order.
        let cut = try Self.lockPlan(budget: Self.budget, clock: WorkClock { $0 * 1_000_000_000 })
        let engine = cut.engine
        let lock = cut.simulation.scenario.planLock
        var dueAlready: Set<Instant> = []
        let inserted = Int(Self.budget * Dispatcher.insertionShare) - 1
        #expect(due.count > 3 * inserted, "the test city books more orders than the budget lets the plan insert")
        for (index, order) in due.enumerated() {
            let now = try #require(engine.world.orders[order.id])
            if index < inserted {
                #expect(now.rider == order.rider, "\(order.id) is planned as the whole plan planned it")
                #expect(engine.dispatcher.held[order.id] == nil)
            } else {
                #expect(now.rider == nil && now.status == .open, "\(order.id) came after the budget")
                #expect(!engine.dispatcher.waiting.contains(order.id), "a held order is not an order no rider could take")
                let release = try #require(engine.dispatcher.held[order.id], "\(order.id) is held")
                let due = engine.dispatcher.dueTime(of: now)
                #expect(due <= order.window.start - Dispatcher.deferredHorizon && due > order.window.start - Dispatcher.deferredHorizon - Dispatcher.releaseSpread)
                if due > lock {
                    #expect(release == due)
                } else {
                    // Due already: placed over the half hour after the lock, not all at its first tick.
                    #expect(release > lock && release <= lock + Dispatcher.releaseSpread, "\(order.id) released at \(release)")
                    dueAlready.insert(release)
                }
            }
        }
        #expect(dueAlready.count > 5, "the orders already due are spread over the half hour after the lock")

        // Through the day each held order is placed once its wave comes, and none is forgotten.
        var clock = cut.simulation.scenario.planLock
        while clock < cut.simulation.scenario.time(20 * 3600) {
            clock = clock + Engine.tickInterval
            cut.simulation.run(until: clock, engine: engine)
            for (id, release) in engine.dispatcher.held {
                #expect(release > clock, "\(id) held past its release")
                #expect(engine.world.orders[id]?.rider == nil)
            }
        }
        #expect(engine.backlog.held == 0)
        for order in due[inserted...] {
            let now = try #require(engine.world.orders[order.id])
            #expect(now.rider != nil || now.status.isFinal || engine.dispatcher.waiting.contains(order.id), "\(order.id) was never placed")
        }
    }

    @Test func pastTheWholeBudgetTheRoutesAreKeptAsInserted() throws {
        let whole = try Self.lockPlan(budget: nil, clock: nil).engine
        let due = Self.planned(in: whole)
        // No time passes over the insertions (a reading at the start and one before each order); then the budget is spent.
        let insertions = UInt64(due.count + 1)
        let engine = try Self.lockPlan(budget: Self.budget, clock: WorkClock { $0 <= insertions ? 0 : 1_000_000_000_000 }).engine
        #expect(engine.dispatcher.held.isEmpty)
        var resequenced = 0
        for order in due { #expect(engine.world.orders[order.id]?.rider == order.rider, "\(order.id) is planned as the whole plan planned it") }
        for id in whole.world.riderIDs {
            let kept = engine.world.routes[id]?.stops.map(\.order), improved = whole.world.routes[id]?.stops.map(\.order)
            #expect(Set(kept ?? []) == Set(improved ?? []))
            if kept != improved { resequenced += 1 }
        }
        #expect(resequenced > 0, "the whole plan re-sequenced some route the budget left as inserted")
    }

    @Test func aRestartHoldsWhatTheBudgetHeld() throws {
        let straight = TestCity.temporaryFile()
        let stopped = TestCity.temporaryFile()
        defer { for path in [straight, stopped] { try? FileManager.default.removeItem(atPath: path) } }
        let tick: @Sendable (UInt64) -> UInt64 = { reads in reads * 1_000_000_000 }
        let whole = try Self.lockPlan(budget: Self.budget, clock: WorkClock(tick), journal: straight)
        whole.simulation.run(until: whole.simulation.scenario.time(13 * 3600), engine: whole.engine)
        whole.engine.sync()

        let first = try Self.lockPlan(budget: Self.budget, clock: WorkClock(tick), journal: stopped)
        // Inside the half hour after the lock, while orders already due when the budget ran out are being placed.
        first.simulation.run(until: first.simulation.scenario.time(6 * 3600 + 16 * 60), engine: first.engine)
        first.simulation.checkpoint(engine: first.engine)
        first.engine.sync()
        #expect(!first.engine.dispatcher.held.isEmpty)
        var scenario = first.simulation.scenario
        scenario.planBudget = Self.budget
        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: stopped, durability: .batch)
        #expect(resumed.engine.dispatcher.held == first.engine.dispatcher.held, "the same orders held until the same times")
        resumed.simulation.run(until: scenario.time(13 * 3600), engine: resumed.engine)
        resumed.engine.sync()
        #expect(try CheckpointTests.happenings(stopped) == CheckpointTests.happenings(straight))
    }

    @Test func theBudgetIsReadFromTheScenarioAndChecked() throws {
        let plain = try TestCity.folder()
        let good = try TestCity.folder(setting: "plan_budget_s", "20")
        let bad = try TestCity.folder(setting: "plan_budget_s", "0")
        defer { for path in [plain, good, bad] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(try ScenarioLoader.load(directory: plain).planBudget == Scenario.defaultPlanBudget)
        let scenario = try ScenarioLoader.load(directory: good)
        #expect(scenario.planBudget == 20)
        #expect(EngineSettings(scenario: scenario, mode: .continuousAuto, policy: .standard).planBudget == 20)
        do {
            _ = try ScenarioLoader.load(directory: bad)
            Issue.record("a budget of 0 s was accepted")
        } catch {
            #expect("\(error)".contains("plan_budget_s"), "\(error)")
        }
    }
}
