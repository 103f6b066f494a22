import Foundation
import Testing
@testable import TowerCore

/// A day planned in waves (`EngineSettings.planHorizon`): the lock plans what is due within the horizon, the rest
/// is held and placed as its window comes near; nothing is forgotten and a restart holds what was held.
@Suite struct PlanHorizonTests {
    static let horizon: Int64 = 2 * 3600

    static func scenario() throws -> Scenario {
        var scenario = try TestCity.scenario(riders: 10, orders: 200)
        scenario.planHorizon = horizon
        return scenario
    }

    @Test func theLockPlansWhatIsDueAndHoldsTheRestUntilItsWindowComesNear() throws {
        let scenario = try Self.scenario()
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        let engine = session.engine
        session.simulation.run(until: scenario.planLock + 60, engine: engine)
        let lock = scenario.planLock
        let booked = engine.world.orders.values.filter { $0.createdAt <= lock }
        let due = booked.filter { $0.window.start <= lock + Self.horizon }
        #expect(!due.isEmpty && due.count < booked.count, "the test city books orders on both sides of the horizon")
        for order in booked {
            if order.window.start <= lock + Self.horizon {
                #expect(order.rider != nil || engine.dispatcher.waiting.contains(order.id), "\(order.id) was due at the lock")
            } else if order.window.start > lock + Self.horizon + Dispatcher.releaseSpread {
                #expect(order.rider == nil, "\(order.id) opens at \(order.window.start), beyond the horizon")
                #expect(engine.dispatcher.held[order.id] != nil)
                #expect(!engine.dispatcher.waiting.contains(order.id), "a held order is not an order no rider could take")
            }
        }
        // Held orders are not journaled as unassigned: nobody was asked to take them yet.
        #expect(engine.world.eventCounts["order.unassigned", default: 0] <= due.count)

        // Through the day, each is placed once its window comes within the horizon, some up to half an hour earlier
        // (so the orders of one hour's windows are spread over the ticks before it).
        var clock = lock
        var spread: Set<Int64> = []
        while clock < scenario.time(20 * 3600) {
            clock = clock + Engine.tickInterval
            session.simulation.run(until: clock, engine: engine)
            for (id, release) in engine.dispatcher.held {
                let order = try #require(engine.world.orders[id])
                #expect(release > clock && order.window.start > clock + Self.horizon, "\(id) held past its release")
                #expect(order.window.start - Self.horizon - release < Dispatcher.releaseSpread)
                spread.insert(order.window.start - Self.horizon - release)
                #expect(order.status == .open && order.rider == nil)
            }
        }
        #expect(spread.count > 10, "the releases of one window's orders are spread")
        #expect(engine.backlog.held == 0)
    }

    /// A held order whose window the order system moves follows it: brought forward into the horizon, it is placed
    /// at the next tick; cancelled, it is never placed.
    @Test func aHeldOrderFollowsItsWindowAndItsCancellation() throws {
        let scenario = try Self.scenario()
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        let engine = session.engine
        let now = scenario.planLock + 60
        session.simulation.run(until: now, engine: engine)
        let held = engine.dispatcher.held.keys.sorted()
        #expect(held.count >= 2)
        let moved = try #require(engine.world.orders[held[0]])
        let window = TimeWindow(start: now + 3600, end: now + 3 * 3600)
        try engine.submit(Event(id: "move-\(moved.id)", at: now, by: "oms", body: .orderUpdated(order: moved.id, changes: OrderChanges(window: window))))
        try engine.submit(Event(id: "cancel-\(held[1])", at: now, by: "oms", body: .orderCancelled(order: held[1], reason: "customer")))
        engine.advance(to: now + Engine.tickInterval)
        #expect(engine.dispatcher.held[moved.id] == nil)
        #expect(engine.world.orders[moved.id]?.rider != nil || engine.dispatcher.waiting.contains(moved.id))
        #expect(engine.dispatcher.held[held[1]] == nil)
        #expect(engine.world.orders[held[1]]?.rider == nil)
    }

    @Test func aRestartHoldsWhatWasHeldAndGoesOnAsTheDayWouldHave() throws {
        let scenario = try Self.scenario()
        let straight = TestCity.temporaryFile()
        let stopped = TestCity.temporaryFile()
        defer { for path in [straight, stopped] { try? FileManager.default.removeItem(atPath: path) } }
        _ = try TestCity.run(scenario, until: 13 * 3600, journal: straight)

        let first = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: stopped, durability: .batch)
        first.simulation.run(until: scenario.time(8 * 3600 + 17 * 60), engine: first.engine)
        first.simulation.checkpoint(engine: first.engine)
        first.engine.sync()
        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: stopped, durability: .batch)
        #expect(resumed.engine.dispatcher.held == first.engine.dispatcher.held)
        #expect(!first.engine.dispatcher.held.isEmpty)
        resumed.simulation.run(until: scenario.time(13 * 3600), engine: resumed.engine)
        resumed.engine.sync()
        #expect(try CheckpointTests.happenings(stopped) == CheckpointTests.happenings(straight))
    }

    @Test func theHorizonIsReadFromTheScenarioAndChecked() throws {
        let good = try TestCity.folder(setting: "plan_horizon_min", "150")
        let bad = try TestCity.folder(setting: "plan_horizon_min", "5")
        defer { for path in [good, bad] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(try ScenarioLoader.load(directory: good).planHorizon == 150 * 60)
        do {
            _ = try ScenarioLoader.load(directory: bad)
            Issue.record("a 5-minute horizon was accepted")
        } catch {
            #expect("\(error)".contains("plan_horizon_min"), "\(error)")
        }
    }
}
