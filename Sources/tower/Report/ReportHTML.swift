import Foundation
import TowerCore

/// The day report as one self-contained HTML file: inline CSS and SVG, no scripts, nothing fetched.
enum ReportHTML {
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf"]
    static let onTime = "#2a9d4b", late = "#d62728", muted = "#9a9a9a", escalated = "#e09b00", human = "#1f5fbf"

    static func document(_ days: [DayReport]) -> String {
        let first = days[0].world
        var html = """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <title>Tower day report: \(SVG.escape(days.count == 1 ? ReportStory.heading(days[0]) : first.name))</title>
        <style>
        body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#222;margin:2em auto;max-width:1100px;padding:0 1em}
        h1{font-size:1.5em;margin-bottom:.2em} h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #ddd;padding-bottom:.2em}
        table{border-collapse:collapse;margin:.5em 0} th,td{padding:.25em .7em;text-align:right;border-bottom:1px solid #eee}
        th:first-child,td:first-child{text-align:left} .muted{color:#777} .legend span{margin-right:1.2em}
        .dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;margin-right:.3em;vertical-align:-.05em}
        .summary{font-size:1.05em;max-width:60em} svg{max-width:100%;height:auto}
        @media print{body{margin:0;max-width:none;font-size:11px} h2{break-after:avoid} table,svg,.summary{break-inside:avoid}}
        </style></head><body>
        <h1>Tower day report: \(SVG.escape(days.count == 1 ? ReportStory.heading(days[0]) : [first.name, ReportStory.date(days[0])].compactMap { $0 }.joined(separator: ", ")))</h1>

        """
        for (index, day) in days.enumerated() {
            html += "<p class=\"muted\"><span class=\"dot\" style=\"background:\(color(index))\"></span><b>\(SVG.escape(ReportFigures.label(day)))</b>: seed \(day.world.seed.map(String.init) ?? "-"), \(day.events) events, journal \(SVG.escape(day.journal))</p>\n"
        }
        for day in days {
            html += "<p class=\"summary\">" + (days.count > 1 ? "<b>\(SVG.escape(ReportFigures.label(day)))</b> (\(SVG.escape(ReportStory.heading(day)))): " : "")
                + SVG.escape(ReportStory.summary(day)) + "</p>\n"
        }
        html += "<h2>Every order</h2>\n" + ReportStory.accountingTable(days)
        html += "<h2>\(days.count > 1 ? "The KPIs side by side" : "The KPIs")</h2>\n<table><tr><th></th>"
        html += days.map { "<th>\(SVG.escape(ReportFigures.label($0)))</th>" }.joined() + "</tr>\n"
        for row in ReportFigures.rows {
            html += "<tr><td>\(SVG.escape(row.title))</td>" + days.map { "<td>\(SVG.escape(row.text($0)))</td>" }.joined() + "</tr>\n"
        }
        html += "</table>\n"
        for day in days {
            let label = days.count > 1 ? ": " + SVG.escape(ReportFigures.label(day)) : ""
            html += "<h2>By channel\(label)</h2>\n" + ReportStory.channelTable(day)
            html += "<h2>On time by zone\(label)</h2>\n" + ReportStory.zoneMap(day)
        }
        html += "<h2>Through the day</h2>\n<p class=\"muted\">A rate is drawn from the first delivery it can count; before it the line is left out, not drawn at 0.</p>\n"
        let delivered: (KPISample) -> Bool = \.countsDeliveries
        let charts: [(String, (KPISample) -> Double, Bool, (KPISample) -> Bool)] = [
            ("on-time rate", { $0.onTimeRate }, true, delivered), ("ETA accuracy ±10 min", { $0.etaAccuracyRate }, true, delivered),
            ("first-attempt rate", { $0.firstAttemptRate }, true, \.countsAttempts),
            ("plan-to-execution variance", { $0.planVariance }, true, delivered),
            ("cost per delivery", { $0.costPerDelivery }, false, delivered), ("late deliveries", { Double($0.late) }, false, { _ in true }),
        ]
        for (title, value, isRate, defined) in charts { html += trendChart(title, days: days, value: value, isRate: isRate, defined: defined) }
        for (index, day) in days.enumerated() {
            let label = SVG.escape(ReportFigures.label(day))
            html += "<h2>Exceptions and decisions: \(label)</h2>\n" + ReportStory.exceptionsInWords(day) + legend([("raised", muted), ("resolved by the core", onTime), ("escalated", escalated), ("approved or rejected", human), ("defaulted at the deadline", late)])
            html += timeline(day) + exceptionTable(day)
            html += "<h2>Riders: the 06:00 plan against the day, \(label)</h2>\n"
            html += legend([("planned at 06:00 (hollow)", muted), ("delivered on time", onTime), ("delivered late", late), ("delivered by another rider (×)", muted)])
            html += lanes(day) + ReportStory.riderTable(day)
            _ = index
        }
        html += "<p class=\"muted\">Made by <code>tower report</code>. Times are the city's local time.</p>\n</body></html>\n"
        return html
    }

