import Foundation
import Testing
@testable import TowerCore

/// Ruin and recreate on the live plan: cheaper, complete, and within what the live plan allows.
@Suite struct LiveImproverTests {
    static func staticMorning() throws -> (Scenario, Engine) {
        let scenario = try TestCity.scenario(riders: 8, orders: 120)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, mode: .static)
        session.simulation.run(until: scenario.time(9 * 3600 + 30 * 60), engine: session.engine)
        return (scenario, session.engine)
    }

    @Test func lowersThePlanCostAndKeepsEveryOrderOnExactlyOneRoute() throws {
        let (scenario, engine) = try Self.staticMorning()
        let world = engine.world
        let now = scenario.time(9 * 3600 + 30 * 60)
        let outcome = LiveImprover(planner: engine.planner).improve(world, now: now, seed: 7, iterations: 60)
        #expect(outcome.iterations == 60)
        #expect(outcome.accepted > 0 && !outcome.isEmpty, "a greedy plan leaves room")
        #expect(outcome.costAfter < outcome.costBefore)

        var after = world
        for move in outcome.moves {
            after.apply(Event(id: "m-\(move.order)", at: now, by: "core", body: .orderReassigned(order: move.order, from: move.from, to: move.to, reason: "t")))
        }
        for route in outcome.routes {
            after.apply(Event(id: "r-\(route.rider)", at: now, by: "core", body: .routePlanned(rider: route.rider, stops: route.stops, trigger: "t", costBefore: route.costBefore, costAfter: route.costAfter)))
        }
        var carriers: [String: [String]] = [:]
        for (rider, route) in after.routes {
            for stop in route.stops where stop.kind == .delivery { carriers[stop.order, default: []].append(rider) }
        }
        for id in world.orderIDs {
            guard let before = world.orders[id], before.status == .assigned || before.status == .pickedUp,
                  world.routes[before.rider ?? ""]?.stops.contains(where: { $0.order == id && $0.kind == .delivery }) == true else { continue }
            #expect(carriers[id]?.count == 1, "\(id) is on exactly one route")
            #expect(carriers[id]?.first == after.orders[id]?.rider, "\(id)'s rider carries it")
            if before.status == .pickedUp { #expect(after.orders[id]?.rider == before.rider, "\(id) is on board: it stays") }
            if before.pinnedRider != nil { #expect(after.orders[id]?.rider == before.rider, "\(id) is pinned: it stays") }
        }
        // The leg a rider is driving is never changed.
        for id in world.riderIDs where world.riders[id]?.status == .driving {
            #expect(after.routes[id]?.stops.first?.order == world.routes[id]?.stops.first?.order)
        }
        // Deterministic for a seed.
        let again = LiveImprover(planner: engine.planner).improve(world, now: now, seed: 7, iterations: 60)
        #expect(again.costAfter == outcome.costAfter && again.moves.map(\.order) == outcome.moves.map(\.order))
    }

    /// The search on its own thread makes exactly the decisions of the search on the caller's: the board and
    /// `simulate` write the same journal.
    @Test func aSearchOnItsOwnThreadDecidesTheSame() throws {
        let scenario = try TestCity.scenario()
        let inline = try TestCity.run(scenario, until: 12 * 3600)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        session.simulation.run(until: scenario.time(9 * 3600 + 30), engine: session.engine)
        #expect(session.engine.improver.inFlight != nil, "a search started at 09:00 is under way")
        session.engine.runPlanSearches(on: BackgroundPlanSearch())
        session.simulation.run(until: scenario.time(12 * 3600), engine: session.engine)
        #expect(session.engine.world.digest == inline.world.digest)
        #expect(session.engine.world.eventCounts["route.planned"] == inline.world.eventCounts["route.planned"])
    }

    /// A search works on a copy; when the plan changes under it in a way it did not see, its outcome is dropped,
    /// and when only time has passed it lands, less the stops done meanwhile.
    @Test func anOutcomeLandsOnlyOnThePlanItSearched() throws {
        let scenario = try TestCity.scenario()
        for disturb in [false, true] {
            let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, mode: .static)
            session.simulation.run(until: scenario.time(10 * 3600), engine: session.engine)
            let engine = session.engine
            let now = scenario.time(10 * 3600)
            engine.improver.start(on: engine.world, at: now, iterations: engine.settings.improveIterations)
            let outcome = engine.improver.runner.outcome()
            let touched = try #require(outcome.routes.first { ($0.stops.count) >= 3 }, "the search changed some route")
            if disturb {
                // Cancel an order on a route the search rewrote, not the stop being driven to.
                let order = try #require(touched.stops.dropFirst().first { engine.world.orders[$0.order]?.status == .assigned }?.order)
                try engine.submit(Event(id: "cancel-\(order)", at: now + 30, by: "test", body: .orderCancelled(order: order, reason: "test")))
            }
            var landed: [Event] = []
            engine.observer = { event in
                if case let .routePlanned(_, _, trigger, _, _) = event.body, trigger.hasPrefix("improvement:") { landed.append(event) }
            }
            engine.improver.finish(at: now + Engine.searchLatency)
            if disturb {
                #expect(landed.isEmpty, "the plan changed under the search: its outcome is dropped")
            } else {
                #expect(landed.count == outcome.routes.count)
                var before = 0.0, after = 0.0
                for event in landed {
                    guard case let .routePlanned(_, stops, _, costBefore, costAfter) = event.body else { continue }
                    before += costBefore
                    after += costAfter
                    #expect(stops.allSatisfy { engine.world.orders[$0.order]?.status.isFinal == false }, "no stop done meanwhile is planned again")
                }
                #expect(after < before, "the plan costs less, priced at the time it lands")
            }
        }
    }

    @Test func theEngineJournalsItsImprovementsWithTheirCosts() throws {
        let scenario = try TestCity.scenario()
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, mode: .continuous)
        var improvements: [Event] = []
        session.engine.observer = { event in
            if case let .routePlanned(_, _, trigger, _, _) = event.body, trigger.hasPrefix("improvement:") { improvements.append(event) }
        }
        session.simulation.run(until: scenario.time(11 * 3600), engine: session.engine)
        #expect(!improvements.isEmpty)
        // Each search starts on the 15-minute grid and lands one simulated minute later.
        #expect(improvements.allSatisfy { $0.by == "core" && ($0.at.seconds - Engine.searchLatency) % session.engine.settings.improveInterval == 0 })
        let staticRun = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, mode: .static)
        var none = true
        staticRun.engine.observer = { event in
            if case let .routePlanned(_, _, trigger, _, _) = event.body, trigger.hasPrefix("improvement:") { none = false }
        }
        staticRun.simulation.run(until: scenario.time(11 * 3600), engine: staticRun.engine)
        #expect(none, "the static plan is never improved")
    }
}
