import TowerCore

/// Draws a whole frame: the board or a drill-down, the header and the status line.
public enum BoardView {
    public static let minimumWidth = 80
    public static let minimumHeight = 24

    /// Renders `snapshot` as `model` says into `buffer`, and returns the ids of each pane's rows.
    @discardableResult
    public static func render(_ snapshot: BoardSnapshot, model: BoardModel, theme: Theme, glyphs: Glyphs, into buffer: inout ScreenBuffer) -> BoardModel.Rows {
        buffer.fill(buffer.area, style: theme[.text])
        guard buffer.width >= minimumWidth, buffer.height >= minimumHeight else {
            renderTooSmall(into: &buffer, theme: theme)
            return BoardModel.Rows()
        }
        let lists = model.screen == .board ? PaneRows.build(snapshot, model: model) : PaneRows()
        let context = PaneContext(snapshot: snapshot, model: model, theme: theme, glyphs: glyphs, rows: lists)
        renderHeader(context, into: &buffer)
        // The demo's caption, when there is one, on its own line above the status line.
        let caption = shownCaption(snapshot, model)
        let body = Rect(x: 0, y: 2, width: buffer.width, height: buffer.height - 3 - (caption == nil ? 0 : 1))
        if let caption {
            buffer.putPadded(" \(glyphs.playing) " + caption, x: 0, y: buffer.height - 2, width: buffer.width,
                             style: Style(fg: theme[.accent].fg, bg: theme[.status].bg, bold: true))
        }
        var rows = BoardModel.Rows()
        rows.lanes = lists.lanes
        rows.atRisk = lists.atRisk.map(\.order)
        rows.exceptions = lists.exceptions.map(\.id)
        rows.costLimit = snapshot.costLimit
        rows.costUnit = snapshot.world.costUnit
        if model.commandLine != nil { rows.world = snapshot.world }
        for exception in snapshot.world.escalatedCases {
            rows.optionCosts[exception.id] = exception.options.map(\.costDelta)
            rows.optionAddsLate[exception.id] = exception.options.map { ($0.lateAfter ?? 0) - ($0.lateBefore ?? 0) }
            rows.optionWaives[exception.id] = exception.options.map { $0.action.kind == .waive }
        }
        switch model.screen {
        case .board:
            if buffer.width >= 160 {
                let (left, right) = body.left(buffer.width * 3 / 5)
                let (top, bottom) = right.top(right.height / 2)
                rows.areas[.lanes] = LanesPane.render(context, in: left, into: &buffer)
                rows.areas[.atRisk] = AtRiskPane.render(context, in: top, into: &buffer)
                let queue = ExceptionsPane.render(context, in: bottom, into: &buffer)
                rows.areas[.exceptions] = queue.area
                rows.exceptions += queue.resolved
            } else {
                let (top, bottom) = body.top(body.height * 11 / 20)
                let (left, right) = bottom.left(max(bottom.width * 3 / 5, 48))
                rows.areas[.lanes] = LanesPane.render(context, in: top, into: &buffer)
                rows.areas[.atRisk] = AtRiskPane.render(context, in: left, into: &buffer)
                let queue = ExceptionsPane.render(context, in: right, into: &buffer)
                rows.areas[.exceptions] = queue.area
                rows.exceptions += queue.resolved
            }
        case let .rider(id):
            DetailViews.rider(id, context, in: breadcrumb(context, in: body, into: &buffer), into: &buffer)
        case let .order(id):
            DetailViews.order(id, context, in: breadcrumb(context, in: body, into: &buffer), into: &buffer)
            rows.linked = snapshot.world.orders[id]?.rider.map { .rider($0) }
        case let .exception(id):
            DetailViews.exception(id, context, in: breadcrumb(context, in: body, into: &buffer), into: &buffer)
            rows.linked = snapshot.world.exceptions[id].flatMap { exception in
                snapshot.world.orders[exception.subject] != nil ? .order(exception.subject)
                    : snapshot.world.riders[exception.subject] != nil ? .rider(exception.subject) : nil
            }
            if let exception = snapshot.world.exceptions[id], !exception.covering.isEmpty, let linked = rows.linked {
                rows.links = [linked] + exception.covering.map { .order($0) }  // orders the world checked exist
            }
        case .help:
            rows.helpMaxScroll = DetailViews.help(context, in: body, into: &buffer)
        case .map:
            MapView.render(context, in: body, into: &buffer)
        case .metrics:
            MetricsView.render(context, in: body, into: &buffer)
        }
        renderStatus(context, into: &buffer)
        return rows
    }

    /// The caption shown: the snapshot's, on the board itself (a drill-down keeps its room).
    private static func shownCaption(_ snapshot: BoardSnapshot, _ model: BoardModel) -> String? {
        model.screen == .board ? snapshot.caption : nil
    }

