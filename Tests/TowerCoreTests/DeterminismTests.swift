import Foundation
import Testing
@testable import TowerCore

@Suite struct DeterminismTests {
    @Test func theSameSeedGivesTheSameDigest() throws {
        let scenario = try TestCity.scenario()
        let first = try TestCity.run(scenario, seed: 5, until: 11 * 3600)
        let second = try TestCity.run(scenario, seed: 5, until: 11 * 3600)
        #expect(first.world.digest == second.world.digest)
        let other = try TestCity.run(scenario, seed: 6, until: 11 * 3600)
        #expect(first.world.digest != other.world.digest)
    }

    @Test func aReplayedJournalGivesTheDigestOfTheRunThatWroteIt() throws {
        let scenario = try TestCity.scenario()
        let path = TestCity.temporaryFile()
        let engine = try TestCity.run(scenario, until: 12 * 3600, journal: path)
        let replayed = try Replayer.replay(path: path)
        #expect(replayed.world.digest == engine.world.digest)
        #expect(WorldSummary.lines(replayed.world) == WorldSummary.lines(engine.world))
    }

    /// Every customer named with the longest name an input may carry: the core's messages quote it in longer
    /// sentences, and the journal's reader must take those lines back (it refused them: no restart could read on).
    @Test func aJournalOfTheLongestNamesReadsBack() throws {
        var scenario = try TestCity.scenario()
        for index in scenario.orders.indices { scenario.orders[index].customerName = String(repeating: "Ä", count: FieldReader.maxTextLength / 2 - 1) }
        let path = TestCity.temporaryFile()
        let engine = try TestCity.run(scenario, until: 12 * 3600, journal: path)
        #expect(engine.world.orders.values.contains { $0.notifiedAt != nil }, "no customer was messaged: the test proves nothing")
        let replayed = try Replayer.replay(path: path)
        #expect(replayed.world.digest == engine.world.digest)
        // What comes from outside is still held to the limit, even when it claims to be the core's.
        let feedLine = #"{"v":1,"id":"x","at":"2026-11-17T10:00:00-03:00","type":"order.cancelled","order":"O-1","reason":"LONG"}"#
            .replacingOccurrences(of: "LONG", with: String(repeating: "r", count: 1001))
        #expect(throws: EventError.self) { try EventCodec.decode(line: Array(feedLine.utf8)) }
    }

    @Test func aRestartContinuesWhereTheJournalStopped() throws {
        let scenario = try TestCity.scenario()
        let straight = try TestCity.run(scenario, until: 12 * 3600)
        let path = TestCity.temporaryFile()
        _ = try TestCity.run(scenario, until: 9 * 3600, journal: path)
        // The policy named at the start is for reports: a journal that names another (or none, from an older
        // build) still resumes.
        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: path, durability: .batch, policyName: "continuous-auto")
        #expect(resumed.resumedEvents > 0)
        resumed.simulation.run(until: scenario.time(12 * 3600), engine: resumed.engine)
        resumed.engine.sync()
        #expect(resumed.engine.world.digest == straight.world.digest)
        #expect(try Replayer.replay(path: path).world.digest == straight.world.digest)
    }

    @Test func timeSlicingDoesNotChangeDecisions() throws {
        let scenario = try TestCity.scenario()
        let whole = try TestCity.run(scenario, until: 10 * 3600)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        var time = scenario.dayStart
        while time < scenario.time(10 * 3600) {
            time = min(time + 37, scenario.time(10 * 3600))
            session.simulation.run(until: time, engine: session.engine)
        }
        #expect(session.engine.world.digest == whole.world.digest)
    }

    @Test func refusesAJournalOfAnotherSeed() throws {
        let scenario = try TestCity.scenario()
        let path = TestCity.temporaryFile()
        _ = try TestCity.run(scenario, seed: 1, until: 7 * 3600, journal: path)
        #expect(throws: ToolError.self) { try SessionStarter.start(scenario: scenario, seed: 2, journalPath: path, durability: .batch) }
    }

    @Test func theSimulationOnlySaysWhatFits() throws {
        let scenario = try TestCity.scenario()
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        session.simulation.run(until: scenario.dayEnd + 3 * 3600, engine: session.engine)
        #expect(session.simulation.refused.isEmpty)
        let world = session.engine.world
        let finished = world.orders.values.filter { [.delivered, .failed, .cancelled].contains($0.status) }.count
        #expect(finished > world.orders.count / 2)
        #expect(world.riders.values.allSatisfy { $0.loadParcels >= 0 })
    }
}

@Suite struct HistoryTests {
    /// A day simulated a day later (`tower history`'s days) is the same day: the windows customers booked move with
    /// everything else, so about as many promises are kept as on the first (not exactly as many: it is another
    /// weekday).
    @Test func aShiftedDayKeepsTheSamePromises() throws {
        let scenario = try TestCity.scenario()
        func outcomes(_ scenario: Scenario) throws -> [PromiseOutcome?] {
            let session = try SessionStarter.start(scenario: scenario, seed: 2, journalPath: nil, durability: .batch)
            let end = scenario.time(13 * 3600)
            session.simulation.run(until: end, engine: session.engine)
            let world = session.engine.world
            return world.orderIDs.map { world.orders[$0]!.promiseOutcome(at: end) }
        }
        let shifted = scenario.shifted(days: 1)
        #expect(shifted.orders.allSatisfy { $0.booked == $0.window })
        let first = try outcomes(scenario).filter { $0 == .kept }.count, second = try outcomes(shifted).filter { $0 == .kept }.count
        #expect(first >= 20)
        #expect(Double(second) >= 0.9 * Double(first), "kept \(second) on the shifted day, \(first) on the first")
    }

    @Test func recordsOneRowPerAttemptWithOrderedTimes() throws {
        let scenario = try TestCity.scenario()
        let (visits, engine) = try NoiseFreeTravelTests.day(scenario.shifted(days: 1))
        let attempts = engine.world.orders.values.reduce(0) { $0 + $1.attempts }
        #expect(visits.count == attempts)
        #expect(attempts > 10)
        // Each leg's noise-free travel is its time without the noise the simulation drew (log-normal, median 1, σ 0.18):
        // near the actual time, off by that noise.
        var logRatios: [Double] = []
        for visit in visits {
            let noiseFree = try #require(visit.noiseFreeTravel, "every delivery leg has its noise-free travel: \(visit.csvLine)")
            if let actual = visit.travelSeconds, actual > 0, noiseFree > 0 { logRatios.append(log(actual / noiseFree)) }
            let row = visit.csvLineWithNoiseFree
            let fields = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(fields.count == HistoryRow.headerWithNoiseFree.split(separator: ",").count)
            #expect(Double(fields.last!) == (noiseFree * 10).rounded() / 10)
            let departed = try #require(ISOTime.parse(fields[8])?.instant)
            let arrived = try #require(ISOTime.parse(fields[9])?.instant)
            let completed = try #require(ISOTime.parse(fields[10])?.instant)
            #expect(departed <= arrived && arrived <= completed, "\(row)")
            #expect(fields[8].hasPrefix("2026-11-18"), "the shifted day")
            #expect(["delivered", "failed"].contains(fields[13]))
        }
        let sorted = logRatios.map(abs).sorted()
        #expect(logRatios.count >= attempts * 9 / 10)
        #expect(abs(logRatios.reduce(0, +) / Double(logRatios.count)) < 0.1, "no bias")
        #expect((0.03...0.3).contains(sorted[sorted.count / 2]), "the median miss is the noise's (0.12 for σ 0.18), not none")
    }
}
