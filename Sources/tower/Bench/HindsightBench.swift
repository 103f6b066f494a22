import Dispatch
import Foundation
import Synchronization
import TowerCore

/// `tower bench hindsight`: how many promises a day could have kept had every order been known at the plan lock.
///
/// The same day (orders, disruptions, customers' absences: all fixed by the seed) is played once more with every
/// order known from the start of the day (each parcel still ready only when the live day books it, see
/// `Scenario.everyOrderKnown`), so the 06:00 plan is made by the live planner's solver, in the live
/// objective and under every live constraint (fleet, shifts, skills, hubs, channels, waves), over the whole day's
/// orders; continuous-auto then plays it through the simulation, reacting to what nobody could know at 06:00 (a
/// breakdown, a jam, an absent customer). Its kept rate is the bound each policy's is set against. It is the bound of
/// this planner with perfect knowledge of demand, not a proof of optimality: the solver is a heuristic.
enum HindsightBench {
    struct Row: Sendable {
        var seed: UInt64
        /// Kept rate (booked windows) of static, continuous and continuous-auto, then of the hindsight day, then of
        /// the same day with every parcel ready from the start (`Scenario.ParcelReadiness.fromDayStart`).
        var kept: [Double]
        /// The same, of the orders the live day books after the plan lock (nil: the day books none).
        var keptBookedSameDay: [Double?]
    }

    static let policies: [EngineSettings.Mode] = [.static, .continuous, .continuousAuto]
    /// The columns a seed plays: each policy, the hindsight day, and the hindsight day with every parcel ready from the start.
    static let columns = policies.count + 2
    /// Each column's name in the JSON, and in the table's text.
    static let names = policies.map(\.rawValue) + ["hindsight", "hindsight_parcels_ready_at_start"]
    static let labels = policies.map(\.rawValue) + ["hindsight", "the day with parcels from the start"]

