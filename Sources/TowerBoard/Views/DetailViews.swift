import TowerCore

/// Drill-down screens: one rider, one order, and the key help.
enum DetailViews {
    static func rider(_ id: String, _ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) {
        let world = c.snapshot.world
        guard let rider = world.riders[id] else {
            buffer.put(" rider \(id) is not known", x: rect.x, y: rect.y, style: c.theme[.late])
            return
        }
        let p = rider.profile
        let body = c.title("Rider \(id) · \(p.name)", pane: nil, in: rect, into: &buffer)
        let facts = [
            "status     \(c.glyphs.status(rider.status)) \(rider.status.rawValue)",
            "channel    \(p.channel.rawValue), \(p.vehicle.rawValue), hub \(p.hub), zone \(p.zone)",
            "shift      \(Format.clock(p.shift.start, world))–\(Format.clock(p.shift.end, world))",
            "load       \(rider.loadParcels)/\(p.capacityParcels) parcels, \(Int(rider.loadKg))/\(Int(p.capacityKg)) kg",
            "skills     \(p.skills.isEmpty ? "none" : p.skills.map(\.rawValue).sorted().joined(separator: ", "))",
            "done       \(rider.delivered) delivered, \(rider.failed) failed, \(Int(rider.kmDriven)) km",
            "position   \(String(format6(rider.position.lat))), \(String(format6(rider.position.lon)))"
                + (rider.positionAt.map { " at " + Format.clockSeconds($0, world) } ?? ""),
            "costs      \(p.costPerHour)/h  \(p.costPerKm)/km  \(p.costPerDrop)/drop",
        ]
        var y = body.y
        for fact in facts where y < body.maxY {
            buffer.put(" " + fact, x: body.x, y: y, style: c.theme[.text], maxWidth: body.width)
            y += 1
        }
        y += 1
        guard y < body.maxY else { return }
        buffer.put(" #   stop      order      eta    p10–p90      window       slack  customer", x: body.x, y: y, style: c.theme[.muted], maxWidth: body.width)
        y += 1
        let lane = c.snapshot.outlook.lanes[id]
        for (index, stop) in (lane?.stops ?? []).enumerated() where y < body.maxY {
            let order = world.orders[stop.order]
            let slack = lane!.slack[index]
            var x = body.x + 1
            x += buffer.put(Format.pad("\(index + 1)", 4), x: x, y: y, style: c.theme[.muted])
            let glyph = stop.kind == .pickup ? c.glyphs.pickup : c.glyphs.delivery
            x += buffer.put(Format.pad("\(glyph) \(stop.kind.rawValue)", 10), x: x, y: y, style: c.theme[.text])
            x += buffer.put(Format.pad(stop.order, 11), x: x, y: y, style: c.theme[.text])
            x += buffer.put(Format.pad(Format.clock(stop.eta, world), 7), x: x, y: y, style: c.theme[.text])
            x += buffer.put(Format.pad(Format.clock(lane!.p10[index], world) + "–" + Format.clock(lane!.p90[index], world), 13), x: x, y: y,
                            style: c.theme[.muted])
            if let order, stop.kind == .delivery {
                x += buffer.put(Format.pad(Format.clock(order.window.start, world) + "–" + Format.clock(order.window.end, world), 13), x: x, y: y, style: c.theme[.text])
                x += buffer.put(Format.pad(Format.minutes(slack), 7), x: x, y: y, style: c.slackStyle(slack))
                buffer.put(order.customerName, x: x, y: y, style: c.theme[.text], maxWidth: body.maxX - x)
            }
            y += 1
        }
        if lane == nil, y < body.maxY { buffer.put(" no stops planned", x: body.x, y: y, style: c.theme[.muted]) }
    }

