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
        lines.append(column("", 36) + days.map { column(ReportFigures.label($0), width) }.joined())
        for row in ReportFigures.rows {
            lines.append(column(row.title, 36) + days.map { column(row.text($0), width) }.joined())
        }
        for day in days {
            lines.append("")
            lines.append("== \(ReportFigures.label(day)): exceptions by kind (raised, by the core, escalated, approved, rejected, defaulted)")
            for (kind, counts) in ReportFigures.byKind(day) {
                lines.append("  " + column(kind, 24) + counts.map { column(String($0), 6) }.joined())
            }
            let people = day.moments.filter(\.what.isPeople)
            lines.append("== \(ReportFigures.label(day)): decisions taken by people or deadlines (\(people.count))")
            for m in people {
                lines.append("  \(ISOTime.clock(m.at, offsetSeconds: day.world.utcOffsetSeconds)) \(m.exception) \(m.kind.rawValue) \(m.subject): \(m.what.rawValue) by \(m.by): \(TextSanitizer.clean(m.text))")
            }
            lines.append("== \(ReportFigures.label(day)): riders (06:00 plan: deliveries planned, of them done by the rider, done by another; done beyond the plan; late; attempts failed at the door; km; utilisation)")
            for r in day.riders where !r.planned.isEmpty || r.delivered > 0 || r.failed > 0 {
                let kept = r.planned.filter { $0.deliveredBy == r.id }.count
                let moved = r.planned.filter { $0.deliveredBy != nil && $0.deliveredBy != r.id }.count
                lines.append("  " + column(r.id, 8) + column(r.channel.rawValue, 5) + "planned \(column(String(r.planned.count), 4)) kept \(column(String(kept), 4)) moved \(column(String(moved), 4))"
                             + "added \(column(String(r.added.count), 4)) late \(column(String(r.late), 4)) attempts failed \(column(String(r.failed), 3)) km \(column(String(format: "%.0f", r.km), 5)) busy \(ReportFigures.percent(r.utilisation))")
            }
        }
        return lines
    }
}
