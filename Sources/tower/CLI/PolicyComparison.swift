import Foundation
import Synchronization
import TowerCore

/// `simulate` with several policies or `--runs K`: every policy plays the same K seeds (so the same disruptions),
/// two runs at a time, and the figures are summarised as means with 95% intervals.
struct PolicyComparison {
    struct Metric: Sendable {
        var key: String
        var title: String
        /// The run's figure; nil for a figure over nothing (`RunReport.figure(_:over:)`), which no mean counts.
        var value: @Sendable (RunReport) -> Double?
        var percent: Bool
        /// Decimals shown (percentages and small counts 1, money 2).
        var decimals: Int? = nil
    }

    static let metrics: [Metric] = [
        Metric(key: "delivered", title: "delivered", value: { Double($0.delivered) }, percent: false),
        Metric(key: "late", title: "late (booked window)", value: { Double($0.late) }, percent: false),
        Metric(key: "late_against_moved_window", title: "  late (window as moved)", value: { Double($0.lateAgainstMovedWindow) }, percent: false),
        Metric(key: "promises_kept_rate", title: "promises kept", value: { RunReport.figure($0.promises.keptRate, over: $0.promises.decided) }, percent: true),
        Metric(key: "promises_kept_rate_booked_same_day", title: "  booked the same day",
               value: { RunReport.figure($0.bookedSameDay.keptRate, over: $0.bookedSameDay.decided) }, percent: true),
        Metric(key: "promises_moved", title: "promises moved", value: { Double($0.promises.moved) }, percent: false),
        Metric(key: "late_or_failed", title: "late or failed", value: { Double($0.late + $0.failed) }, percent: false),
        Metric(key: "never_delivered", title: "never delivered", value: { Double($0.neverDelivered) }, percent: false),
        Metric(key: "promises_broken", title: "  all three: promises broken", value: { Double($0.promises.broken) }, percent: false),
        Metric(key: "failed", title: "failed (last attempt)", value: { Double($0.failed) }, percent: false),
        Metric(key: "failed_first_attempts", title: "failed first attempts", value: { Double($0.failedFirstAttempts) }, percent: false),
        Metric(key: "on_time_rate", title: "on-time rate (booked)", value: { RunReport.figure($0.onTimeRate, over: $0.delivered) }, percent: true),
        Metric(key: "first_attempt_rate", title: "first-attempt rate", value: { RunReport.figure($0.firstAttemptRate, over: $0.attempted) }, percent: true),
        Metric(key: "eta_accuracy_rate", title: "ETA accuracy (±10 min)", value: { RunReport.figure($0.etaAccuracyRate, over: $0.delivered) }, percent: true),
        Metric(key: "eta_accuracy_at_dispatch", title: "  of the ETA at dispatch", value: { RunReport.figure($0.etaAccuracyAtDispatch, over: $0.delivered) }, percent: true),
        Metric(key: "plan_variance", title: "plan-to-execution variance", value: { RunReport.figure($0.planVariance, over: $0.plannedDeliveries) }, percent: true),
        Metric(key: "plan_sequence_shift", title: "  kept stops: places moved", value: { $0.sequenceShift }, percent: false, decimals: 2),
        Metric(key: "exception_resolution_median_s", title: "resolution median (s)", value: { RunReport.figure($0.resolution.all.median, over: $0.resolution.all.count) }, percent: false),
        Metric(key: "exception_resolution_p90_s", title: "resolution P90 (s)", value: { RunReport.figure($0.resolution.all.p90, over: $0.resolution.all.count) }, percent: false),
        Metric(key: "cost_per_delivery", title: "cost per delivery", value: { $0.costPerDelivery(nil) }, percent: false, decimals: 2),
        Metric(key: "cost_per_delivery_own", title: "  own fleet", value: { $0.costPerDelivery(.own) }, percent: false, decimals: 2),
        Metric(key: "cost_per_delivery_3pl", title: "  3PL", value: { $0.costPerDelivery(.thirdParty) }, percent: false, decimals: 2),
        Metric(key: "cost_per_delivery_gig", title: "  gig", value: { $0.costPerDelivery(.gig) }, percent: false, decimals: 2),
        Metric(key: "km", title: "km driven", value: { $0.km }, percent: false),
        Metric(key: "utilisation", title: "rider utilisation", value: { $0.utilisation }, percent: true),
        Metric(key: "notifications_sent", title: "customer messages", value: { Double($0.notifications) }, percent: false),
    ]

    let scenario: Scenario
    let choices: [PolicyChoice]
    let seeds: [UInt64]
    /// Reports per policy name, in seed order.
    private(set) var reports: [String: [RunReport]] = [:]