    static func order(_ id: String, _ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) {
        let world = c.snapshot.world
        guard let order = world.orders[id] else {
            buffer.put(" order \(id) is not known", x: rect.x, y: rect.y, style: c.theme[.late])
            return
        }
        let body = c.title("Order \(id) · \(order.tier.rawValue)", pane: nil, in: rect, into: &buffer)
        let risk = c.snapshot.outlook.atRisk.first { $0.order == id }
        let pickup: String
        switch order.pickup {
        case let .hub(hub): pickup = "hub \(hub)"
        case let .point(point): pickup = "\(format6(point.lat)), \(format6(point.lon))"
        }
        var facts = [
            "status     \(order.status.rawValue)\(order.rider.map { " · rider \($0)" } ?? "")\(order.attempts > 0 ? " · \(order.attempts) attempt(s)" : "")",
            "window     " + windows(of: order, world),
            "customer   \(order.customerName)",
            "drop       \(format6(order.drop.lat)), \(format6(order.drop.lon)) · zone \(order.zone)",
            "pickup     \(pickup)" + (order.readyAt.map { " · parcel ready \(Format.clockSeconds($0, world))" } ?? ""),
            "size       \(order.parcels) parcel(s), \(order.kg) kg · service \(order.serviceSeconds / 60) min",
            "skills     \(order.requiredSkills.isEmpty ? "none" : order.requiredSkills.map(\.rawValue).sorted().joined(separator: ", "))",
            "created    \(Format.clockSeconds(order.createdAt, world))",
        ]
        if !order.notes.isEmpty { facts.append("notes      \(order.notes)") }
        if let risk {
            facts.append("predicted  \(risk.eta.map { Format.clock($0, world) } ?? "no rider") · slack \(Format.minutes(risk.slack)) · \(Format.chance(risk.probability)) chance of being late"
                + (risk.drift > 0 ? " · \(Format.minutes(risk.drift)) behind plan" : ""))
        }
        if let reason = order.failureReason { facts.append("failed     \(reason.rawValue)") }
        var y = body.y
        for fact in facts where y < body.maxY {
            buffer.put(" " + fact, x: body.x, y: y, style: fact.hasPrefix("predicted") ? c.slackStyle(risk?.slack ?? 0) : c.theme[.text], maxWidth: body.width)
            y += 1
        }
        // What was raised about it and how each case ended: the latest that fit, in time order.
        let cases = world.cases(about: id)
        guard y + 2 < body.maxY, !cases.isEmpty else { return }
        y += 1
        let room = body.maxY - y - 1
        buffer.put(" cases      \(cases.count)" + (cases.count > room ? ", the latest \(room)" : ""), x: body.x, y: y, style: c.theme[.muted], maxWidth: body.width)
        y += 1
        for exception in cases.suffix(room) {
            buffer.put("  " + caseLine(exception, world), x: body.x, y: y, style: exception.isPending ? c.theme[.tight] : c.theme[.text],
                       maxWidth: body.width)
            y += 1
        }
    }

    /// The booked window, and where the core moved it and what the customer was last told when those differ.
    static func windows(of order: Order, _ world: World) -> String {
        let span = { (w: TimeWindow) in Format.clock(w.start, world) + "–" + Format.clock(w.end, world) }
        var text = "booked " + span(order.booked)
        if order.window != order.booked {
            text += " · moved to " + span(order.window) + (order.promiseMovedAt.map { " at " + Format.clock($0, world) } ?? "")
        }
        if order.promised != order.window { text += " · last told " + span(order.promised) }
        return text
    }

    /// One case about an order: when, what, and what came of it (or that it waits).
    static func caseLine(_ exception: ExceptionCase, _ world: World) -> String {
        let head = "\(Format.clock(exception.raisedAt, world)) \(exception.id) \(exception.kind.words)"
        let outcome: String
        switch exception.state {
        case .open: outcome = "watched"
        case .escalated: outcome = "waiting for a decision"
        case .autoResolved: outcome = "→ \((exception.resolution ?? .action(.none)).words) (the core)"
        case .approved, .rejected, .defaulted:
            outcome = "→ \((exception.resolution ?? .action(.none)).words) (\(exception.state.rawValue) by \(exception.decidedBy ?? "?"))"
        }
        return head + " " + outcome + " · " + exception.detail
    }

    static func exception(_ id: String, _ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) {
        let world = c.snapshot.world
        guard let exception = world.exceptions[id] else {
            buffer.put(" exception \(id) is not known", x: rect.x, y: rect.y, style: c.theme[.late])
            return
        }
        let body = c.title("Exception \(id) · \(exception.kind.words) · \(exception.subject)", pane: nil, in: rect, into: &buffer)
        var facts = [
            ("what", exception.detail),
            ("raised", Format.clock(exception.raisedAt, world)),
            ("state", exception.state.rawValue.replacingOccurrences(of: "_", with: " ")
                + (exception.decidedBy.map { " by \($0)" } ?? "") + (exception.resolvedAt.map { " at " + Format.clock($0, world) } ?? "")),
        ]
        if let deadline = exception.deadline {
            let left = deadline - c.snapshot.now
            facts.append(("deadline", Format.clock(deadline, world) + (exception.isPending ? " (\(ExceptionsPane.countdown(max(0, left))) left)" : "")
                          + ", then: \((exception.defaultAction ?? .none).words)"))
        }
        if !exception.covering.isEmpty {
            // ↑↓ choose which order enter opens (the subject first): the chosen one is marked.
            let orders = [exception.subject] + exception.covering
            let pick = min(c.model.linkPick[id] ?? 0, orders.count - 1)
            let marked = exception.covering.enumerated().map { $0.offset + 1 == pick ? "[\($0.element)]" : $0.element }
            facts.append(("also", marked.joined(separator: ", ") + " (no rider can take them either); ⏎ opens \(orders[pick]), ↑↓ another"))
        }
        if let resolution = exception.resolution { facts.append(("resolution", resolution.words)) }
        var y = body.y
        for (label, value) in facts {
            y = hanging(" " + Format.pad(label, 11), value, at: y, in: body, style: c.theme[.text], into: &buffer)
        }
        y += 1
        // The options before the reason they were escalated for: on a short screen, what to decide comes first.
        let picked = c.model.pickedOption[id] ?? 1
        for (index, option) in exception.options.enumerated() {
            let isPicked = exception.isPending && index + 1 == picked
            y = hanging(" \(isPicked ? c.glyphs.playing : " ") \(index + 1)  ", option.summary, at: y, in: body,
                        style: isPicked ? c.theme[.accent] : c.theme[.text], into: &buffer)
        }
        if let reason = exception.escalationReason {
            y = hanging(" " + Format.pad("escalated", 11), reason, at: y + 1, in: body, style: c.theme[.text], into: &buffer)
        }
    }

