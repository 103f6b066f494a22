import Foundation
import TowerCore

/// The figures of a day report, one row each, shared by the text and the HTML forms.
enum ReportFigures {
    struct Row: Sendable {
        var title: String
        var text: @Sendable (DayReport) -> String
    }

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
    /// A share of `count` things: a dash when there were none (a journal cut before any delivery).
    static func percent(_ value: Double, of count: Int) -> String { RunReport.figure(value, over: count).map(percent) ?? "—" }
    static func money(_ value: Double) -> String { String(format: "%.2f", value) }
    static func duration(_ seconds: Double) -> String {
        if seconds < 0 { return "−" + duration(-seconds) }
        return seconds < 90 ? "\(Int(seconds)) s" : seconds < 5400 ? "\(Int((seconds / 60).rounded())) min" : String(format: "%.1f h", seconds / 3600)
    }

    static func resolution(_ day: DayReport, _ resolver: ResolutionTimes.Resolver) -> String {
        guard let f = day.run.resolution.byResolver[resolver] else { return "—" }
        return "\(f.count): median \(duration(f.median)), P90 \(duration(f.p90))"
    }

    static let rows: [Row] = [
        Row(title: "orders") { "\($0.world.orders.count)" },
        Row(title: "delivered") { "\($0.run.delivered)" },
        Row(title: "  without a rider at the end") { "\($0.run.unassigned)" },
        Row(title: "late deliveries") { "\($0.run.late) (against the booked window)" },
        Row(title: "  late against the window as moved") { "\($0.run.lateAgainstMovedWindow)" },
        Row(title: "on-time rate") { percent($0.run.onTimeRate, of: $0.run.delivered) },
        Row(title: "promises kept") {
            let p = $0.run.promises
            return "\(percent(p.keptRate, of: p.decided)) (\(p.kept) kept, \(p.broken) broken" + (p.pending > 0 ? ", \(p.pending) still open)" : ")")
        },
        Row(title: "  booked the same day") {
            let p = $0.run.bookedSameDay
            return "\(percent(p.keptRate, of: p.decided)) (\(p.kept) kept, \(p.broken) broken)"
        },
        Row(title: "promises moved by the core") {
            let p = $0.run.promises
            return "\(p.moved)" + (p.medianNoticeSeconds.map { ", median notice \(duration($0))" } ?? "")
        },
        Row(title: "failed deliveries (cost)") { "\($0.run.failed) (\(money(Double($0.run.failed) * $0.run.failedCost)))" },
        Row(title: "first-attempt rate") { "\(percent($0.run.firstAttemptRate, of: $0.run.attempted)) (\($0.run.failedFirstAttempts) failed first)" },
        Row(title: "ETA accuracy ±10 min: last ETA") { percent($0.run.etaAccuracyRate, of: $0.run.delivered) },
        Row(title: "ETA accuracy ±10 min: at dispatch") { percent($0.run.etaAccuracyAtDispatch, of: $0.run.delivered) },
        Row(title: "plan-to-execution variance") { percent($0.run.planVariance, of: $0.run.plannedDeliveries) },
        Row(title: "  kept stops: places moved") { $0.run.sequenceShift.map { String(format: "%.2f", $0) } ?? "—" },
        Row(title: "exception resolution (all)") {
            let all = $0.run.resolution.all
            return all.count == 0 ? "—" : "median \(duration(all.median)), P90 \(duration(all.p90))"
        },
        Row(title: "  by the core, or cleared") { resolution($0, .auto) },
        Row(title: "  by a person") { resolution($0, .human) },
        Row(title: "  at the deadline") { resolution($0, .defaulted) },
        Row(title: "cost per delivery: own") { $0.run.costPerDelivery(.own).map(money) ?? "—" },
        Row(title: "cost per delivery: 3pl") { $0.run.costPerDelivery(.thirdParty).map(money) ?? "—" },
        Row(title: "cost per delivery: gig") { $0.run.costPerDelivery(.gig).map(money) ?? "—" },
        Row(title: "cost per delivery: all") { $0.run.costPerDelivery(nil).map(money) ?? "—" },
        Row(title: "km driven") { String(format: "%.0f", $0.run.km) },
        Row(title: "rider utilisation (mean)") { percent($0.run.utilisation) },
        Row(title: "customer messages") { "\($0.run.notifications)" },
        Row(title: "exceptions raised") { "\($0.run.exceptions["raised"] ?? 0)" },
        Row(title: "  resolved by the core") { "\($0.run.exceptions["auto_resolved"] ?? 0)" },
        Row(title: "  escalated") { "\($0.run.exceptions["escalated"] ?? 0)" },
        Row(title: "  approved / rejected / defaulted") {
            "\($0.run.exceptions["approved"] ?? 0) / \($0.run.exceptions["rejected"] ?? 0) / \($0.run.exceptions["defaulted"] ?? 0)"
        },
    ]

    /// A column heading for a journal: its file name without the extension.
    static func label(_ day: DayReport) -> String {
        URL(fileURLWithPath: day.journal).deletingPathExtension().lastPathComponent
    }

    /// Exceptions per kind: raised, resolved by the core, escalated, approved, rejected, defaulted.
    static func byKind(_ day: DayReport) -> [(kind: String, counts: [Int])] {
        var table: [String: [Int]] = [:]
        for e in day.world.exceptions.values {
            var row = table[e.kind.rawValue] ?? [0, 0, 0, 0, 0, 0]
            row[0] += 1
            if e.state == .autoResolved { row[1] += 1 }
            if !e.options.isEmpty { row[2] += 1 }
            if e.state == .approved { row[3] += 1 }
            if e.state == .rejected { row[4] += 1 }
            if e.state == .defaulted { row[5] += 1 }
            table[e.kind.rawValue] = row
        }
        return table.keys.sorted().map { ($0, table[$0]!) }
    }
}
