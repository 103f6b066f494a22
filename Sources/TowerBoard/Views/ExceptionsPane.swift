import TowerCore

/// Open exceptions (pending escalations first), then the latest notable events.
enum ExceptionsPane {
    static func render(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) -> [String] {
        let world = c.snapshot.world
        let open = world.exceptions.values.filter(\.isPending)
            .sorted { ($0.state == .escalated ? 0 : 1, $0.raisedAt, $0.id) < ($1.state == .escalated ? 0 : 1, $1.raisedAt, $1.id) }
        let body = c.title("Exceptions (\(open.count) open)", pane: .exceptions, in: rect, into: &buffer)
        guard body.height > 0 else { return open.map(\.id) }
        var y = body.y
        let selected = c.model.selectedIndex(.exceptions, count: open.count)
        let shown = min(open.count, max(0, body.height / 2))
        let offset = c.scrollOffset(selected: selected, visible: shown)
        for (row, exception) in open.dropFirst(offset).prefix(shown).enumerated() {
            let isSelected = c.model.focus == .exceptions && offset + row == selected
            let base = isSelected ? c.theme[.selected] : c.theme[.text]
            buffer.fill(Rect(x: body.x, y: y, width: body.width, height: 1), style: base)
            let age = Format.minutes(c.snapshot.now - exception.raisedAt)
            buffer.put(" \(exception.kind) \(exception.subject) \(age) \(exception.detail)", x: body.x, y: y, style: base, maxWidth: body.width)
            y += 1
        }
        if open.isEmpty {
            buffer.put("  no open exceptions", x: body.x, y: y, style: c.theme[.ok], maxWidth: body.width)
            y += 1
        }
        if y < body.maxY {
            buffer.put(" recent", x: body.x, y: y, style: c.theme[.muted], maxWidth: body.width)
            y += 1
        }
        for line in c.snapshot.recent where y < body.maxY {
            buffer.put("  " + line, x: body.x, y: y, style: c.theme[.text], maxWidth: body.width)
            y += 1
        }
        return open.map(\.id)
    }
}
