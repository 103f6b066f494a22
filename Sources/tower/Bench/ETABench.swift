import Foundation
import TowerCore

/// `tower bench eta`: the learned ETAs on held-out days of a history (the first four fifths of the days to learn,
/// the rest to test), recovery after a change in the world, and the time to train on 100,000 rows; or the same on a
/// synthetic history against its noise floor, with a closure to recover from.
enum ETABench {
    /// From the third test day on, every leg into the busiest zone is 50% slower (a road closure), or every leg of
    /// the busiest rider 40% slower, or every leg of the third test day alone 30% slower (a day of rain); prints how
    /// many touched legs online learning needs to be back within 10% of its error before the change.
    static func recovery(model: ETAModel, test: [HistoryRow], days: [Instant]) throws {
        let testDays = days.filter { $0 >= test.map(\.departedAt).min()! }
        guard testDays.count >= 3 else { return }
        func busiest(_ key: (HistoryRow) -> String) -> String {
            Dictionary(grouping: test, by: key).max { ($0.value.count, $1.key) < ($1.value.count, $0.key) }!.key
        }
        var changes = [ETARecovery.Change.zone(busiest(\.zone), factor: 1.5), .rider(busiest(\.rider), factor: 1.4)]
        if testDays.count > 3 { changes.append(.city(until: testDays[3], factor: 1.3)) }
        for change in changes {
            let r = ETARecovery().measure(model: model, rows: test, change: change, from: testDays[2])
            let what: String
            switch change {
            case let .zone(zone, _): what = "legs into \(TextSanitizer.clean(zone)) 50% slower"
            case let .rider(rider, _): what = "rider \(TextSanitizer.clean(rider)) 40% slower"
            case .city: what = "every leg 30% slower on that day alone"
            }
            print(String(format: "after a change (%@, from test day 3; %d touched legs after it): relative error before %.1f%%; first %d touched legs after: online %.1f%%, frozen model %.1f%%; back within 10%% of before after %@; last %d: online %.1f%%, frozen %.1f%%",
                         what, r.touchedAfter, r.before * 100, ETARecovery().window, r.firstAfter.online * 100, r.firstAfter.frozen * 100,
                         r.legsToRecover.map { "\($0) touched legs" } ?? "never", ETARecovery().window, r.atEnd.online * 100, r.atEnd.frozen * 100))
        }
    }


    static func run(history path: String) throws {
        let rows = try HistoryReader.read(path: path, requireTimes: true).rows
        try heldOut(rows: rows, name: path)
        var large: [HistoryRow] = []
        while large.count < 100_000 { large += rows }
        let start = DispatchTime.now().uptimeNanoseconds, cpu = cpuSeconds()
        let big = try ETAModel(training: Array(large.prefix(100_000)))
        print(String(format: "training on %d rows (%d rounds of trees): %.2f s, %.2f s of CPU (target: under 5 s on one core)", big.trainedRows,
                     big.trees?.rounds ?? 0, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9, cpuSeconds() - cpu))
    }

    /// `tower bench eta synthetic`: a history with known effects (`SyntheticHistory`): the held-out days before its
    /// closure against the noise floor, then the closure itself: a model trained on every day before it, replayed
    /// online over the days after, on the legs through the closed zone.
    static func synthetic(seed: UInt64) throws {
        var settings = SyntheticHistory.Settings()
        settings.seed = seed
        let history = SyntheticHistory(settings: settings)
        print("synthetic history, seed \(seed): \(history.rows.count) legs over \(settings.days) days; zone \(history.closedZone!) closed (speed halved) from day \(settings.closureDay! + 1)")
        let closure = history.closureStart!
        let before = history.rows.filter { $0.departedAt < closure }
        print("the days before the closure:")
        try heldOut(rows: before, name: "synthetic")
        let model = try ETAModel(training: before)
        let r = ETARecovery().measure(model: model, rows: history.rows.filter { $0.departedAt >= closure },
                                      touched: { history.closedLegs.contains($0.line) }, from: closure)
        report(closure: r, daysBefore: settings.closureDay!, legs: "through the zone")
    }

