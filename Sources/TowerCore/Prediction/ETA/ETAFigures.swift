/// The learned ETA model's running accuracy, as a board shows it: mean absolute travel error over the latest legs
/// (seconds) of the model and of the distance baseline, how many legs that is, and how many it has learned today.
public struct ETAFigures: Codable, Equatable, Sendable {
    public var mae: Double
    public var baselineMAE: Double
    public var legs: Int
    public var learned: Int

    public init(mae: Double, baselineMAE: Double, legs: Int, learned: Int) {
        self.mae = mae
        self.baselineMAE = baselineMAE
        self.legs = legs
        self.learned = learned
    }
}

extension OnlineETA {
    /// The running accuracy now; nil before the first leg.
    public var figures: ETAFigures? {
        recentMAE.map { ETAFigures(mae: $0.model, baselineMAE: $0.baseline, legs: $0.legs, learned: learned) }
    }
}
