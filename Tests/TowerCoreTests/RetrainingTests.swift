import Foundation
import Testing
@testable import TowerCore

/// The ETA model trained again during the day (`OnlineETA`, `RetrainJob`): on a thread, taking over at a leg count
/// so a replay takes over the same model at the same place, journaled as `eta.retrained` with its version, and sent
/// to attached boards.
@Suite struct RetrainingTests {
    /// A model trained on a small history of another fleet, knowing where that history is, retrained at 25 legs and
    /// each time they double.
    static func model(every: Int = 25) throws -> (model: ETAModel, history: String) {
        var settings = SyntheticHistory.Settings()
        settings.days = 6
        settings.riders = 10
        settings.closureDay = nil
        let history = TestCity.temporaryFile("history.csv")
        try SyntheticHistory(settings: settings).csv.write(toFile: history, atomically: true, encoding: .utf8)
        var model = try ETAModel(training: HistoryReader.read(path: history, requireTimes: true).rows, riderEffects: false)
        model.source = ETAModel.Source(history: history, riderEffects: false, retrainEvery: every, retrainLag: 15)
        return (model, history)
    }

    @Test func theModelIsTrainedAgainDuringTheDayAndAReplayTakesOverTheSameOnes() throws {
        let (model, history) = try Self.model()
        let scenario = try TestCity.scenario()
        let journal = TestCity.temporaryFile()
        defer { for path in [journal, history] { try? FileManager.default.removeItem(atPath: path) } }
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: journal, durability: .batch, eta: model)
        var events: [Event] = []
        session.engine.observer = { events.append($0) }
        session.simulation.run(until: scenario.time(15 * 3600), engine: session.engine)
        session.engine.sync()
        let live = try #require(session.engine.learner)
        let records = events.compactMap { event -> (String, Int)? in
            if case let .etaRetrained(version, rows) = event.body { return (version, rows) }
            return nil
        }
        #expect(records.count >= 2, "\(live.learned) legs learned")
        #expect(records.map(\.1) == (0..<records.count).map { 25 << $0 }, "each training saw the legs up to its start: 25, then doubling")
        #expect(Set(records.map(\.0)).count == records.count && !records.contains { $0.0 == model.fingerprint })
        #expect(live.retrainedVersion == records.last!.0)
        #expect(events.allSatisfy { event in
            guard case .etaRetrained = event.body else { return true }
            return event.isCoreDecision
        })

        // Replay trains the same models at the same legs: it ends predicting exactly as the core.
        let replayed = try #require(try Replayer.replay(path: journal, learning: model).learner)
        let rows = SyntheticHistory(settings: SyntheticHistory.Settings()).rows.prefix(40)
        #expect(replayed.learned == live.learned && replayed.retrainedVersion == live.retrainedVersion)
        #expect(rows.allSatisfy { replayed.model.predict($0).travel == live.model.predict($0).travel })

        // A build that trains again at other legs does not go on with this journal.
        var other = model
        other.source?.retrainEvery = 50
        #expect { try Replayer.replay(path: journal, learning: other) } throws: { "\($0)".contains("trained again") }
        // Nor one that trains another model at the same legs.
        var otherwise = model
        otherwise.source?.riderEffects = true
        #expect { try Replayer.replay(path: journal, learning: otherwise) } throws: { "\($0)".contains("this build trains it to") }
    }

    /// With a cache, a restart takes the models the live core trained instead of training them again: a replay whose
    /// cache holds other models is refused (it took them), and with the live core's it ends as the core did.
    @Test func aReplayTakesTheRetrainedModelsFromTheCache() throws {
        var (model, history) = try Self.model()
        let scenario = try TestCity.scenario()
        let journal = TestCity.temporaryFile()
        let folder = TestCity.temporaryFile("models")
        defer { for path in [journal, history, folder] { try? FileManager.default.removeItem(atPath: path) } }
        let cache = ETAModelCache(folder: folder, build: "test")
        model.source?.cache = cache
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: journal, durability: .batch, eta: model)
        session.simulation.run(until: scenario.time(15 * 3600), engine: session.engine)
        session.engine.learner?.waitForTraining()
        session.engine.sync()
        let live = try #require(session.engine.learner)
        #expect(live.retrainedVersion != nil)
        let kept = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        #expect(kept.count >= 2, "each retraining kept: \(kept)")

        let replayed = try #require(try Replayer.replay(path: journal, learning: model).learner)
        #expect(replayed.retrainedVersion == live.retrainedVersion && replayed.learned == live.learned)

        var other = model
        other.source = nil
        for file in kept { try other.write(to: folder + "/" + file) }
        do {
            _ = try Replayer.replay(path: journal, learning: model)
            Issue.record("a replay whose cache holds other models went on: it trained instead of taking them")
        } catch {
            #expect("\(error)".contains("this build trains it to") && "\(error)".contains("--fresh"), "what to do is said: \(error)")
        }
    }

    @Test func onlyTheCoreRecordsARetraining() throws {
        let world = World()
        let event = Event(id: "x1", at: Instant(seconds: 0), by: "feed", body: .etaRetrained(version: "eta-1", rows: 3))
        #expect { try world.check(event) } throws: { "\($0)".contains("never taken as input") }
        let line = EventCodec.encode(Event(id: "d1", at: Instant(seconds: 0), by: Event.core, body: .etaRetrained(version: "eta-1", rows: 3)),
                                     utcOffsetSeconds: 0)
        guard case let .etaRetrained(version, rows) = try EventCodec.decode(line: line).event.body else { Issue.record("not decoded"); return }
        #expect(version == "eta-1" && rows == 3)
    }
}
