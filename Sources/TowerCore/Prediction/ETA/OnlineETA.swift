/// The learned ETA model in the loop: every delivery attempt the core sees is scored against what happened and then
/// learned, so the model follows the day. Its running accuracy scores each leg by the P50 it was given when its
/// destination was set (its start, or the route planned later that sent it elsewhere), before the model learned the
/// legs that ended while it was on the road: what a customer told at that moment would have been told. A leg whose
/// destination was never first on its rider's route while it was under way is scored by the model as the attempt
/// ends.
///
/// The engine owns one (`Engine.learner`) and feeds it every committed event, live, on catch-up and on resume alike,
/// so its state follows from the journal and the detectors and the board predict with the same model.
///
/// The online layers follow the day; the trees and the rest are trained again now and then: when the model knows its
/// history (`ETAModel.source`), at `retrainEvery` legs (400 by default) and each time the session's legs have doubled
/// since (800, 1,600, …: a few trainings a day however large the fleet, each on twice the day's data of the last) a
/// `RetrainJob` starts on a thread with the history and the session's legs so far, and `retrainLag` legs later (100)
/// its model takes over (waiting for the thread only if it is not done, which live it always is) and learns those legs
/// online. Both points are counted in legs, not in time, so a replay of the journal takes over the same model at the
/// same place; the engine journals each take-over (`eta.retrained` with the version), and the replay checks it.
public struct OnlineETA: Sendable {
    public private(set) var model: ETAModel
    private var recorder = HistoryRecorder(keepsVisits: false)
    /// Absolute travel errors of the latest legs, learned model and baseline.
    private var errors: [(model: Double, baseline: Double)] = []
    public private(set) var learned = 0
    public static let window = 200
    /// Per rider on a leg: the delivery it is heading to, when the leg began, and the travel P50s (learned model and
    /// baseline) given to it when that became its destination.
    private var timed: [String: (order: String, departedAt: Instant, model: Double, baseline: Double)] = [:]
    /// The legs learned this session, in order, when the model can be trained again (else none are kept).
    private var session: [HistoryRow] = []
    private var job: RetrainJob?
    /// A take-over not yet journaled (see `takeRetrained`).
    private var retrained: (version: String, rows: Int)?
    /// The version of the last retrained model that took over; nil while the model is the one the learner started
    /// with.
    public private(set) var retrainedVersion: String?

    public init(model: ETAModel) { self.model = model }

    /// Takes a committed event (after `world` applied it).
    public mutating func note(_ event: Event, world: World) {
        if let row = recorder.note(event, world: world), let actual = row.travelSeconds { score(row, actual: actual) }
        switch event.body {
        case let .shiftStarted(rider), let .pickupDone(rider, _), let .deliveryDone(rider, _), let .deliveryFailed(rider, _, _):
            time(rider, world: world)
        case let .routePlanned(rider, _, _, _, _):
            // The leg goes on: a plan can change only where to, and most plans leave that as it was.
            if timed[rider]?.order != world.routes[rider]?.stops.first?.order { time(rider, world: world) }
        default:
            break
        }
    }

    /// Gives the leg `rider` is on, toward the delivery first on its route, its P50s (none when it is on no leg or
    /// heading to a pickup).
    private mutating func time(_ rider: String, world: World) {
        guard let leg = recorder.legUnderWay(of: rider, world: world) else {
            timed[rider] = nil
            return
        }
        timed[rider] = (leg.order, leg.departedAt, model.predict(leg).travel[1], model.baseline(leg).travel)
    }

    /// Scores a leg by the P50s it was given (`time`), else by the model as it stands, learns it, and starts or takes
    /// over a training when the session's legs say so.
    private mutating func score(_ row: HistoryRow, actual: Double) {
        let given = timed[row.rider].flatMap { $0.order == row.order && $0.departedAt == row.departedAt ? $0 : nil }
        let predicted = given?.model ?? model.predict(row).travel[1], baseline = given?.baseline ?? model.baseline(row).travel
        errors.append((abs(predicted - actual), abs(baseline - actual)))
        if errors.count > OnlineETA.window { errors.removeFirst(errors.count - OnlineETA.window) }
        model.learn(row)
        learned += 1
        guard let source = model.source else { return }
        session.append(row)
        if let running = job, session.count == running.rows + source.retrainLag {
            takeOver(running)
        } else if job == nil, session.count % source.retrainEvery == 0, (session.count / source.retrainEvery).nonzeroBitCount == 1 {
            job = RetrainJob(source: source, session: session, riders: model.riders)
        }
    }

    /// The retrained model takes over and learns the legs that came while it trained. A training that failed (the
    /// history gone or changed) leaves the model as it is and the session is tried again at the next count.
    private mutating func takeOver(_ running: RetrainJob) {
        job = nil
        guard case let .success(trained) = running.wait() else { return }
        var next = trained.model.adding(riders: model.riders)
        for row in session[running.rows...] { next.learn(row) }
        model = next
        retrainedVersion = trained.version
        retrained = (trained.version, running.rows)
    }

    /// Waits for a training in flight to finish (it still takes over at its leg): for a bench that times the core's
    /// thread and must not have the last run's training share the machine with the next.
    public func waitForTraining() { _ = job?.wait() }

    /// The retraining that took over since the last call, for the engine to journal (`eta.retrained`).
    public mutating func takeRetrained() -> (version: String, rows: Int)? {
        defer { retrained = nil }
        return retrained
    }

    /// Mean absolute travel error over the latest legs (seconds), learned and baseline; nil before any.
    public var recentMAE: (model: Double, baseline: Double, legs: Int)? {
        guard !errors.isEmpty else { return nil }
        let n = Double(errors.count)
        return (errors.reduce(0) { $0 + $1.model } / n, errors.reduce(0) { $0 + $1.baseline } / n, errors.count)
    }
}
