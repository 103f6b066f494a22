import TowerCore

/// The day report for the terminal: the figures side by side (one column per journal), then for each journal the
/// exceptions by kind, the people's decisions and the riders' plan against their day.
enum ReportText {
    static func lines(_ days: [DayReport]) -> [String] {
        var lines: [String] = []
        for day in days {
            let w = day.world
            let span = [day.firstEvent, w.clock].compactMap { $0 }.map { ISOTime.clock($0, offsetSeconds: w.utcOffsetSeconds) }.joined(separator: "–")
            lines.append("\(ReportFigures.label(day)): \(TextSanitizer.clean(w.name)) seed \(w.seed.map(String.init) ?? "-"), \(span), \(day.events) events (\(day.journal))")
        }
        let cells = days.map(ReportFigures.label) + ReportFigures.rows.flatMap { row in days.map(row.text) }
        let width = max(14, cells.map(\.count).max() ?? 0) + 2
        lines.append("")
        lines.append(pad("", 36) + days.map { pad(ReportFigures.label($0), width) }.joined())
        for row in ReportFigures.rows {
            lines.append(pad(row.title, 36) + days.map { pad(row.text($0), width) }.joined())
        }
        for day in days {
            lines.append("")
            lines.append("== \(ReportFigures.label(day)): exceptions by kind (raised, by the core, escalated, approved, rejected, defaulted)")
            for (kind, counts) in ReportFigures.byKind(day) {
                lines.append("  " + pad(kind, 24) + counts.map { pad(String($0), 6) }.joined())
            }
            let people = day.moments.filter { ["approved", "rejected", "defaulted"].contains($0.what) }
            lines.append("== \(ReportFigures.label(day)): decisions taken by people or deadlines (\(people.count))")
            for m in people {
                lines.append("  \(ISOTime.clock(m.at, offsetSeconds: day.world.utcOffsetSeconds)) \(m.exception) \(m.kind) \(m.subject): \(m.what) by \(m.by): \(TextSanitizer.clean(m.text))")
            }
            lines.append("== \(ReportFigures.label(day)): riders (06:00 plan: deliveries planned, of them done by the rider, done by another; done beyond the plan; late; failed; km; utilisation)")
            for r in day.riders where !r.planned.isEmpty || r.delivered > 0 || r.failed > 0 {
                let kept = r.planned.filter { $0.deliveredBy == r.id }.count
                let moved = r.planned.filter { $0.deliveredBy != nil && $0.deliveredBy != r.id }.count
                lines.append("  " + pad(r.id, 8) + pad(r.channel.rawValue, 5) + "planned \(pad(String(r.planned.count), 4)) kept \(pad(String(kept), 4)) moved \(pad(String(moved), 4))"
                             + "added \(pad(String(r.added.count), 4)) late \(pad(String(r.late), 4)) failed \(pad(String(r.failed), 3)) km \(pad(String(format: "%.0f", r.km), 5)) busy \(ReportFigures.percent(r.utilisation))")
            }
        }
        return lines
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
