import Foundation
import Testing
@testable import TowerCore

@Suite struct OutlookLanesTests {
    /// The outlook boards draw re-times only the lanes whose rider, route or orders changed, and every lane once a
    /// minute old; a lane re-timed is what a fresh outlook times, a lane kept is the one timed before.
    @Test func aKeptOutlookRetimesOnlyTheLanesWhoseInputsChanged() throws {
        let scenario = try TestCity.scenario(riders: 12, orders: 200)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, eta: nil)
        let engine = session.engine
        let start = scenario.time(10 * 3600)
        session.simulation.run(until: start, engine: engine)
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        func timed(_ outlook: Outlook) throws -> [String: Data] { try outlook.lanes.mapValues { try encoder.encode($0) } }
        let riders = engine.world.riderIDs.count

        var lanes: OutlookLanes? = OutlookLanes()
        let first = Outlook(world: engine.world, now: start, planner: engine.planner, keeping: &lanes)
        #expect(lanes?.retimed == riders)
        #expect(try timed(first) == timed(Outlook(world: engine.world, now: start, planner: engine.planner)))
        let quiet = Outlook(world: engine.world, now: start + 30, planner: engine.planner, keeping: &lanes)
        #expect(lanes?.retimed == 0, "nothing changed in 30 s")
        #expect(try timed(quiet) == timed(first))
        let aged = Outlook(world: engine.world, now: start + OutlookLanes.maxAge, planner: engine.planner, keeping: &lanes)
        #expect(lanes?.retimed == riders, "a minute old, every lane is timed again")

        let before = engine.world
        let later = start + OutlookLanes.maxAge + 40
        session.simulation.run(until: later, engine: engine)
        let changed = Set(engine.world.riderIDs.filter { OutlookLanes.Inputs($0, world: before) != OutlookLanes.Inputs($0, world: engine.world) })
        #expect(!changed.isEmpty && changed.count < riders, "some riders moved in 40 s, not all: \(changed.count) of \(riders)")
        let kept = try timed(Outlook(world: engine.world, now: later, planner: engine.planner, keeping: &lanes))
        #expect(lanes?.retimed == changed.count)
        let fresh = try timed(Outlook(world: engine.world, now: later, planner: engine.planner)), old = try timed(aged)
        for rider in engine.world.riderIDs {
            #expect(kept[rider] == (changed.contains(rider) ? fresh[rider] : old[rider]), "\(rider)")
        }
    }
}