    /// The path enter took to this drill-down (`board › E-0012 › R05`), on the body's first row; returns the rest.
    private static func breadcrumb(_ c: PaneContext, in body: Rect, into buffer: inout ScreenBuffer) -> Rect {
        let names = (c.model.trail + [c.model.screen]).map { screen -> String in
            switch screen {
            case .board: return "board"
            case let .rider(id), let .order(id), let .exception(id): return TextSanitizer.clean(id)
            case .help: return "help"
            case .map: return "map"
            case .metrics: return "metrics"
            }
        }
        buffer.putPadded(" " + names.joined(separator: " › "), x: body.x, y: body.y, width: body.width, style: c.theme[.muted])
        return Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1)
    }

    /// A frame for the time before the board can draw the day (the demo making its plan): the name and what is
    /// being done, centred.
    public static func renderLoading(_ what: String, theme: Theme, into buffer: inout ScreenBuffer) {
        buffer.fill(buffer.area, style: theme[.text])
        let lines = ["TOWER", ""] + wrap(what, width: max(10, buffer.width - 4))
        let top = max(0, (buffer.height - lines.count) / 2)
        for (index, line) in lines.enumerated() where top + index < buffer.height {
            buffer.put(line, x: max(0, (buffer.width - CharacterWidth.of(line)) / 2), y: top + index, style: index == 0 ? theme[.accent] : theme[.muted])
        }
    }

    static func renderTooSmall(into buffer: inout ScreenBuffer, theme: Theme) {
        guard buffer.width > 0, buffer.height > 0 else { return }
        let message = "terminal too small: need \(minimumWidth)x\(minimumHeight), have \(buffer.width)x\(buffer.height)"
        let lines = wrap(message, width: buffer.width) + wrap("enlarge the window, or press q to quit", width: buffer.width)
        let top = max(0, (buffer.height - lines.count) / 2)
        let messageLines = wrap(message, width: buffer.width).count
        for (index, line) in lines.enumerated() where top + index < buffer.height {
            let x = max(0, (buffer.width - CharacterWidth.of(line)) / 2)
            buffer.put(line, x: x, y: top + index, style: index < messageLines ? theme[.late] : theme[.muted])
        }
    }

    /// Splits text into lines of at most `width` columns at spaces (a longer word is cut).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ") {
            let candidate = current.isEmpty ? String(word) : current + " " + word
            if CharacterWidth.of(candidate) <= width || current.isEmpty {
                current = candidate
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        if !current.isEmpty { lines.append(current) }
        return lines
    }

    private static func renderHeader(_ c: PaneContext, into buffer: inout ScreenBuffer) {
        let world = c.snapshot.world
        let play = c.model.paused ? "\(c.glyphs.paused) paused"
            : c.model.held.map { "\(c.glyphs.playing) \($0)" } ?? "\(c.glyphs.playing) ×\(speedText(c.model.speed))"
        let clock = Format.clockSeconds(c.snapshot.now, world), dated = Format.day(c.snapshot.now, world) + " " + clock
        var left = " TOWER  \(world.name)  \(dated)  \(play)  \(c.snapshot.source)"
        left += "  dead-letter \(c.snapshot.deadLetters)"
        if c.model.readonly { left += "  READ-ONLY" }
        let headerStyle = c.model.flashing ? Style(fg: c.theme[.header].bg, bg: c.theme[.late].fg, bold: true) : c.theme[.header]
        buffer.putPadded(left, x: 0, y: 0, width: buffer.width, style: headerStyle)
        // Who is at the board and the wall clock on the right; in a narrow terminal who alone: a decision's author
        // and role matter more than the time of day.
        let wall = "wall \(c.snapshot.wallClock) "
        let who = "\(c.model.operatorName) (\(c.model.role.rawValue))  "
        if let right = [who + wall, who].first(where: { CharacterWidth.of(left) + 2 + CharacterWidth.of($0) <= buffer.width }) {
            buffer.put(right, x: buffer.width - CharacterWidth.of(right), y: 0, style: headerStyle)
        } else {
            // Too narrow for all: the source, then the date, then the dead letters (unless there are some), give way
            // to who is deciding.
            let readonly = c.model.readonly ? "  READ-ONLY" : ""
            let base = " TOWER  \(world.name)  \(clock)  \(play)" + readonly
            let letters = c.snapshot.deadLetters > 0 ? "  dead-letter \(c.snapshot.deadLetters)" : ""
            var short = [" TOWER  \(world.name)  \(dated)  \(play)" + readonly + letters, base + letters, base]
                .first { CharacterWidth.of($0) + 2 + CharacterWidth.of(who) <= buffer.width } ?? base
            // The source in what room is left, cut with … rather than dropped while a few words of it fit.
            let room = buffer.width - CharacterWidth.of(short) - 2 - CharacterWidth.of(who) - 2
            if room >= 12 {
                let source = c.snapshot.source
                short += "  " + (CharacterWidth.of(source) <= room ? source : String(source.prefix(room - 1)) + "…")
            }
            buffer.putPadded(short, x: 0, y: 0, width: buffer.width, style: headerStyle)
            let right = CharacterWidth.of(short) + 2 + CharacterWidth.of(who) <= buffer.width ? who : String(who.prefix(max(0, buffer.width - CharacterWidth.of(short) - 2)))
            buffer.put(right, x: buffer.width - CharacterWidth.of(right), y: 0, style: headerStyle)
        }

        // The KPIs as the trend keeps them; a snapshot without a trend (no journal history) counts from the world.
        let kpis = c.snapshot.kpis ?? KPISample(at: c.snapshot.now, report: RunReport(world: world, recorder: KPIRecorder(planLock: c.snapshot.now),
                                                                                       policy: "", seed: 0))
        let hourAgo = c.snapshot.trend.last { $0.at <= kpis.at - 3600 }
        // Narrow terminals get short labels and whole percentages; the figures are then chosen by importance
        // (the day's done and at-risk counts and the waiting escalations first, then the five KPIs, then the rest)
        // and drawn in their usual order; a figure that does not fit whole is left out rather than cut.
        let narrow = buffer.width < 120
        let gap = buffer.width >= 120 ? "   " : (narrow && buffer.width < 100 ? " " : "  ")
        var stats: [(label: String, value: String, style: Style, priority: Int)] = []
        func stat(_ label: String, _ value: String, _ style: Style, _ priority: Int) { stats.append((label, value, style, priority)) }
        func percent(_ value: Double) -> String { narrow ? String(format: "%.0f%%", value * 100) : MetricsView.percent(value) }
        /// A KPI with its change over the last hour: an arrow, green when better, amber when worse; `—` while it
        /// has nothing to count.
        func kpi(_ label: String, _ value: (KPISample) -> Double, _ text: String, higherIsBetter: Bool, priority: Int,
                 counted: (KPISample) -> Bool = { $0.countsDeliveries }) {
            if !counted(kpis) { return stat(label, "—", c.theme[.muted], priority) }
            // An hour ago with nothing to count has no value to compare with (not 0: the arrow would say "rising").
            guard let before = hourAgo.flatMap({ counted($0) ? value($0) : nil }) else { return stat(label, text, c.theme[.text], priority) }
            let now = value(kpis)
            let arrow = abs(now - before) < 1e-9 ? c.glyphs.steady : (now > before ? c.glyphs.rising : c.glyphs.falling)
            let style = abs(now - before) < 1e-9 ? c.theme[.text] : ((now > before) == higherIsBetter ? c.theme[.ok] : c.theme[.tight])
            stat(label, text + arrow, style, priority)
        }
        if c.snapshot.kpis != nil {
            kpi("ETA", { $0.etaAccuracyRate }, percent(kpis.etaAccuracyRate), higherIsBetter: true, priority: 3)
        }
        kpi("1st", { $0.firstAttemptRate }, percent(kpis.firstAttemptRate), higherIsBetter: true, priority: 4, counted: \.countsAttempts)
        if c.snapshot.kpis != nil {
            kpi(narrow ? "var" : "plan-var", { $0.planVariance }, percent(kpis.planVariance), higherIsBetter: false, priority: 5)
        }
        kpi(narrow ? "res" : "resolve", { $0.resolutionMedianSeconds }, MetricsView.duration(kpis.resolutionMedianSeconds), higherIsBetter: false,
            priority: 7, counted: \.countsResolutions)
        kpi(narrow ? "/drop" : "\(world.costUnit)/drop", { $0.costPerDelivery }, String(format: "%.2f", kpis.costPerDelivery), higherIsBetter: false, priority: 6)
        stat("done", "\(kpis.delivered)/\(world.orders.count)", c.theme[.text], 0)
        // Coloured by the state now: a fifth of the open orders at risk is red, any amber; a waiting escalation is red.
        let atRisk = c.snapshot.outlook.atRisk.count
        let open = max(1, world.orders.count - kpis.delivered - kpis.failed)
        stat(narrow ? "risk" : "at-risk", "\(atRisk)", atRisk == 0 ? c.theme[.ok] : atRisk * 5 >= open ? c.theme[.late] : c.theme[.tight], 1)
        let waiting = world.escalatedCases.count
        stat(narrow ? "wait" : "waiting", "\(waiting)", waiting == 0 ? c.theme[.ok] : c.theme[.late], 2)
        stat("late", "\(kpis.late)", kpis.late > 0 ? c.theme[.late] : c.theme[.ok], 8)
        if !kpis.countsDeliveries {
            stat("on-time", "—", c.theme[.muted], 9)
        } else {
            stat("on-time", MetricsView.percent(kpis.onTimeRate), kpis.late * 10 > kpis.delivered ? c.theme[.tight] : c.theme[.ok], 9)
        }
        stat("failed", "\(kpis.failed)", kpis.failed > 0 ? c.theme[.tight] : c.theme[.ok], 10)
        stat("unassigned", "\(kpis.unassigned)", kpis.unassigned > 0 ? c.theme[.late] : c.theme[.ok], 11)
        stat("km", String(Int(kpis.km)), c.theme[.text], 12)
        var room = buffer.width - 1
        var shown = Set<Int>()
        for index in stats.indices.sorted(by: { stats[$0].priority < stats[$1].priority }) {
            let columns = CharacterWidth.of(stats[index].label) + 1 + CharacterWidth.of(stats[index].value) + CharacterWidth.of(gap)
            guard columns - CharacterWidth.of(gap) <= room else { continue }
            room -= columns
            shown.insert(index)
        }
        var x = 1
        for (index, item) in stats.enumerated() where shown.contains(index) {
            x += buffer.put(item.label + " ", x: x, y: 1, style: c.theme[.muted])
            x += buffer.put(item.value, x: x, y: 1, style: item.style)
            x += buffer.put(gap, x: x, y: 1, style: c.theme[.text])
        }
    }

    private static func speedText(_ speed: Double) -> String {
        speed == speed.rounded() ? String(Int(speed)) : String(speed)
    }

    private static func renderStatus(_ c: PaneContext, into buffer: inout ScreenBuffer) {
        let y = buffer.height - 1
        let text: String
        var style = c.theme[.status]
        if let command = c.model.commandLine {
            text = ":" + command
        } else if let filter = c.model.filterLine {
            text = "/" + filter
        } else if let message = c.model.message {
            text = " " + message
            style = Style(fg: c.theme[.accent].fg, bg: style.bg, bold: true)
        } else {
            // Decision keys are hinted where they would answer a case: the queue with an escalation selected (not a
            // watched case or a resolved line after the open ones), or an escalated case's screen.
            let waiting: Bool
            switch c.model.screen {
            case .board: waiting = selectedOpenCase(c)?.state == .escalated
            case let .exception(id): waiting = c.snapshot.world.exceptions[id]?.state == .escalated
            default: waiting = true
            }
            text = Keymap.hints(in: c.model.keyContext, readonly: c.model.readonly, waiting: waiting)
        }
        buffer.putPadded(text, x: 0, y: y, width: buffer.width, style: style)
    }

    /// The open case the queue's selection is on; nil when it is on a resolved line (a selection whose case is not
    /// among the open ones) or the queue is empty. With nothing selected yet, the first row is.
    private static func selectedOpenCase(_ c: PaneContext) -> ExceptionCase? {
        let open = c.rows.exceptions
        if let selected = c.model.selection[.exceptions], !open.contains(where: { $0.id == selected.id }) { return nil }
        let index = c.model.selectedIndex(.exceptions, in: open.map(\.id))
        return open.indices.contains(index) ? open[index] : nil
    }
}

