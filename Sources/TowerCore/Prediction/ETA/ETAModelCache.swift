import Foundation

/// Keeps the models trained at start on a scenario's history, and those trained again during a day on the history and
/// the day's legs (`RetrainJob`), so a restart (a resumed board or core, `tower demo`, the next `simulate`) loads in
/// milliseconds what took a second or more to train. A model is found again only for the same history bytes, the same
/// legs and the same build of Tower (`build`: anything that changes when the executable does), so it is always the
/// model this build would train: the same predictions, the same version in the journal.
public struct ETAModelCache: Sendable, Equatable {
    public var folder: String
    public var build: String

    public init(folder: String, build: String) {
        self.folder = folder
        self.build = build
    }

    /// The model for `history` and the day's legs `session` (none for the model trained at start), with or without
    /// per-rider effects: the kept one, else `train()`'s, kept for next time (a cache that cannot be written or read is
    /// passed over: the model is trained).
    func model(forHistory history: String, session: [HistoryRow] = [], riderEffects: Bool = false,
               train: () throws -> ETAModel) throws -> ETAModel {
        guard let bytes = FileManager.default.contents(atPath: history) else { return try train() }
        var text = "\(build)|\(ETAModel.formatVersion)|\(riderEffects)|\(bytes.count)|"
        text += String(SeededRandom.fnv1a(String(decoding: bytes, as: UTF8.self)), radix: 16)
        if !session.isEmpty {
            text += "|\(session.count)|" + String(SeededRandom.fnv1a(session.map(\.csvLine).joined(separator: "\n")), radix: 16)
        }
        let path = folder + "/" + String(SeededRandom.fnv1a(text), radix: 16) + ".json"
        if FileManager.default.fileExists(atPath: path), let kept = try? ETAModel.read(path: path, writtenByThisBuild: true) { return kept }
        let model = try train()
        do {
            try WholeFile.makeFolder(folder, what: "the model cache")
            try model.write(to: path)  // whole or not at all: a reader never finds half a model
            prune()
        } catch {}
        return model
    }

    /// Models kept at most: each new build or history adds one, and each retraining of a day (a few a day); the
    /// oldest go.
    static let kept = 24

    private func prune() {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".json") }.map { folder + "/" + $0 }
        guard files.count > Self.kept else { return }
        let dated = files.map { ($0, ((try? FileManager.default.attributesOfItem(atPath: $0))?[.modificationDate] as? Date) ?? .distantPast) }
        for (file, _) in dated.sorted(by: { $0.1 < $1.1 }).prefix(files.count - Self.kept) { try? FileManager.default.removeItem(atPath: file) }
    }
}
