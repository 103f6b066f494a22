import TowerCore

/// The exception queue: escalations waiting for a decision (with their best option and the time left), then
/// cases only observed, then the latest cases the core resolved itself, with the action and the reason. The
/// resolved lines are rows too, after the open cases: selected and opened like them (a decision on one is refused,
/// as on any case not waiting).
enum ExceptionsPane {
    /// Draws the pane; returns where its rows are and the ids of the resolved cases drawn (rows after the open ones).
    static func render(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) -> (area: BoardModel.HitArea, resolved: [String]) {
        let world = c.snapshot.world
        let open = c.rows.exceptions
        let waiting = open.filter { $0.state == .escalated }.count
        let body = c.title("Exceptions · \(waiting) waiting, \(open.count - waiting) watched", pane: .exceptions, in: rect, into: &buffer)
        guard body.height > 0 else { return (BoardModel.HitArea(pane: rect), []) }
        var y = body.y
        let shown = min(open.count, max(0, body.height * 2 / 3 / 2))
        // The resolved lines' place follows from how many open rows fit (a scroll keeps that many drawn), so the
        // rows to select among are known before any is drawn.
        let resolvedTop = body.y + 2 * shown + (open.isEmpty ? 1 : 0) + 1
        let decisionsEnd = resolvedTop + max(1, (body.maxY - resolvedTop) / 2)
        let resolved = resolvedTop < body.maxY
            ? world.latestClosedCases(max(0, min(decisionsEnd, body.maxY) - resolvedTop)) { PaneRows.keeps($0, c.model) } : []
        let selected = c.model.selectedIndex(.exceptions, in: open.map(\.id) + resolved.map(\.id))
        let focused = c.model.focus == .exceptions
        let offset = c.scrollOffset(selected: min(selected, max(0, open.count - 1)), visible: shown)
        var area = BoardModel.HitArea(pane: rect, rows: Rect(x: body.x, y: body.y, width: body.width, height: 2 * min(shown, max(0, open.count - offset))),
                                      offset: offset, rowHeight: 2)
        area.tail = BoardModel.HitArea.Tail(rows: Rect(x: body.x, y: resolvedTop, width: body.width, height: resolved.count), first: open.count)
        for (row, exception) in open.dropFirst(offset).prefix(shown).enumerated() {
            let isSelected = focused && offset + row == selected
            let base = isSelected ? c.theme[.selected] : c.theme[.text]
            buffer.fill(Rect(x: body.x, y: y, width: body.width, height: 2), style: base)
            var x = body.x
            if let deadline = exception.deadline {
                let left = max(0, deadline - c.snapshot.now)
                let style = isSelected ? base : (left < 300 ? c.theme[.late] : c.theme[.tight])
                x += buffer.put(" \(c.glyphs.waiting) \(Format.pad(countdown(left), 6))", x: x, y: y, style: style)
            } else {
                x += buffer.put(" \(c.glyphs.watching)       ", x: x, y: y, style: isSelected ? base : c.theme[.muted])
            }
            let others = exception.covering.isEmpty ? "" : " +\(exception.covering.count)"
            buffer.put(" \(exception.id) \(exception.kind.words) \(exception.subject)\(others): \(exception.detail)", x: x, y: y, style: base,
                       maxWidth: body.maxX - x)
            let second: String
            if let first = exception.options.first {
                let picked = c.model.pickedOption[exception.id] ?? 1
                let option = exception.options.indices.contains(picked - 1) ? exception.options[picked - 1] : first
                let lead = "      [\(picked)/\(exception.options.count)] "
                second = lead + fitted(option, width: body.width - CharacterWidth.of(lead))
            } else {
                second = "      raised \(Format.clock(exception.raisedAt, world)), observed only"
            }
            buffer.put(second, x: body.x, y: y + 1, style: isSelected ? base : c.theme[.muted], maxWidth: body.width)
            y += 2
        }
        if open.isEmpty {
            buffer.put("  nothing waiting", x: body.x, y: y, style: c.theme[.ok], maxWidth: body.width)
            y += 1
        }
        if y < body.maxY {
            buffer.put(" resolved by the core", x: body.x, y: y, style: c.theme[.muted], maxWidth: body.width)
            y += 1
        }
        // The latest decisions take the upper half of what is left, the latest notable events the rest.
        for (row, exception) in resolved.enumerated() where y < min(decisionsEnd, body.maxY) {
            let why = exception.state == .autoResolved ? (exception.rule ?? "") : "\(exception.state.rawValue) by \(exception.decidedBy ?? "?")"
            let style = focused && open.count + row == selected ? c.theme[.selected] : c.theme[.text]
            buffer.putPadded("  \(Format.clock(exception.resolvedAt!, world)) \(exception.subject) → \((exception.resolution ?? .action(.none)).words) · \(why)",
                             x: body.x, y: y, width: body.width, style: style)
            y += 1
        }
        if y < body.maxY, !c.snapshot.recent.isEmpty {
            buffer.put(" recent", x: body.x, y: y, style: c.theme[.muted], maxWidth: body.width)
            y += 1
        }
        for line in c.snapshot.recent where y < body.maxY {
            buffer.put("  " + line, x: body.x, y: y, style: c.theme[.text], maxWidth: body.width)
            y += 1
        }
        return (area, resolved.map(\.id))
    }

    /// An option in `width` columns, its effect (cost, late) never cut before what it does is. The whole sentence
    /// when it fits; else its action shortened (`…`) before the effect while enough of the action stays to read;
    /// else the action in brief (`Remedy.brief`: the case's line above names the subject) with the effect, then with
    /// the effect in figures alone. At 120 columns the pane's line has about 35: the sentence's effect alone took 40,
    /// and the line said what it cost but not what it did.
    static func fitted(_ option: EscalationOption, width: Int) -> String {
        let summary = option.summary
        guard CharacterWidth.of(summary) > width else { return summary }
        if summary.hasSuffix(")"), let open = summary.range(of: " (", options: .backwards) {
            let impact = String(summary[open.lowerBound...])
            if width - CharacterWidth.of(impact) - 1 >= actionKept { return shortened(String(summary[..<open.lowerBound]), before: impact, width: width) }
            let brief = option.action.brief + impact
            if CharacterWidth.of(brief) <= width { return brief }
        }
        var figures = String(format: "%+.2f", option.costDelta)
        if let before = option.lateBefore, let after = option.lateAfter { figures += ", late \(before)→\(after)" }
        return shortened(option.action.brief, before: " (\(figures))", width: width)
    }

    /// Columns of an action's words kept, at least, before the sentence gives way to the brief form.
    static let actionKept = 24

    /// `what` cut (with `…`) so that it and `end` fit in `width`; `end` alone (its leading space dropped) when not
    /// even four columns of `what` would stay.
    private static func shortened(_ what: String, before end: String, width: Int) -> String {
        guard CharacterWidth.of(what) + CharacterWidth.of(end) > width else { return what + end }
        let room = width - CharacterWidth.of(end) - 1
        guard room >= 4 else { return String(end.drop { $0 == " " }) }
        var what = what
        while CharacterWidth.of(what) > room { what.removeLast() }
        return what + "…" + end
    }

    /// `9m05` for minutes and seconds left.
    static func countdown(_ seconds: Int64) -> String { "\(seconds / 60)m\(Format.two(Int(seconds % 60)))" }
}