/// What every pane needs to draw.
struct PaneContext {
    let snapshot: BoardSnapshot
    let model: BoardModel
    let theme: Theme
    let glyphs: Glyphs
    /// The rows the panes list (see `PaneRows`).
    let rows: PaneRows

    /// Draws a pane's title row, highlighted when focused, and returns the area below it.
    /// A pane's title line, with its order and its filter (`· late↓ /gig`); returns the room under it.
    func title(_ text: String, pane: BoardModel.Pane?, in rect: Rect, into buffer: inout ScreenBuffer) -> Rect {
        let focused = pane.map { $0 == model.focus } ?? false
        let style = focused ? theme[.accent] : theme[.title]
        var line = (focused ? "▌" : " ") + text
        if let pane {
            line += "  · " + (model.sorts[pane] ?? PaneSort()).label(pane, glyphs: glyphs)
            if let filter = model.filters[pane] { line += "  /" + TextSanitizer.clean(filter.text) }
        }
        buffer.putPadded(line, x: rect.x, y: rect.y, width: rect.width, style: style)
        return Rect(x: rect.x, y: rect.y + 1, width: rect.width, height: rect.height - 1)
    }

    /// The first row to show so the selection stays visible.
    func scrollOffset(selected: Int, visible: Int) -> Int { visible <= 0 ? 0 : max(0, selected - visible + 1) }

    func slackStyle(_ slack: Int64) -> Style {
        slack < 0 ? theme[.late] : (slack < Outlook.margin ? theme[.tight] : theme[.ok])
    }
}
