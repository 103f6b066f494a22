import TowerCore

/// Orders likely to miss their window, most likely first: the chance, the ETA with its P10–P90 range against the
/// window, the tier and the rider.
enum AtRiskPane {
    static func render(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) -> BoardModel.HitArea {
        let world = c.snapshot.world
        let items = c.rows.atRisk
        let body = c.title("At-risk orders (\(items.count))", pane: .atRisk, in: rect, into: &buffer)
        guard body.height > 1 else { return BoardModel.HitArea(pane: rect) }
        // Wide: the P50 ETA, its P10–P90 range, the slack and the whole window. Narrow (80 columns): the range
        // against the window's end, the slack as a glyph.
        let wide = body.width >= 64
        let header = wide ? "order    tier rider  risk eta   p10–p90      slack   window" : "order    tier rider  risk arrives      due"
        buffer.put(header, x: body.x + 1, y: body.y, style: c.theme[.muted], maxWidth: body.width - 1)
        let list = Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1)
        if items.isEmpty {
            buffer.put("  nothing at risk", x: list.x, y: list.y, style: c.theme[.ok], maxWidth: list.width)
            return BoardModel.HitArea(pane: rect)
        }
        let selected = c.model.selectedIndex(.atRisk, in: items.map(\.order))
        let offset = c.scrollOffset(selected: selected, visible: list.height)
        let area = BoardModel.HitArea(pane: rect, rows: list, offset: offset)
        for (row, item) in items.dropFirst(offset).prefix(list.height).enumerated() {
            let y = list.y + row
            let isSelected = c.model.focus == .atRisk && offset + row == selected
            let base = isSelected ? c.theme[.selected] : c.theme[.text]
            buffer.fill(Rect(x: list.x, y: y, width: list.width, height: 1), style: base)
            var x = list.x + 1
            func cell(_ text: String, _ width: Int, _ style: Style? = nil) {
                x += buffer.put(Format.pad(text, width), x: x, y: y, style: style.map { LanesPane.merge($0, base, isSelected) } ?? base,
                                maxWidth: list.maxX - x)
            }
            cell(item.order, 9)
            cell(Format.tier(item.tier), 5, item.tier == .critical ? c.theme[.critical] : nil)
            cell(item.rider ?? "—", 7)
            cell(Format.chance(item.probability), 5, item.probability >= 0.5 ? c.theme[.late] : c.theme[.tight])
            let range = item.etaRange.map { Format.clock($0.lowerBound, world) + "–" + Format.clock($0.upperBound, world) } ?? "no rider"
            let marker = item.slack < 0 ? c.glyphs.lateStop : c.glyphs.tightStop
            if wide {
                cell(item.eta.map { Format.clock($0, world) } ?? "none", 6)
                cell(range, 13)
                cell(marker + " " + Format.minutes(item.slack), 8, c.slackStyle(item.slack))
                cell(Format.clock(item.window.start, world) + "–" + Format.clock(item.window.end, world), 11)
            } else {
                cell(range, 13)
                cell(marker + " " + Format.clock(item.window.end, world), 7, c.slackStyle(item.slack))
            }
        }
        return area
    }
}
