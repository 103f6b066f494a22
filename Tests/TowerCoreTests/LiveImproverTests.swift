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

    @Test func theEngineJournalsItsImprovementsWithTheirCosts() throws {
        let scenario = try TestCity.scenario()
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, mode: .continuous)
        var improvements: [Event] = []
        session.engine.observer = { event in
            if case let .routePlanned(_, _, trigger, _, _) = event.body, trigger.hasPrefix("improvement:") { improvements.append(event) }
        }
        session.simulation.run(until: scenario.time(11 * 3600), engine: session.engine)
        #expect(!improvements.isEmpty)
        #expect(improvements.allSatisfy { $0.by == "core" && $0.at.seconds % session.engine.settings.improveInterval == 0 })
        let staticRun = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, mode: .static)
        var none = true
        staticRun.engine.observer = { event in
            if case let .routePlanned(_, _, trigger, _, _) = event.body, trigger.hasPrefix("improvement:") { none = false }
        }
        staticRun.simulation.run(until: scenario.time(11 * 3600), engine: staticRun.engine)
        #expect(none, "the static plan is never improved")
    }
}