    /// Writes `lead` then `text` wrapped to the room after it, continuation lines indented under the text (a
    /// hanging indent); returns the row after the last one written. Nothing is written below `rect`.
    private static func hanging(_ lead: String, _ text: String, at y: Int, in rect: Rect, style: Style, into buffer: inout ScreenBuffer) -> Int {
        let indent = CharacterWidth.of(lead)
        var y = y
        for (index, line) in BoardView.wrap(text, width: max(10, rect.width - indent)).enumerated() where y < rect.maxY {
            buffer.put((index == 0 ? lead : String(repeating: " ", count: indent)) + line, x: rect.x, y: y, style: style, maxWidth: rect.width)
            y += 1
        }
        return y
    }

    /// The key table (descriptions wrapped to the room beside the keys), then the glyph legend, from the model's
    /// `helpScroll` on; when more lies below, the last line says how much. Returns how far it can scroll at this size.
    @discardableResult
    static func help(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) -> Int {
        let body = c.title("Keys", pane: nil, in: rect, into: &buffer)
        let keys = Keymap.helpRows
        let keyWidth = keys.map { CharacterWidth.of($0.keys) }.max()! + 2
        let textX = body.x + 2 + keyWidth
        enum Line { case key(String, String), blank, legend(String) }
        var lines: [Line] = []
        for (key, meaning) in keys {
            for (index, line) in BoardView.wrap(meaning, width: max(10, body.maxX - textX)).enumerated() {
                lines.append(.key(index == 0 ? key : "", line))
            }
        }
        let legend = [
            "lanes: \(c.glyphs.driving) driving  \(c.glyphs.idle) idle  \(c.glyphs.broken) broken down  \(c.glyphs.offShift) off shift  \(c.glyphs.ended) shift over",
            "stops: \(c.glyphs.pickup) pickup  \(c.glyphs.delivery) on time  \(c.glyphs.tightStop) tight (under 15 min of slack)  \(c.glyphs.lateStop) late",
            "header: ETA arrivals within 10 min of the last ETA · 1st delivered at the first attempt · plan-var deliveries of "
                + "the 06:00 plan made by another rider · resolve median time to resolve a case · \(c.snapshot.world.costUnit)/drop cost per delivered order · "
                + "done delivered of all orders · late delivered after the booked window · at-risk orders predicted late · "
                + "waiting escalations waiting for a decision · failed last attempt failed · — nothing to count yet · "
                + "held at ×1: the clock runs in real time while decisions wait",
        ]
        lines.append(.blank)
        lines += legend.flatMap { BoardView.wrap($0, width: max(10, body.width - 4)) }.map { .legend($0) }
        let room = max(1, body.height)
        let maxScroll = max(0, lines.count - room)
        let offset = min(c.model.helpScroll, maxScroll)
        let shown = lines[offset..<min(lines.count, offset + room)]
        let below = lines.count - offset - shown.count
        for (y, line) in zip(body.y..., shown) {
            if below > 0, y == body.y + shown.count - 1 {
                buffer.put("  ↓ \(below + 1) more lines (↑↓ PgUp PgDn)", x: body.x, y: y, style: c.theme[.muted], maxWidth: body.width)
                break
            }
            switch line {
            case let .key(key, text):
                buffer.put("  " + key, x: body.x, y: y, style: c.theme[.accent], maxWidth: body.width)
                buffer.put(text, x: textX, y: y, style: c.theme[.text], maxWidth: max(0, body.maxX - textX))
            case .blank:
                break
            case let .legend(text):
                buffer.put("  " + text, x: body.x, y: y, style: c.theme[.muted], maxWidth: body.width)
            }
        }
        return maxScroll
    }

    private static func format6(_ value: Double) -> String {
        let scaled = (value * 10000).rounded() / 10000
        return String(scaled)
    }
}
