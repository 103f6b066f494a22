import TowerCore

/// The five KPIs (and the counts behind them) through the day so far: the value now, a sparkline of the samples
/// taken every 15 simulated minutes since the plan lock, and the range the line spans.
enum MetricsView {
    struct Row: Sendable {
        var label: String
        var value: @Sendable (KPISample) -> Double
        var text: @Sendable (Double) -> String
        /// Whether a higher value is better (for the colour of the change since an hour ago).
        var higherIsBetter: Bool
        /// Whether a sample has anything for it to count (see `KPISample.countsDeliveries`); counts always do.
        var counted: @Sendable (KPISample) -> Bool = { _ in true }
    }

    static let rows: [Row] = [
        Row(label: "ETA accuracy (±10 min)", value: { $0.etaAccuracyRate }, text: percent, higherIsBetter: true, counted: \.countsDeliveries),
        Row(label: "first-attempt rate", value: { $0.firstAttemptRate }, text: percent, higherIsBetter: true, counted: \.countsAttempts),
        Row(label: "plan-to-execution variance", value: { $0.planVariance }, text: percent, higherIsBetter: false, counted: \.countsDeliveries),
        Row(label: "exception resolution (median)", value: { $0.resolutionMedianSeconds }, text: duration, higherIsBetter: false,
            counted: \.countsResolutions),
        Row(label: "cost per delivery", value: { $0.costPerDelivery }, text: { String(format: "%.2f", $0) }, higherIsBetter: false,
            counted: \.countsDeliveries),
        Row(label: "on-time rate", value: { $0.onTimeRate }, text: percent, higherIsBetter: true, counted: \.countsDeliveries),
        Row(label: "delivered", value: { Double($0.delivered) }, text: { String(Int($0)) }, higherIsBetter: true),
        Row(label: "late", value: { Double($0.late) }, text: { String(Int($0)) }, higherIsBetter: false),
        Row(label: "failed", value: { Double($0.failed) }, text: { String(Int($0)) }, higherIsBetter: false),
    ]

    static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }

    static func duration(_ seconds: Double) -> String {
        seconds < 90 ? "\(Int(seconds))s" : seconds < 5400 ? "\(Int((seconds / 60).rounded()))m" : String(format: "%.1fh", seconds / 3600)
    }

    static func render(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) {
        let world = c.snapshot.world
        let samples = c.snapshot.trend
        let since = samples.first.map { " since \(Format.clock($0.at, world))" } ?? ""
        let body = c.title("Metrics: the KPIs\(since), a mark every 15 minutes", pane: nil, in: rect, into: &buffer)
        guard body.height > 2, let now = c.snapshot.kpis else { return }
        let labelWidth = 30, valueWidth = 8, rangeWidth = 20
        let lineWidth = max(0, body.width - labelWidth - valueWidth - rangeWidth - 5)
        buffer.put("kpi", x: body.x + 1, y: body.y, style: c.theme[.muted])
        buffer.put("now", x: body.x + 1 + labelWidth, y: body.y, style: c.theme[.muted])
        buffer.put("\(samples.first.map { Format.clock($0.at, world) } ?? "") → now", x: body.x + 2 + labelWidth + valueWidth, y: body.y, style: c.theme[.muted], maxWidth: lineWidth)
        // The colour of "now" says whether the last hour made it better or worse.
        let hourAgo = samples.last { $0.at <= now.at - 3600 }
        for (index, row) in rows.enumerated() where body.y + 2 + index * 2 < body.maxY {
            let y = body.y + 2 + index * 2
            var x = body.x + 1
            buffer.put(row.label, x: x, y: y, style: c.theme[.text], maxWidth: labelWidth - 1)
            x += labelWidth
            // Nothing to count yet: "—" and no line (a rate of nothing is not 0%); the line is blank before its first
            // count, so the marks of every row stay under the same times.
            guard row.counted(now) else {
                buffer.put("—", x: x, y: y, style: c.theme[.muted], maxWidth: valueWidth)
                continue
            }
            let value = row.value(now)
            let style: Style
            if let before = hourAgo.flatMap({ row.counted($0) ? row.value($0) : nil }), before != value {
                style = (value > before) == row.higherIsBetter ? c.theme[.ok] : c.theme[.tight]
            } else {
                style = c.theme[.text]
            }
            buffer.put(row.text(value), x: x, y: y, style: style, maxWidth: valueWidth)
            x += valueWidth + 1
            let marks: [Double?] = samples.map { row.counted($0) ? row.value($0) : nil } + [value]
            let line = sparkline(Array(marks.suffix(lineWidth)), unicode: c.glyphs.driving == Glyphs.unicode.driving)
            buffer.put(line, x: x, y: y, style: c.theme[.accent], maxWidth: lineWidth)
            x += lineWidth + 1
            let values = marks.compactMap { $0 }
            if let low = values.min(), let high = values.max() {
                buffer.put("\(row.text(low)) – \(row.text(high))", x: x, y: y, style: c.theme[.muted], maxWidth: rangeWidth)
            }
        }
        let resolution = ResolutionTimes(world.exceptions.values)
        let figures = ResolutionTimes.Resolver.allCases.compactMap { resolver in resolution.byResolver[resolver].map { (resolver, $0) } }
        let long = " resolution by who: " + figures.map { "\($0.rawValue) \($1.count) · median \(duration($1.median)) · P90 \(duration($1.p90))" }
            .joined(separator: "   ")
        let short = " resolved (median/P90): " + figures.map { "\($0.rawValue) \($1.count) \(duration($1.median))/\(duration($1.p90))" }
            .joined(separator: "  ")
        let line = figures.isEmpty ? " resolution by who: nothing resolved yet" : (CharacterWidth.of(long) <= body.width ? long : short)
        buffer.put(line, x: body.x, y: body.maxY - 1, style: c.theme[.muted], maxWidth: body.width)
        if let eta = c.snapshot.learnedETA, body.height > 3 {
            let text = String(format: " learned ETA, online: travel MAE %.1f min over the last %d legs (distance over speed: %.1f min); %d legs learned today",
                              eta.mae / 60, eta.legs, eta.baselineMAE / 60, eta.learned)
            buffer.put(text, x: body.x, y: body.maxY - 2, style: c.theme[.muted], maxWidth: body.width)
        }
    }

    /// One block per value, scaled between the values' minimum and maximum (a flat line sits at the bottom); a
    /// blank where there is no value.
    static func sparkline(_ values: [Double?], unicode: Bool) -> String {
        let levels: [Character] = unicode ? ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"] : ["_", ".", "-", "~", "=", "+", "*", "#"]
        let known = values.compactMap { $0 }
        guard let low = known.min(), let high = known.max() else { return "" }
        let span = high - low
        return String(values.map { value in
            guard let value else { return " " }
            return span <= 0 ? levels[0] : levels[min(levels.count - 1, Int((value - low) / span * Double(levels.count - 1) + 0.5))]
        })
    }
}