    static func color(_ index: Int) -> String { palette[index % palette.count] }

    static func legend(_ items: [(String, String)]) -> String {
        "<p class=\"legend\">" + items.map { "<span><span class=\"dot\" style=\"background:\($0.1)\"></span>\(SVG.escape($0.0))</span>" }.joined() + "</p>\n"
    }

    /// One line per journal over the day's samples.
    /// One line per journal over the day's samples where the figure means something (`defined`): a gap where it
    /// does not, never a 0 it did not measure.
    static func trendChart(_ title: String, days: [DayReport], value: (KPISample) -> Double, isRate: Bool,
                           defined: (KPISample) -> Bool) -> String {
        let all = days.flatMap(\.trend.samples)
        guard let start = all.map(\.at.seconds).min(), let end = all.map(\.at.seconds).max(), end > start else { return "" }
        var svg = SVG(width: 520, height: 170)
        let axis = TimeAxis(start: Double(start), end: Double(end), left: 50, right: 510)
        let values = all.filter(defined).map(value)
        let low = isRate ? 0 : (values.min() ?? 0), high = isRate ? 1 : max((values.max() ?? 1), low + 1e-9)
        func y(_ v: Double) -> Double { 140 - (v - low) / (high - low) * 115 }
        axis.draw(into: &svg, top: 25, bottom: 140, offsetSeconds: days[0].world.utcOffsetSeconds)
        svg.text(8, 16, title, size: 12, fill: "#222")
        svg.text(46, y(high) + 4, isRate ? "100%" : String(format: "%.1f", high), size: 10, anchor: "end", fill: "#777")
        svg.text(46, y(low) + 4, isRate ? "0%" : String(format: "%.1f", low), size: 10, anchor: "end", fill: "#777")
        if values.isEmpty { svg.text(280, 85, "nothing to count yet", size: 11, anchor: "middle", fill: "#777") }
        for (index, day) in days.enumerated() {
            var run: [(Double, Double)] = []
            for sample in day.trend.samples {
                if defined(sample) {
                    run.append((axis.x(Double(sample.at.seconds)), y(value(sample))))
                } else {
                    svg.polyline(run, stroke: color(index))
                    run = []
                }
            }
            svg.polyline(run, stroke: color(index))
        }
        return "<div style=\"display:inline-block\">" + svg.markup + "</div>\n"
    }

    /// Exceptions on a time line, one row per kind: when raised and what became of them.
    static func timeline(_ day: DayReport) -> String {
        let kinds = Array(Set(day.moments.map(\.kind))).sorted { $0.rawValue < $1.rawValue }
        guard !kinds.isEmpty, let start = day.moments.map(\.at.seconds).min(), let end = day.world.clock?.seconds, end > start else {
            return "<p class=\"muted\">No exceptions.</p>\n"
        }
        let rowHeight = 18.0
        var svg = SVG(width: 1060, height: Int(Double(kinds.count) * rowHeight) + 40)
        let axis = TimeAxis(start: Double(start), end: Double(end), left: 170, right: 1050)
        axis.draw(into: &svg, top: 8, bottom: Double(kinds.count) * rowHeight + 12, offsetSeconds: day.world.utcOffsetSeconds)
        for (row, kind) in kinds.enumerated() {
            let y = 18 + Double(row) * rowHeight
            svg.text(164, y + 4, kind.rawValue, size: 11, anchor: "end")
            for m in day.moments where m.kind == kind {
                let fill: String
                switch m.what {
                case .raised: fill = muted
                case .autoResolved: fill = onTime
                case .escalated: fill = escalated
                case .approved, .rejected: fill = human
                case .defaulted: fill = late
                }
                let clock = ISOTime.clock(m.at, offsetSeconds: day.world.utcOffsetSeconds)
                svg.circle(axis.x(Double(m.at.seconds)), y, r: m.what == .raised ? 2.5 : 4, fill: fill,
                           title: "\(clock) \(m.exception) \(m.subject): \(m.what.rawValue) (\(m.by)) \(m.text)")
            }
        }
        return svg.markup + "\n"
    }