    /// `tower bench eta HISTORY --closure ZONE --from YYYY-MM-DD`: a change already in a history (a closure in ZONE
    /// from that day on), measured as `synthetic` measures its own: a model trained on every day before it, replayed
    /// online over the days from it, against the legs' noise floor (`travel_noise_free_s`). A history says where its
    /// legs end, not which zones they cross nor which legs a closure slowed, so it is measured twice: on the legs the
    /// model takes to be driven through ZONE (the zone whose centre is nearest a leg's midpoint, as its shifts key
    /// them: roads closed there), then on the legs ending in ZONE (its streets closed to all but its own doors).
    static func closure(history path: String, zone: String, from date: String) throws {
        let rows = try HistoryReader.read(path: path, requireTimes: true).rows
        let localDay = { (row: HistoryRow) in ISOTime.format(row.departedAt, offsetSeconds: row.utcOffsetSeconds).prefix(10) }
        guard let first = rows.filter({ localDay($0) == date }).min(by: { $0.departedAt < $1.departedAt }) else {
            throw ToolError("\(path): no leg leaves on \(TextSanitizer.clean(date)) (--from takes a day of the history, YYYY-MM-DD)")
        }
        let start = ISOTime.startOfDay(first.departedAt, offsetSeconds: first.utcOffsetSeconds)
        let before = rows.filter { $0.departedAt < start }, after = rows.filter { $0.departedAt >= start }
        guard after.contains(where: { $0.noiseFreeTravel != nil }) else {
            throw ToolError("\(path): no leg from \(date) on has travel_noise_free_s; a closure is measured against the noise floor")
        }
        let days = Set(before.map { ISOTime.startOfDay($0.departedAt, offsetSeconds: $0.utcOffsetSeconds) }).count
        guard days >= 5 else { throw ToolError("\(path): \(days) days before \(date); the model needs at least 5 to learn from") }
        let model = try ETAModel(training: before)
        guard model.zones.contains(zone) else {
            throw ToolError("\(path): no leg before \(date) ends in zone \"\(TextSanitizer.clean(zone))\" (--closure); the zones are \(model.zones.map(TextSanitizer.clean).joined(separator: ", "))")
        }
        print("history: \(rows.count) rows; closure of \(TextSanitizer.clean(zone)) from \(date)")
        report(closure: ETARecovery().measure(model: model, rows: after, touched: { model.zoneDrivenThrough($0) == zone }, from: start),
               daysBefore: days, legs: "through the zone")
        report(closure: ETARecovery().measure(model: model, rows: after, touched: { $0.zone == zone }, from: start),
               daysBefore: days, legs: "ending in the zone")
    }

    /// One line of a closure's figures, on the legs `legs` names.
    private static func report(closure r: ETARecovery.FloorResult, daysBefore: Int, legs: String) {
        let window = ETARecovery().floorWindow
        guard r.touchedAfter >= window else {
            // A zone few legs cross, or whose doors saw few deliveries after the day: no window to read.
            print("the closure (trained on the \(daysBefore) days before it, then online): \(r.touchedAfter) legs \(legs) after it, fewer than the \(window) its figures are read over")
            return
        }
        print(String(format: "the closure (trained on the %d days before it, then online; %d legs %@ after it): MAE / noise floor over the first %d of them: online %.2f, frozen %.2f; back within %.2f after %@; last %d: online %.2f, frozen %.2f",
                     daysBefore, r.touchedAfter, legs, window, r.firstAfter.online, r.firstAfter.frozen, ETARecovery().floorTolerance,
                     r.legsToRecover.map { "\($0) touched legs" } ?? "never", window, r.atEnd.online, r.atEnd.frozen)
              + (r.settled.map { String(format: "; after the first %d: online %.2f, frozen %.2f (%d legs)", ETARecovery().floorBudget, $0.online, $0.frozen, $0.legs) } ?? "")
              + (r.untouched.map { String(format: "; the legs it did not touch, the same days: online %.2f", $0) } ?? ""))
    }

