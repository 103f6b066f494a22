import TowerCore

/// Orders likely to miss their window, most likely first: the chance, the ETA, the slack and the window.
enum AtRiskPane {
    static func render(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) -> [String] {
        let world = c.snapshot.world
        let items = c.snapshot.outlook.atRisk.filter { item in
            guard let filter = c.model.filter else { return true }
            let zone = world.orders[item.order]?.zone ?? ""
            let channel = item.rider.flatMap { world.riders[$0]?.profile.channel.rawValue } ?? ""
            return filter.keeps([item.order, item.rider ?? "", zone, channel, item.tier.rawValue])
        }
        let body = c.title("At-risk orders (\(items.count))", pane: .atRisk, in: rect, into: &buffer)
        guard body.height > 1 else { return items.map(\.order) }
        buffer.put("order    tier rider  risk eta   slack   window", x: body.x + 1, y: body.y, style: c.theme[.muted], maxWidth: body.width - 1)
        let list = Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1)
        if items.isEmpty {
            buffer.put("  nothing at risk", x: list.x, y: list.y, style: c.theme[.ok], maxWidth: list.width)
            return []
        }
        let selected = c.model.selectedIndex(.atRisk, count: items.count)
        let offset = c.scrollOffset(selected: selected, visible: list.height)
        for (row, item) in items.dropFirst(offset).prefix(list.height).enumerated() {
            let y = list.y + row
            let isSelected = c.model.focus == .atRisk && offset + row == selected
            let base = isSelected ? c.theme[.selected] : c.theme[.text]
            buffer.fill(Rect(x: list.x, y: y, width: list.width, height: 1), style: base)
            var x = list.x + 1
            x += buffer.put(Format.pad(item.order, 9), x: x, y: y, style: base, maxWidth: list.maxX - x)
            let tierStyle = item.tier == .critical ? c.theme[.critical] : base
            x += buffer.put(Format.pad(Format.tier(item.tier), 5), x: x, y: y, style: LanesPane.merge(tierStyle, base, isSelected), maxWidth: list.maxX - x)
            x += buffer.put(Format.pad(item.rider ?? "—", 7), x: x, y: y, style: base, maxWidth: list.maxX - x)
            x += buffer.put(Format.pad("\(Int((item.probability * 100).rounded()))%", 5), x: x, y: y,
                            style: LanesPane.merge(item.probability >= 0.5 ? c.theme[.late] : c.theme[.tight], base, isSelected), maxWidth: list.maxX - x)
            x += buffer.put(Format.pad(item.eta.map { Format.clock($0, world) } ?? "none", 6), x: x, y: y, style: base, maxWidth: list.maxX - x)
            let marker = item.slack < 0 ? c.glyphs.lateStop : c.glyphs.tightStop
            x += buffer.put(Format.pad(marker + " " + Format.minutes(item.slack), 8), x: x, y: y,
                            style: LanesPane.merge(c.slackStyle(item.slack), base, isSelected), maxWidth: list.maxX - x)
            buffer.put(Format.clock(item.window.start, world) + "–" + Format.clock(item.window.end, world), x: x, y: y,
                       style: base, maxWidth: list.maxX - x)
        }
        return items.map(\.order)
    }
}
