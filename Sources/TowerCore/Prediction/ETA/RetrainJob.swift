import Foundation

/// One training of the ETA model again, on a thread of its own: the history it was first trained on and the legs of
/// the session so far. The result depends only on those rows (training is seeded), never on when the thread ran,
/// so the core and a replay of its journal take over the same model at the same leg (`OnlineETA`), and a restart
/// finds the model the live core trained in the source's cache.
final class RetrainJob: @unchecked Sendable {
    /// The legs of the session the training saw (the first `rows` learned).
    let rows: Int
    private let done = NSCondition()
    private var result: Result<(model: ETAModel, version: String), ToolError>?  // guarded by `done`

    /// Starts training on `source`'s history and `session` (in time order); the model it gives has an indicator for
    /// each of `riders` and has learned `session` online after training, as the live model had.
    init(source: ETAModel.Source, session: [HistoryRow], riders: [String]) {
        rows = session.count
        let thread = Thread { [self] in
            let outcome: Result<(model: ETAModel, version: String), ToolError>
            do {
                let train = { try ETAModel(training: HistoryReader.read(path: source.history, requireTimes: true).rows + session, riderEffects: source.riderEffects) }
                var model = try source.cache.map { try $0.model(forHistory: source.history, session: session, riderEffects: source.riderEffects, train: train) } ?? train()
                let version = model.fingerprint
                model.source = source
                model = model.adding(riders: riders)
                for row in session { model.learn(row) }
                outcome = .success((model, version))
            } catch let error as ToolError {
                outcome = .failure(error)
            } catch {
                outcome = .failure(ToolError("\(error)"))
            }
            done.lock()
            result = outcome
            done.broadcast()
            done.unlock()
        }
        thread.name = "tower eta retrain"
        thread.start()
    }

    /// The trained model and its version, waiting for the thread if it has not finished.
    func wait() -> Result<(model: ETAModel, version: String), ToolError> {
        done.lock()
        defer { done.unlock() }
        while result == nil { done.wait() }
        return result!
    }
}
