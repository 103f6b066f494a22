/// The learned ETA model in the loop: every delivery attempt the core sees is predicted first (before the model
/// knows its times), scored against what happened, and then learned, so the model follows the day and its running
/// accuracy is an honest one.
///
/// The engine owns one (`Engine.learner`) and feeds it every committed event, live, on catch-up and on resume alike,
/// so its state follows from the journal and the detectors and the board predict with the same model.
public struct OnlineETA: Sendable {
    public private(set) var model: ETAModel
    private var recorder = HistoryRecorder(keepsVisits: false)
    /// Absolute travel errors of the latest legs, learned model and baseline.
    private var errors: [(model: Double, baseline: Double)] = []
    public private(set) var learned = 0
    public static let window = 200

    public init(model: ETAModel) { self.model = model }

    /// Takes a committed event (after `world` applied it).
    public mutating func note(_ event: Event, world: World) {
        guard let row = recorder.note(event, world: world), let actual = row.travelSeconds else { return }
        // A rider the model has not seen gets an indicator of its own at its first delivery, starting at the average.
        if !model.knows(rider: row.rider) { model = model.adding(riders: [row.rider]) }
        let predicted = model.predict(row).travel[1]
        errors.append((abs(predicted - actual), abs(model.baseline(row).travel - actual)))
        if errors.count > OnlineETA.window { errors.removeFirst(errors.count - OnlineETA.window) }
        model.learn(row)
        learned += 1
    }

    /// Mean absolute travel error over the latest legs (seconds), learned and baseline; nil before any.
    public var recentMAE: (model: Double, baseline: Double, legs: Int)? {
        guard !errors.isEmpty else { return nil }
        let n = Double(errors.count)
        return (errors.reduce(0) { $0 + $1.model } / n, errors.reduce(0) { $0 + $1.baseline } / n, errors.count)
    }
}