    init(scenario: Scenario, choices: [PolicyChoice], seeds: [UInt64], until: Instant, failedCost: Double = RunReport.failedDeliveryCost,
         eta: ETAModel? = nil) throws {
        self.scenario = scenario
        self.choices = choices
        self.seeds = seeds
        let jobs = choices.flatMap { choice in seeds.map { (choice, $0) } }
        let results = Mutex<[Int: Result<RunReport, ToolError>]>([:])
        let bar = ProgressBar("compare")
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (choice, seed) = jobs[index]
            let result: Result<RunReport, ToolError>
            do {
                result = .success(try HeadlessRun.report(scenario: scenario, seed: seed, mode: choice.mode, policy: choice.policy,
                                                         policyName: choice.name, until: until, failedCost: failedCost, eta: eta))
            } catch {
                result = .failure(error as? ToolError ?? ToolError("\(error)"))
            }
            let done = results.withLock { $0[index] = result; return $0.count }
            bar.update(Double(done) / Double(jobs.count), detail: "\(done) of \(jobs.count) days played")
        }
        bar.finish()
        let finished = results.withLock { $0 }
        for (index, (choice, _)) in jobs.enumerated() {
            reports[choice.name, default: []].append(try finished[index]!.get())
        }
    }

    /// A figure's mean over a policy's runs, leaving out the runs where it is over nothing.
    func interval(_ metric: Metric, _ policy: String) -> Interval { Interval((reports[policy] ?? []).compactMap(metric.value)) }

    /// The table: one row per figure, one column per policy, `mean ± half-width`.
    var table: [String] {
        let names = choices.map(\.name)
        let seedText = seeds.count == 1 ? "seed \(seeds[0])" : "seeds \(seeds.first!)–\(seeds.last!)"
        var lines = ["\(scenario.name), \(seedText): \(seeds.count) run\(seeds.count == 1 ? "" : "s") per policy, means ± 95% interval"]
        let width = max(14, names.map(\.count).max() ?? 0) + 4
        lines.append(column("", 30) + names.map { column($0, width) }.joined())
        for metric in PolicyComparison.metrics {
            let cells = names.map { name -> String in
                let i = interval(metric, name)
                guard i.count > 0 else { return column("—", width) }
                let scale = metric.percent ? 100.0 : 1.0
                let digits = metric.decimals ?? (metric.percent || i.mean < 100 ? 1 : 0)
                let text = String(format: "%.\(digits)f", i.mean * scale) + (metric.percent ? "%" : "")
                return column(seeds.count > 1 ? text + " ± " + String(format: "%.\(digits)f", i.halfWidth * scale) : text, width)
            }
            lines.append(column(metric.title, 30) + cells.joined())
        }
        let partial = PolicyComparison.metrics.flatMap { metric in
            names.compactMap { name in
                let count = interval(metric, name).count
                return count > 0 && count < seeds.count ? "\(metric.title.trimmingCharacters(in: .whitespaces)) (\(name): \(count) of \(seeds.count))" : nil
            }
        }
        if !partial.isEmpty {
            lines.append("")
            lines.append("a figure over nothing (a rate of no delivery, the cost of a channel that delivered none) is left out of its mean: " + partial.joined(separator: ", "))
        }
        if let verdict = targets { lines.append(""); lines.append(contentsOf: verdict) }
        return lines
    }

    /// The targets, when both static and continuous-auto ran: late-or-failed deliveries (against the booked window)
    /// halved, failed first attempts down a quarter, cost per delivery not up.
    var targets: [String]? {
        guard reports["static"] != nil, reports["continuous-auto"] != nil else { return nil }
        /// The relative change of a figure's mean; nil when static has none of it to change from (no run measured
        /// it, or its mean is 0), where a percentage would say nothing.
        func change(_ key: String) -> Double? {
            let metric = PolicyComparison.metrics.first { $0.key == key }!
            let before = interval(metric, "static"), after = interval(metric, "continuous-auto")
            guard before.count > 0, after.count > 0, before.mean != 0 else { return nil }
            return (after.mean - before.mean) / before.mean
        }
        func line(_ title: String, _ key: String, target: Double) -> String {
            let targetText = String(format: "target ≤ %.0f%%", target * 100)
            guard let value = change(key) else { return "  \(title) —  (\(targetText): static has none to compare with)" }
            return "  \(title) \(String(format: "%+.1f%%", value * 100))  (\(targetText): \(value <= target ? "met" : "NOT met"))"
        }
        // Orders never delivered (most of them ones the channel rules keep from every rider who could carry them)
        // are in no target's count; their change is shown beside, so the headline hides none of the broken promises.
        let broken = change("promises_broken").map { String(format: "%+.1f%%", $0 * 100) } ?? "—"
        return ["continuous-auto against static:",
                line("late or failed (booked)", "late_or_failed", target: -0.5),
                "  with the never delivered \(broken)  (every broken promise; no target)",
                line("failed first attempts  ", "failed_first_attempts", target: -0.25),
                line("cost per delivery      ", "cost_per_delivery", target: 0)]
    }

    /// One object: every run's figures, and per policy the mean and 95% half-width of each figure.
    var json: String {
        var w = JSONWriter()
        w.beginObject()
        w.key("scenario"); w.value(scenario.name)
        w.key("seeds"); w.beginArray(); for seed in seeds { w.value(Int64(bitPattern: seed)) }; w.endArray()
        w.key("runs"); w.beginArray()
        for choice in choices {
            for report in reports[choice.name] ?? [] {
                if let value = try? JSONParser.parse(report.json) { w.value(value) }
            }
        }
        w.endArray()
        w.key("summary"); w.beginObject()
        for choice in choices {
            w.key(choice.name); w.beginObject()
            for metric in PolicyComparison.metrics {
                let i = interval(metric, choice.name)
                w.key(metric.key); w.beginObject()
                for (key, value) in [("mean", i.mean), ("ci95", i.halfWidth)] {
                    w.key(key)
                    if i.count > 0 { w.value((value * 10000).rounded() / 10000) } else { w.null() }
                }
                w.key("runs"); w.value(i.count)
                w.endObject()
            }
            w.endObject()
        }
        w.endObject()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}