    static func exceptionTable(_ day: DayReport) -> String {
        var html = "<table><tr><th>kind</th><th>raised</th><th>by the core</th><th>escalated</th><th>approved</th><th>rejected</th><th>defaulted</th></tr>\n"
        for (kind, counts) in ReportFigures.byKind(day) {
            html += "<tr><td>\(SVG.escape(kind))</td>" + counts.map { "<td>\($0)</td>" }.joined() + "</tr>\n"
        }
        let people = day.moments.filter(\.what.isPeople)
        html += "</table>\n"
        guard !people.isEmpty else { return html }
        html += "<table><tr><th>time</th><th>case</th><th>kind</th><th>subject</th><th>decision</th><th>by</th><th>what</th></tr>\n"
        for m in people {
            html += "<tr><td>\(ISOTime.clock(m.at, offsetSeconds: day.world.utcOffsetSeconds))</td><td>\(SVG.escape(m.exception))</td><td>\(m.kind.rawValue)</td><td>\(SVG.escape(m.subject))</td><td>\(m.what.rawValue)</td><td>\(SVG.escape(m.by))</td><td style=\"text-align:left\">\(SVG.escape(m.text))</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// One lane per rider: the 06:00 plan's deliveries at their planned time (hollow), what the rider delivered
    /// at the time it did (filled: on time or late), and its planned orders another rider took (×).
    static func lanes(_ day: DayReport, limit: Int = 200) -> String {
        let riders = day.riders.filter { !$0.planned.isEmpty || $0.delivered > 0 }
        let times = riders.flatMap { r in r.planned.map(\.plannedETA.seconds) + r.added.map(\.at.seconds) + r.planned.compactMap(\.deliveredAt?.seconds) }
        guard let start = times.min(), let end = times.max(), end > start else { return "<p class=\"muted\">No deliveries planned or made.</p>\n" }
        let shown = Array(riders.prefix(limit))
        let rowHeight = 16.0
        var svg = SVG(width: 1060, height: Int(Double(shown.count) * rowHeight) + 40)
        let axis = TimeAxis(start: Double(start), end: Double(end), left: 90, right: 1050)
        axis.draw(into: &svg, top: 6, bottom: Double(shown.count) * rowHeight + 12, offsetSeconds: day.world.utcOffsetSeconds)
        let offset = day.world.utcOffsetSeconds
        for (row, rider) in shown.enumerated() {
            let y = 16 + Double(row) * rowHeight
            svg.text(84, y + 4, "\(rider.id) \(rider.channel.rawValue)", size: 10, anchor: "end")
            for stop in rider.planned {
                let x = axis.x(Double(stop.plannedETA.seconds))
                svg.circle(x, y, r: 3, fill: "none", stroke: muted, title: "\(stop.order) planned \(ISOTime.clock(stop.plannedETA, offsetSeconds: offset))")
                guard let at = stop.deliveredAt else { continue }
                if stop.deliveredBy == rider.id {
                    svg.circle(axis.x(Double(at.seconds)), y, r: 3, fill: stop.late ? late : onTime,
                               title: "\(stop.order) delivered \(ISOTime.clock(at, offsetSeconds: offset))\(stop.late ? ", late" : "")")
                } else {
                    svg.text(x, y + 4, "×", size: 11, anchor: "middle", fill: muted)
                }
            }
            for extra in rider.added {
                svg.circle(axis.x(Double(extra.at.seconds)), y, r: 3, fill: extra.late ? late : onTime,
                           title: "\(extra.order) delivered \(ISOTime.clock(extra.at, offsetSeconds: offset)) (not in its 06:00 plan)")
            }
        }
        var html = svg.markup + "\n"
        if riders.count > shown.count { html += "<p class=\"muted\">\(riders.count - shown.count) more riders not drawn.</p>\n" }
        return html
    }
}
