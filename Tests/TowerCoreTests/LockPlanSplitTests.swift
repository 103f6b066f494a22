import Foundation
import Testing
@testable import TowerCore

/// The 06:00 plan split by hub (`LockPlan`, `EngineSettings.planSplitFrom`): each hub's orders planned among its own
/// riders, the hubs at once, then the border pass over the whole city for what a hub could not take on time.
@Suite struct LockPlanSplitTests {
    /// The test city (four hubs) played to just after the lock, its plan split (`split`) or whole.
    static func lockPlan(split: Bool, edit: (inout Scenario) -> Void = { _ in }) throws -> Engine {
        var scenario = try TestCity.scenario(riders: 80, orders: 1600)
        scenario.planBudget = 3600
        scenario.planSplitFrom = split ? 1 : nil
        edit(&scenario)
        return try TestCity.run(scenario, until: 6 * 3600 + 60)
    }

    /// Every assigned order is on its rider's route once, and every stop of a route is of an order given that rider.
    static func routesAgree(_ world: World) {
        for id in world.orderIDs {
            guard let order = world.orders[id], order.status == .assigned, let rider = order.rider else { continue }
            let deliveries = world.routes[rider]?.stops.filter { $0.order == id && $0.kind == .delivery }.count ?? 0
            #expect(deliveries == 1, "\(id) is on \(rider)'s route \(deliveries) times")
        }
        for id in world.riderIDs {
            for stop in world.routes[id]?.stops ?? [] {
                #expect(world.orders[stop.order]?.rider == id, "\(id)'s route holds \(stop.order), given to \(world.orders[stop.order]?.rider ?? "nobody")")
            }
        }
    }

    static func hub(of order: Order) -> String? {
        if case let .hub(hub) = order.pickup { return hub } else { return nil }
    }

    @Test func eachHubsOrdersGoToItsOwnRidersAndTheRoutesAgree() throws {
        let engine = try Self.lockPlan(split: true)
        let world = engine.world
        Self.routesAgree(world)
        var own = 0, crossed = 0
        for id in world.orderIDs {
            guard let order = world.orders[id], let rider = order.rider.flatMap({ world.riders[$0] }) else { continue }
            if Self.hub(of: order) == rider.profile.hub { own += 1 } else { crossed += 1 }
        }
        #expect(own > 200, "the lock planned the city's morning")
        #expect(crossed * 10 < own, "\(crossed) orders on another hub's riders against \(own) on their own hub's")
    }

    @Test func anOrderItsHubCannotTakeCrossesTheBorder() throws {
        // The riders of one hub carry one parcel each: its orders of more parcels can only go to another hub's riders,
        // which their own hubs' plans are filling at the same time.
        let small = "hub-botafogo"
        let engine = try Self.lockPlan(split: true) { scenario in
            for index in scenario.riders.indices where scenario.riders[index].profile.hub == small {
                scenario.riders[index].profile.capacityParcels = 1
            }
        }
        let world = engine.world
        Self.routesAgree(world)
        let big = world.orderIDs.compactMap { world.orders[$0] }.filter { Self.hub(of: $0) == small && $0.parcels > 1 && $0.rider != nil }
        #expect(big.count > 3, "orders of the small riders' hub that need more room were planned")
        for order in big { #expect(world.riders[order.rider!]?.profile.hub != small, "\(order.id) on \(order.rider!)") }
    }

    @Test func theHubsTogetherKeepTheThirdPartysWaves() throws {
        var terms = ChannelTerms()
        terms.thirdPartyWaves = [.init(start: 6 * 3600, end: 12 * 3600, value: 7), .init(start: 12 * 3600, end: 22 * 3600, value: 5)]
        let engine = try Self.lockPlan(split: true) { $0.channels = terms }
        let load = engine.world.thirdPartyWaveLoad()
        #expect(load[0] <= 7 && load[1] <= 5, "3PL waves hold \(load)")
        #expect(load[0] >= 4, "the waves were used: \(load)")

        // Each hub's share is what a wave holds plus its part of the room left, by its 3PL riders, rounded down:
        // with room left in both waves, two 3PL riders get 2/3 of it, one gets 1/3, a hub with none gets nothing.
        var world = engine.world
        var roomy = terms
        roomy.thirdPartyWaves[0].value = Double(load[0] + 10)
        roomy.thirdPartyWaves[1].value = Double(load[1] + 7)
        world.channels = roomy
        let ofChannel = { (channel: Channel) in world.riderIDs.filter { world.riders[$0]!.profile.channel == channel } }
        let thirdParty = ofChannel(.thirdParty), own = ofChannel(.own)
        #expect(thirdParty.count >= 3 && !own.isEmpty, "the test city has 3PL and own riders")
        let parts = [LockPlan.Part(riders: Set(thirdParty.prefix(2))), LockPlan.Part(riders: Set(thirdParty.dropFirst(2).prefix(1)).union(own.prefix(1))),
                     LockPlan.Part(riders: Set(own.prefix(2)))]
        let shares = LockPlan.thirdPartyShares(of: parts, in: world)
        #expect(shares.map { $0[0].value - Double(load[0]) } == [6, 3, 0], "wave 0: 10 slots left")
        #expect(shares.map { $0[1].value - Double(load[1]) } == [4, 2, 0], "wave 1: 7 slots left")
    }

    @Test func aSplitPlanKeepsTheWholePlansPromisesAndIsTheSameEachRun() throws {
        let whole = try Self.lockPlan(split: false).world
        let split = try Self.lockPlan(split: true).world
        let again = try Self.lockPlan(split: true).world
        #expect(split.digest == again.digest, "a split plan does not depend on which core planned which hub")
        func figures(_ world: World) -> (placed: Int, late: Int, cost: Double) {
            var placed = 0, late = 0, cost = 0.0
            let planner = InsertionPlanner()
            for id in world.riderIDs {
                guard let rider = world.riders[id], let route = world.routes[id], !route.stops.isEmpty else { continue }
                let timed = planner.retimed(rider, in: world, now: world.clock!)
                cost += timed.cost
                for stop in timed.stops where stop.kind == .delivery {
                    placed += 1
                    if let order = world.orders[stop.order], stop.eta > order.window.end { late += 1 }
                }
            }
            return (placed, late, cost)
        }
        let a = figures(whole), b = figures(split)
        #expect(b.placed >= a.placed - a.placed / 100, "placed: split \(b.placed), whole \(a.placed)")
        #expect(b.late <= a.late + max(2, a.placed / 100), "planned late: split \(b.late), whole \(a.late)")
        #expect(b.cost <= a.cost * 1.05, "planned cost: split \(b.cost), whole \(a.cost)")
    }

    @Test func theSplitIsReadFromTheScenarioAndChecked() throws {
        let plain = try TestCity.folder()
        let never = try TestCity.folder(setting: "plan_split_orders", "0")
        let bad = try TestCity.folder(setting: "plan_split_orders", "-3")
        defer { for path in [plain, never, bad] { try? FileManager.default.removeItem(atPath: path) } }
        #expect(try ScenarioLoader.load(directory: plain).planSplitFrom == EngineSettings.defaultPlanSplitFrom)
        let scenario = try ScenarioLoader.load(directory: never)
        #expect(scenario.planSplitFrom == nil)
        #expect(EngineSettings(scenario: scenario, mode: .continuousAuto, policy: .standard).planSplitFrom == nil)
        do {
            _ = try ScenarioLoader.load(directory: bad)
            Issue.record("a negative split was accepted")
        } catch {
            #expect("\(error)".contains("plan_split_orders"), "\(error)")
        }
    }
}
