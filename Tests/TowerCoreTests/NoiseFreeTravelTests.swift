import Foundation
import Testing
@testable import TowerCore

/// `tower history`'s noise-free travel: a leg's drive at the simulated pace of its hour without the leg's noise; a
/// scripted hold during the drive stays in it (it comes at the same hour each simulated day, so a model learns it).
@Suite struct NoiseFreeTravelTests {
    /// A day of `scenario` (seed 2) simulated to 13:00 as `tower history` does: each delivery attempt's visit with
    /// its noise-free travel, and the engine.
    static func day(_ scenario: Scenario) throws -> (visits: [HistoryRow], engine: Engine) {
        let session = try SessionStarter.start(scenario: scenario, seed: 2, journalPath: nil, durability: .batch)
        var recorder = HistoryRecorder()
        let engine = session.engine, simulation = session.simulation
        engine.observer = { recorder.note($0, world: engine.world) }
        simulation.measuresNoiseFree = true
        simulation.run(until: scenario.time(13 * 3600), engine: engine)
        return (recorder.visits.map { visit in
            var visit = visit
            visit.noiseFreeTravel = simulation.noiseFreeTravel(of: visit)
            return visit
        }, engine)
    }

    @Test func aHoldDuringADriveIsInTheNoiseFreeTravelToo() throws {
        var scenario = try TestCity.scenario()
        let before = try Self.day(scenario).visits
        // A long drive of a rider who sets off at once (a gig rider first waits to accept).
        let leg = try #require(before.first { $0.channel != "gig" && ($0.travelSeconds ?? 0) >= 600 })
        let noiseFree = try #require(leg.noiseFreeTravel)
        scenario.disruptions.append(Disruption(at: leg.departedAt + 60, kind: .stall(rider: leg.rider, minutes: 45), source: "test"))
        let after = try Self.day(scenario).visits
        let held = try #require(after.first { $0.order == leg.order && $0.departedAt == leg.departedAt })
        let (heldTravel, travel) = (try #require(held.travelSeconds), try #require(leg.travelSeconds))
        #expect(heldTravel >= travel + 45 * 60, "the stall held the drive")
        #expect(held.noiseFreeTravel == noiseFree + 45 * 60, "the same drive without noise, and the hold as it was")
    }
}
