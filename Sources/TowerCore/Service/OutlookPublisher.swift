import Foundation

/// The one outlook every board draws, timed by the core for all of them rather than by each board: on a thread of
/// its own and on that thread alone (the core's loop never waits for it, and the other cores stay free for the
/// loop and the boards), again whenever an event has arrived or the day's clock has left its `step`, at most every
/// `interval` real seconds (or four times as long as the last timing took, so it costs at most a quarter of one
/// core at any size). Twenty boards re-timing 500 riders' routes each on every event had filled two cores; now a
/// board only applies events and draws. Each timing re-times only the lanes whose inputs changed since the one
/// before, and every lane once a minute (`OutlookLanes`): at real time a timing sees a few riders' events, not the
/// city's.
public final class OutlookPublisher {
    /// The latest outlook finished, and a count bumped with each.
    public private(set) var latest: TimedOutlook?
    public private(set) var version = 0
    /// Simulated seconds an outlook stays current without events (ETAs are shown to the minute).
    public static let step: Int64 = 15
    /// The shortest real time between two timings.
    public static let interval = 0.5
    private let task = BackgroundTask<(outlook: TimedOutlook, seconds: Double, lanes: OutlookLanes?)>()
    /// The lanes the last outlook timed, handed to the next so it re-times only those whose inputs changed (nil while
    /// a timing has them).
    private var lanes: OutlookLanes?
    private var asked: (seq: Int64, step: Int64)?
    private var started = Date.distantPast
    private var lastSeconds = 0.0

    public init() {}

    /// Takes an outlook finished since the last call, then starts the next one if the world or the clock moved
    /// since the last was asked for and it is due.
    public func refresh(_ engine: Engine, at now: Instant, horizon: Int64?, wall: Date = Date()) {
        if let done = task.take() {
            adopt(done.outlook)
            lastSeconds = done.seconds
            lanes = done.lanes
        }
        let key = (seq: engine.world.lastSeq, step: now.seconds / Self.step)
        guard asked.map({ $0 != key }) ?? true, !task.isRunning, wall.timeIntervalSince(started) >= max(Self.interval, 4 * lastSeconds) else { return }
        asked = key
        started = wall
        let inputs = engine.outlookInputs(at: now, horizon: horizon)
        let eta = engine.learner?.figures
        let kept = lanes
        lanes = nil
        task.start(named: "outlook") {
            let clock = Date()
            var lanes: OutlookLanes? = kept ?? OutlookLanes()
            let outlook = inputs.outlook(onEveryCore: false, keeping: &lanes)
            return (TimedOutlook(outlook: outlook, at: now, seq: key.seq, eta: eta), Date().timeIntervalSince(clock), lanes)
        }
    }

    /// The latest outlook; when none has been timed yet, one timed here and now (a board's first frame is drawn
    /// with one).
    public func current(_ engine: Engine, at now: Instant, horizon: Int64?) -> TimedOutlook {
        if let latest { return latest }
        let timed = TimedOutlook(outlook: engine.outlook(at: now, horizon: horizon), at: now, seq: engine.world.lastSeq, eta: engine.learner?.figures)
        asked = (timed.seq, now.seconds / Self.step)
        adopt(timed)
        return timed
    }

    private func adopt(_ outlook: TimedOutlook) {
        // A synchronous first outlook may be newer than the background one finishing after it.
        guard outlook.seq >= latest?.seq ?? Int64.min, outlook.at >= latest?.at ?? outlook.at else { return }
        latest = outlook
        version += 1
    }
}
