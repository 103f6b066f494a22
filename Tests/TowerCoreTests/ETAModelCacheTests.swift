import Foundation
import Testing
@testable import TowerCore

@Suite struct ETAModelCacheTests {
    @Test func aKeptModelIsTheModelThisBuildTrainsDownToItsVersion() throws {
        let folder = TestCity.temporaryFile("eta-models")
        let history = TestCity.temporaryFile("history.csv")
        defer { for path in [folder, history] { try? FileManager.default.removeItem(atPath: path) } }
        let lines = try String(contentsOfFile: ETAModelTests.history, encoding: .utf8).split(separator: "\n")
        try (lines.prefix(4000).joined(separator: "\n") + "\n").write(toFile: history, atomically: true, encoding: .utf8)
        var trainings = 0
        let train = {
            trainings += 1
            return try ETAModelChoice.trained(onHistory: history)
        }
        let cache = ETAModelCache(folder: folder, build: "build-1")
        let trained = try cache.model(forHistory: history, train: train)
        let kept = try cache.model(forHistory: history, train: train)
        #expect(trainings == 1, "the second start loads what the first trained")
        // The version the journal records is the same, so a day started on a trained model resumes on the kept one.
        #expect(kept.fingerprint == trained.fingerprint)
        // A kept model's fingerprint is taken from its file's bytes: they are what encoding it gives.
        var encodedAgain = kept
        encodedAgain.version = kept.version
        #expect(encodedAgain.fingerprint == kept.fingerprint)
        let row = try HistoryReader.read(path: history, requireTimes: true).rows[17]
        #expect(kept.predict(row).travel == trained.predict(row).travel)
        // The fingerprint is computed once per model and follows every change to it.
        let before = kept.fingerprint
        var learned = kept
        learned.learn(row)
        #expect(learned.fingerprint != before)
        #expect(kept.fingerprint == before)
        _ = try ETAModelCache(folder: folder, build: "build-2").model(forHistory: history, train: train)
        #expect(trainings == 2, "another build trains its own")
        try (lines.prefix(3000).joined(separator: "\n") + "\n").write(toFile: history, atomically: true, encoding: .utf8)
        _ = try cache.model(forHistory: history, train: train)
        #expect(trainings == 3, "another history is trained on")
        let rows = try HistoryReader.read(path: history, requireTimes: true).rows
        _ = try cache.model(forHistory: history, session: Array(rows.prefix(5)), train: train)
        #expect(trainings == 4, "a retraining on the day's legs is a model of its own")
        _ = try cache.model(forHistory: history, session: Array(rows.prefix(5)), riderEffects: true, train: train)
        #expect(trainings == 5, "so is one with per-rider effects")
        _ = try cache.model(forHistory: history, session: Array(rows.prefix(5)), train: train)
        #expect(trainings == 5)
        // A damaged file is passed over: the model is trained again and kept in its place.
        for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
            try "{".write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        _ = try cache.model(forHistory: history, train: train)
        #expect(trainings == 6)
    }
}
