/// Which learned ETA model a run predicts with: none, a model file (`tower eta train`), or by default one trained
/// at start on the history the scenario names (`eta_history`), without per-rider effects since that history's
/// riders are other people (each live rider gets an effect of its own, learned from its first delivery on).
///
/// Every command that runs the engine on a scenario takes the same choice with the same default, so a board, a
/// headless `simulate` and a bench of one scenario and seed make the same decisions.
public enum ETAModelChoice {
    /// `option` is `--eta-model`: nil for the scenario's default, `none`, or a model file's path. `cache`: where the
    /// default, once trained, is kept for the next start.
    public static func model(_ option: String?, scenario: Scenario, cache: ETAModelCache? = nil) throws -> ETAModel? {
        switch option {
        case "none": return nil
        case let path?: return try ETAModel.read(path: path)
        case nil:
            guard let history = scenario.etaHistory else { return nil }
            guard let cache else { return try trained(onHistory: history) }
            var model = try cache.model(forHistory: history) { try trained(onHistory: history) }
            model.source = ETAModel.Source(history: history, riderEffects: false, cache: cache)
            return model
        }
    }

    /// A model trained now on a history CSV of another fleet (no per-rider effects).
    public static func trained(onHistory path: String) throws -> ETAModel {
        var model = try ETAModel(training: HistoryReader.read(path: path, requireTimes: true).rows, riderEffects: false)
        model.source = ETAModel.Source(history: path, riderEffects: false)
        return model
    }

    /// The help line of `--eta-model`.
    public static let help = "A learned ETA model (tower eta train) to predict with and learn online, or 'none' for the travel model alone; default: one trained at start on the scenario's eta_history, if it names one."
}
