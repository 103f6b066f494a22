import TowerCore

/// One lane per rider: status glyph, id, channel, vehicle, load, and a timeline of coming stops against the
/// clock, each stop marked by whether it will be on time, tight or late.
enum LanesPane {
    /// How far ahead the timeline looks.
    static let horizon: Int64 = 3 * 3600
    static let prefixWidth = 27

    static func render(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) -> BoardModel.HitArea {
        let world = c.snapshot.world
        let ids = c.rows.lanes
        let late = ids.reduce(0) { $0 + (c.snapshot.outlook.lanes[$1]?.lateCount ?? 0) }
        let body = c.title("Rider lanes (\(ids.count) of \(world.riders.count))  \(Format.count(late, "stop")) late", pane: .lanes, in: rect, into: &buffer)
        guard body.height > 1 else { return BoardModel.HitArea(pane: rect) }
        let timelineX = body.x + prefixWidth
        let timelineWidth = max(0, body.width - prefixWidth - 5)
        drawAxis(c, y: body.y, x: timelineX, width: timelineWidth, into: &buffer)
        let list = Rect(x: body.x, y: body.y + 1, width: body.width, height: body.height - 1)
        let selected = c.model.selectedIndex(.lanes, in: ids)
        let offset = c.scrollOffset(selected: selected, visible: list.height)
        let area = BoardModel.HitArea(pane: rect, rows: list, offset: offset)
        for (row, id) in ids.dropFirst(offset).prefix(list.height).enumerated() {
            guard let rider = world.riders[id] else { continue }
            let y = list.y + row
            let isSelected = c.model.focus == .lanes && offset + row == selected
            let base = isSelected ? c.theme[.selected] : c.theme[.text]
            buffer.fill(Rect(x: list.x, y: y, width: list.width, height: 1), style: base)
            var x = list.x
            x += buffer.put(c.glyphs.status(rider.status) + " ", x: x, y: y, style: merge(statusStyle(rider.status, c), base, isSelected))
            x += buffer.put(Format.pad(id, 5) + " ", x: x, y: y, style: base)
            let channelRole: Theme.Role = rider.profile.channel == .own ? .own : (rider.profile.channel == .gig ? .gig : .thirdParty)
            x += buffer.put(Format.pad(Format.channel(rider.profile.channel), 4), x: x, y: y, style: merge(c.theme[channelRole], base, isSelected))
            x += buffer.put(Format.pad(Format.vehicle(rider.profile.vehicle), 5), x: x, y: y, style: base)
            buffer.put(Format.pad("\(rider.loadParcels)/\(rider.profile.capacityParcels)", 8), x: x, y: y, style: base)
            buffer.put(c.glyphs.now, x: timelineX - 1, y: y, style: merge(c.theme[.muted], base, isSelected))
            if let lane = c.snapshot.outlook.lanes[id] {
                drawTimeline(c, lane: lane, y: y, x: timelineX, width: timelineWidth, base: base, selected: isSelected, into: &buffer)
                if lane.lateCount > 0 {
                    buffer.put(Format.pad("\(lane.lateCount)\(c.glyphs.lateStop)", 4), x: timelineX + timelineWidth + 1, y: y,
                               style: merge(c.theme[.late], base, isSelected))
                }
            }
        }
        return area
    }

    private static func drawAxis(_ c: PaneContext, y: Int, x: Int, width: Int, into buffer: inout ScreenBuffer) {
        guard width > 0 else { return }
        let world = c.snapshot.world
        buffer.put("rider   chan veh  load", x: x - prefixWidth + 2, y: y, style: c.theme[.muted])
        let start = c.snapshot.now
        var mark = ISOTime.startOfDay(start, offsetSeconds: world.utcOffsetSeconds)
        while mark <= start { mark = mark + 1800 }
        while mark - start < horizon {
            let column = Int(Double(mark - start) / Double(horizon) * Double(width))
            let label = Format.clock(mark, world)
            if column + CharacterWidth.of(label) <= width { buffer.put(label, x: x + column, y: y, style: c.theme[.muted]) }
            mark = mark + 1800
        }
    }

    private static func drawTimeline(_ c: PaneContext, lane: Outlook.Lane, y: Int, x: Int, width: Int, base: Style, selected: Bool,
                                     into buffer: inout ScreenBuffer) {
        guard width > 0 else { return }
        // The most urgent mark wins a column: late > tight > delivery > pickup.
        var marks = [(rank: Int, glyph: String, style: Style)?](repeating: nil, count: width)
        for (stop, slack) in zip(lane.stops, lane.slack) {
            let ahead = max(0, stop.eta - c.snapshot.now)
            guard ahead < horizon else { continue }
            let column = min(width - 1, Int(Double(ahead) / Double(horizon) * Double(width)))
            let mark: (Int, String, Style)
            if stop.kind == .pickup {
                mark = (0, c.glyphs.pickup, c.theme[.muted])
            } else if slack < 0 {
                mark = (3, c.glyphs.lateStop, c.theme[.late])
            } else if slack < Outlook.margin {
                mark = (2, c.glyphs.tightStop, c.theme[.tight])
            } else {
                mark = (1, c.glyphs.delivery, c.theme[.ok])
            }
            if (marks[column]?.rank ?? -1) < mark.0 { marks[column] = mark }
        }
        for (column, mark) in marks.enumerated() {
            guard let mark else { continue }
            buffer.put(mark.glyph, x: x + column, y: y, style: merge(mark.style, base, selected))
        }
    }

    private static func statusStyle(_ status: RiderStatus, _ c: PaneContext) -> Style {
        switch status {
        case .driving: return c.theme[.ok]
        case .idle: return c.theme[.text]
        case .brokenDown: return c.theme[.late]
        case .offShift, .shiftEnded: return c.theme[.muted]
        }
    }

    /// On a selected row the row's reverse video wins, but the glyph keeps its own colour.
    static func merge(_ style: Style, _ base: Style, _ selected: Bool) -> Style {
        guard selected else { return style }
        var merged = style
        merged.reverse = base.reverse
        return merged
    }
}