    /// The first four fifths of the days learn, the rest test: error against the baseline (and the noise floor when
    /// the rows carry noise-free times), coverage by band, and recovery after a change made to the test legs.
    static func heldOut(rows: [HistoryRow], name: String) throws {
        let days = Array(Set(rows.map { ISOTime.startOfDay($0.departedAt, offsetSeconds: $0.utcOffsetSeconds) })).sorted()
        guard days.count >= 5 else { throw ToolError("\(name): \(days.count) days; the benchmark needs at least 5") }
        let cut = days[days.count * 4 / 5]
        let train = rows.filter { $0.departedAt < cut }, test = rows.filter { $0.departedAt >= cut }
        let model = try ETAModel(training: train)
        print("trees on the linear models' residuals: travel \(model.trees?.rounds ?? 0) rounds, service \(model.dwellTrees?.rounds ?? 0) (stopped early on the latest fifth of the training days)")
        if let weighing = model.hourWeighing {
            print("intervals: every training leg's residuals, widened as the held-out days say, by distance band and hour band; each hour band's own legs weighed against \(Int(weighing.legs)) legs of the overall shape ("
                  + (weighing.chosen ? "chosen by leaving each held-out day out)" : "the default: too few held-out days to choose)"))
        }
        print(model.hasTravelShape ? "travel shape (a time at the door plus the distance at a pace) under the rest: kept, the held-out days missed by less with it"
              : "travel shape: not kept (the held-out days were not missed by less with it, by more than a standard error)")
        print("history: \(rows.count) rows over \(days.count) days; learning on \(train.count) rows, testing on \(test.count) (the last \(days.count - days.count * 4 / 5) days)")
        for online in [false, true] {
            let result = ETAEvaluation(model: model, rows: test, online: online)
            let m = result.model, b = result.baseline
            let floor = result.noiseFloor.map { String(format: " (noise floor %.2f min: %.3f × it; baseline %.3f ×)", $0 / 60, m.travelMAE / $0, b.travelMAE / $0) }
                ?? result.noiseFloorMissing.map { " (\($0))" } ?? ""
            print(String(format: "%@: travel MAE %.2f min (baseline %.2f, %.1f%% of it)%@, P90 %.2f min (%.2f); service MAE %.2f min (%.2f); arrival MAE %.2f min (%.2f), within ±5 min %.1f%% (%.1f%%), ±10 min %.1f%% (%.1f%%); P10–P90 coverage %.1f%%",
                         online ? "online (each test row predicted as it leaves, learned once its attempt has ended)" : "trained model",
                         m.travelMAE / 60, b.travelMAE / 60, m.travelMAE / b.travelMAE * 100, floor, m.travelP90 / 60, b.travelP90 / 60,
                         m.dwellMAE / 60, b.dwellMAE / 60,
                         m.arrivalMAE / 60, b.arrivalMAE / 60, m.within5 * 100, b.within5 * 100, m.within10 * 100, b.within10 * 100, (m.coverage ?? 0) * 100))
            let bands = { (bands: [ETAEvaluation.Band]) in bands.map { "\($0.label) \($0.coverageText)" }.joined(separator: ", ") }
            print("  P10–P90 coverage by distance: \(bands(result.coverageByDistance)); by hour: \(bands(result.coverageByHour))")
            for (kind, bands) in [("distance", result.coverageByDistance), ("hour", result.coverageByHour)] {
                let held = bands.filter { $0.legs > 0 }
                print("  \(kind) bands outside 80 ± 3: \(held.count { abs($0.coverage - 0.8) > 0.03 }) of \(held.count); further out than chance explains: "
                      + "\(held.count(where: \.missesBeyondChance))")
            }
        }
        let linear = ETAEvaluation(model: try ETAModel(training: train, boosted: false), rows: test).model
        print(String(format: "the linear model alone (no shape, no trees): travel MAE %.2f min, P10–P90 coverage %.1f%%", linear.travelMAE / 60, (linear.coverage ?? 0) * 100))
        if model.hasTravelShape {
            let unshaped = ETAEvaluation(model: try ETAModel(training: train, shaped: false), rows: test).model
            print(String(format: "the model without its travel shape (linear part, trees and pairs): travel MAE %.2f min, P10–P90 coverage %.1f%%",
                         unshaped.travelMAE / 60, (unshaped.coverage ?? 0) * 100))
        }
        try recovery(model: model, test: test, days: days)
    }

    /// User and system CPU seconds of this process so far (training runs on one thread).
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let seconds = { (t: timeval) in Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
