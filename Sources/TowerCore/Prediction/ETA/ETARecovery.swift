/// How fast online learning recovers after the world changes: the test legs are replayed as a live core meets them
/// (`LiveReplay`: predicted and scored as they leave, learned once their times are known); from a point on, the legs
/// a change touches are made slower (every leg into a zone, as a road closure would; every leg of one rider; or every
/// leg of the city until a time, as a day of rain would), and the touched legs' error is followed until it is back
/// near where it was before the change.
///
/// Errors are relative (|predicted − actual| / actual), so a leg that is 50% longer, with noise 50% larger in
/// seconds, counts as recovered when the model is as right about it as before.
public struct ETARecovery: Sendable {
    public enum Change: Sendable {
        case zone(String, factor: Double)
        case rider(String, factor: Double)
        /// Every leg leaving before `until`: the legs before the change are the error before it, those from the
        /// change on are slower.
        case city(until: Instant, factor: Double)

        func touches(_ row: HistoryRow) -> Bool {
            switch self {
            case let .zone(zone, _): return row.zone == zone
            case let .rider(rider, _): return row.rider == rider
            case let .city(until, _): return row.departedAt < until
            }
        }

        var factor: Double {
            switch self {
            case let .zone(_, factor), let .rider(_, factor), let .city(_, factor): return factor
            }
        }
    }

    public struct Result: Sendable {
        /// Mean relative travel error of the touched legs before the change (online model).
        public var before: Double
        /// Of the touched legs after the change, the first `window` learned ones: the online model's and a frozen
        /// copy's mean relative error.
        public var firstAfter: (online: Double, frozen: Double)
        /// Touched legs after the change until the mean over the last `window` of them is within `tolerance` of
        /// `before`; nil when that never happened in the test legs.
        public var legsToRecover: Int?
        /// The online and frozen models' mean relative error over the last `window` touched legs of the test.
        public var atEnd: (online: Double, frozen: Double)
        public var touchedAfter: Int
    }

    /// Touched legs the running error is taken over.
    public var window = 25
    /// How close to the error before the change counts as recovered (1.1: within 10%).
    public var tolerance = 1.1

    public init() {}

    /// Replays `rows` (in departure order, whatever their order here) with `change` applied to the touched legs from
    /// `changeAt` on.
    public func measure(model: ETAModel, rows: [HistoryRow], change: Change, from changeAt: Instant) -> Result {
        var online = model
        let frozen = model
        var before: [Double] = []
        var after: [(online: Double, frozen: Double)] = []
        var legsToRecover: Int?
        let replayed = rows.compactMap { original -> HistoryRow? in
            var row = original
            guard let travel = row.travelSeconds, travel > 0 else { return nil }
            if change.touches(row), row.departedAt >= changeAt, let arrived = row.arrivedAt {
                let extra = Int64((travel * (change.factor - 1)).rounded())
                row.arrivedAt = arrived + extra
                row.completedAt = row.completedAt.map { $0 + extra }
            }
            return row
        }
        LiveReplay.run(replayed, predict: { row in
            let actual = row.travelSeconds!
            let error = abs(online.predict(row).travel[1] - actual) / actual
            if change.touches(row) {
                if row.departedAt < changeAt {
                    before.append(error)
                } else {
                    after.append((error, abs(frozen.predict(row).travel[1] - actual) / actual))
                    if legsToRecover == nil, after.count >= window, !before.isEmpty,
                       mean(after.suffix(window).map(\.online)) <= tolerance * mean(before) {
                        legsToRecover = after.count
                    }
                }
            }
        }, learn: { online.learn($0) })
        let first = after.prefix(window), last = after.suffix(window)
        return Result(before: mean(before), firstAfter: (mean(first.map(\.online)), mean(first.map(\.frozen))), legsToRecover: legsToRecover,
                      atEnd: (mean(last.map(\.online)), mean(last.map(\.frozen))), touchedAfter: after.count)
    }

    /// Recovery from a change already in `rows` (a history made with one, such as `SyntheticHistory`'s closure),
    /// against the noise floor: from `changeAt` on, the `touched` legs are replayed online; the result is the number
    /// of touched legs until the MAE of the last `floorWindow` of them is at most `floorTolerance` times their noise
    /// floor (the MAE of their noise-free times), and that ratio for the first and last window, online and frozen.
    public struct FloorResult: Sendable {
        public var touchedAfter: Int
        public var firstAfter: (online: Double, frozen: Double)
        public var legsToRecover: Int?
        public var atEnd: (online: Double, frozen: Double)
        /// Over every touched leg after the first `floorBudget` (nil when there are none): where the online model
        /// settles, from more legs than a window of 50, whose few held-up legs move it by a tenth.
        public var settled: (online: Double, frozen: Double, legs: Int)?
        /// The online model over the legs the change did not touch, on the same days: how near its floor the model
        /// is on this history anyway, the level the touched legs can come back to (nil when none has a noise-free time).
        public var untouched: Double?
    }

    public var floorWindow = 50
    public var floorTolerance = 1.15
    /// The touched legs within which the touched legs' MAE should be back within `floorTolerance` (issue 19).
    public var floorBudget = 300

    public func measure(model: ETAModel, rows: [HistoryRow], touched: (HistoryRow) -> Bool, from changeAt: Instant) -> FloorResult {
        var online = model
        let frozen = model
        var after: [(online: Double, frozen: Double, floor: Double)] = []
        var legsToRecover: Int?
        var untouched = (online: 0.0, floor: 0.0)
        func ratio(_ legs: ArraySlice<(online: Double, frozen: Double, floor: Double)>) -> (online: Double, frozen: Double) {
            let floor = legs.reduce(0) { $0 + $1.floor }
            return floor > 0 ? (legs.reduce(0) { $0 + $1.online } / floor, legs.reduce(0) { $0 + $1.frozen } / floor) : (0, 0)
        }
        LiveReplay.run(rows.filter { $0.departedAt >= changeAt && $0.travelSeconds != nil }, predict: { row in
            let actual = row.travelSeconds!
            if touched(row), let truth = row.noiseFreeTravel {
                after.append((abs(online.predict(row).travel[1] - actual), abs(frozen.predict(row).travel[1] - actual), abs(truth - actual)))
                if legsToRecover == nil, after.count >= floorWindow, ratio(after.suffix(floorWindow)).online <= floorTolerance {
                    legsToRecover = after.count
                }
            } else if let truth = row.noiseFreeTravel {
                untouched.online += abs(online.predict(row).travel[1] - actual)
                untouched.floor += abs(truth - actual)
            }
        }, learn: { online.learn($0) })
        let late = after.dropFirst(floorBudget)
        return FloorResult(touchedAfter: after.count, firstAfter: ratio(after.prefix(floorWindow)), legsToRecover: legsToRecover,
                           atEnd: ratio(after.suffix(floorWindow)),
                           settled: late.isEmpty ? nil : { let r = ratio(late); return (r.online, r.frozen, late.count) }(),
                           untouched: untouched.floor > 0 ? untouched.online / untouched.floor : nil)
    }

    private func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }
}