    static func run(scenarioPath: String, seed: UInt64, runs: Int, json: Bool, etaOption: String?) throws {
        let scenario = try ScenarioLoader.load(directory: scenarioPath)
        let eta = try ETAModelChoice.model(etaOption, scenario: scenario)
        let days = [scenario.everyOrderKnown(), scenario.everyOrderKnown(parcels: .fromDayStart)]
        // Where the gap is: the orders the live day books after the lock, which the hindsight day knows from the start.
        let sameDay = Set(scenario.orders.filter { $0.createdAt > scenario.planLock }.map(\.id))
        let until = scenario.dayEnd + 4 * 3600
        let jobs = (0..<runs).flatMap { run in (0..<columns).map { (seed + UInt64(run), $0) } }
        let results = Mutex<[Int: Result<(kept: Double, sameDay: Double?), ToolError>]>([:])
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (seed, column) = jobs[index]
            let hindsight = column >= policies.count
            let mode = hindsight ? .continuousAuto : policies[column]
            let result: Result<(kept: Double, sameDay: Double?), ToolError>
            do {
                let report = try HeadlessRun.report(scenario: hindsight ? days[column - policies.count] : scenario, seed: seed, mode: mode, policy: .standard,
                                                    policyName: hindsight ? "hindsight" : mode.rawValue, until: until, eta: eta,
                                                    bookedSameDay: sameDay)
                // A day with no promise decided (every order cancelled) has no kept rate to bound.
                if let kept = RunReport.figure(report.promises.keptRate, over: report.promises.decided) {
                    result = .success((kept, RunReport.figure(report.bookedSameDay.keptRate, over: report.bookedSameDay.decided)))
                } else {
                    result = .failure(ToolError("seed \(seed): no promise was decided (every order was cancelled, or there is none): no kept rate to bound"))
                }
            } catch {
                result = .failure(error as? ToolError ?? ToolError("\(error)"))
            }
            results.withLock { $0[index] = result }
        }
        let done = results.withLock { $0 }
        var rows: [Row] = []
        for run in 0..<runs {
            let figures = try (0..<columns).map { column in try done[run * columns + column]!.get() }
            rows.append(Row(seed: seed + UInt64(run), kept: figures.map(\.kept), keptBookedSameDay: figures.map(\.sameDay)))
        }
        json ? printJSON(rows, scenario: scenario) : printTable(rows, scenario: scenario)
    }

    static func mean(_ rows: [Row], _ column: Int) -> Double { rows.map { $0.kept[column] }.reduce(0, +) / Double(max(1, rows.count)) }

    /// The mean kept rate of the orders booked the same day, over the seeds that book any (nil: none does).
    static func meanBookedSameDay(_ rows: [Row], _ column: Int) -> Double? {
        let rates = rows.compactMap { $0.keptBookedSameDay[column] }
        return rates.isEmpty ? nil : rates.reduce(0, +) / Double(rates.count)
    }

    /// A policy's gap to the hindsight day, seed by seed, as a mean with its 95% interval: the days differ so
    /// much from seed to seed (one search's random draws move a day by a point or two) that the mean of ten
    /// seeds is known to within about a point, which the target's line has to be read with.
    static func gap(_ rows: [Row], _ column: Int, to bound: Int = policies.count) -> Interval { Interval(rows.map { $0.kept[column] - $0.kept[bound] }) }

    static func printTable(_ rows: [Row], scenario: Scenario) {
        print("\(scenario.name): promises kept (booked windows), each policy against the hindsight day (every order known at the plan lock,")
        print("each parcel ready at its hub when the live day books it; beside it the same day with every parcel ready from the start)")
        print("seed   static  continuous  continuous-auto  hindsight   gap (auto)   parcels from the start   gap (auto)")
        func line(_ label: String, _ kept: [Double]) {
            print(label + String(format: "   %5.1f%%      %5.1f%%           %5.1f%%     %5.1f%%   %+5.1f pts                   %5.1f%%    %+5.1f pts",
                                 kept[0] * 100, kept[1] * 100, kept[2] * 100, kept[3] * 100, (kept[2] - kept[3]) * 100, kept[4] * 100, (kept[2] - kept[4]) * 100))
        }
        for row in rows { line(String(format: "%4d", row.seed), row.kept) }
        if rows.count > 1 { line("mean", (0..<columns).map { mean(rows, $0) }) }
        func gaps(to bound: Int) -> String {
            (0..<policies.count).map { column in
                let gap = gap(rows, column, to: bound)
                return policies[column].rawValue + String(format: " %+.1f", gap.mean * 100) + (rows.count > 1 ? String(format: " ± %.1f", gap.halfWidth * 100) : "") + " pts"
            }.joined(separator: ", ")
        }
        let interval = rows.count > 1 ? " (mean of the seeds' gaps ± 95% interval)" : ""
        print("gap to the hindsight bound\(interval): " + gaps(to: policies.count) + " (target for continuous-auto: within 3 points)")
        print("gap to the day with every parcel ready from the start (looser: no policy can collect a parcel before it is booked): " + gaps(to: policies.count + 1))
        let sameDay = (0..<columns).map { column in
            labels[column] + " " + (meanBookedSameDay(rows, column).map { String(format: "%.1f%%", $0 * 100) } ?? "—")
        }
        print("of the orders booked after the plan lock (the hindsight days know them from the start), kept: " + sameDay.joined(separator: ", "))
    }

    static func printJSON(_ rows: [Row], scenario: Scenario) {
        var w = JSONWriter()
        w.beginObject()
        w.key("scenario"); w.value(scenario.name)
        w.key("runs"); w.beginArray()
        for row in rows {
            w.beginObject()
            w.key("seed"); w.value(Int64(row.seed))
            for (column, name) in names.enumerated() { w.key(name); w.value(row.kept[column]) }
            w.endObject()
        }
        w.endArray()
        w.key("mean_kept_rate"); w.beginObject()
        for (column, name) in names.enumerated() { w.key(name); w.value(mean(rows, column)) }
        w.endObject()
        w.key("mean_kept_rate_booked_same_day"); w.beginObject()
        for (column, name) in names.enumerated() {
            w.key(name)
            if let rate = meanBookedSameDay(rows, column) { w.value(rate) } else { w.null() }
        }
        w.endObject()
        w.key("gap"); w.beginObject()
        let gaps = policies.indices.map { gap(rows, $0) }
        for (column, policy) in policies.enumerated() { w.key(policy.rawValue); w.value(gaps[column].mean) }
        w.endObject()
        w.key("gap_interval"); w.beginObject()
        for (column, policy) in policies.enumerated() { w.key(policy.rawValue); w.value(gaps[column].halfWidth) }
        w.endObject()
        w.key("gap_to_parcels_ready_at_start"); w.beginObject()
        for (column, policy) in policies.enumerated() { w.key(policy.rawValue); w.value(gap(rows, column, to: policies.count + 1).mean) }
        w.endObject()
        w.endObject()
        print(String(decoding: w.bytes, as: UTF8.self))
    }
}
