import Foundation
import TowerCore

/// The city from above: zone outlines, hubs, every rider on shift at its position with the leg it is driving,
/// and the most urgent at-risk orders, drawn on a braille canvas (dots in ASCII terminals). North is up; the
/// projection keeps distances true in both directions at the city's latitude.
enum MapView {
    /// At-risk orders marked on the map (and labelled, when there is room).
    static let markedAtRisk = 12

    static func render(_ c: PaneContext, in rect: Rect, into buffer: inout ScreenBuffer) {
        let world = c.snapshot.world
        let onShift = world.riderIDs.compactMap { world.riders[$0] }.filter { $0.status != .offShift && $0.status != .shiftEnded }
        let atRisk = Array(c.snapshot.outlook.atRisk.prefix(markedAtRisk))
        let body = c.title("Map · \(Format.count(onShift.count, "rider")) on shift · \(Format.count(c.snapshot.outlook.atRisk.count, "order")) at risk", pane: nil,
                           in: rect, into: &buffer)
        guard body.height > 3, body.width > 10 else { return }
        let legendY = body.maxY - 1
        let area = Rect(x: body.x + 1, y: body.y, width: body.width - 2, height: body.height - 1)
        guard let projection = Projection(world: world, riders: onShift, columns: area.width, rows: area.height) else {
            buffer.put("  no zones or hubs to draw", x: body.x, y: body.y, style: c.theme[.muted], maxWidth: body.width)
            return
        }
        var canvas = BrailleCanvas(columns: area.width, rows: area.height)
        for id in world.zones.keys.sorted() {
            guard let zone = world.zones[id] else { continue }
            let corners = [projection.dot(GeoPoint(lat: zone.area.north, lon: zone.area.west)), projection.dot(GeoPoint(lat: zone.area.north, lon: zone.area.east)),
                           projection.dot(GeoPoint(lat: zone.area.south, lon: zone.area.east)), projection.dot(GeoPoint(lat: zone.area.south, lon: zone.area.west))]
            for i in 0..<4 { canvas.line(from: corners[i], to: corners[(i + 1) % 4], style: c.theme[.border], dotted: true) }
        }
        // The leg each rider is on: from where it is to its next stop.
        for rider in onShift {
            guard let next = world.routes[rider.id]?.stops.first, let target = location(of: next, in: world) else { continue }
            canvas.line(from: projection.dot(rider.position), to: projection.dot(target), style: channelStyle(rider.profile.channel, c))
        }
        for row in 0..<canvas.rows {
            for column in 0..<canvas.columns {
                guard let text = canvas.character(column: column, row: row, unicode: c.glyphs.driving == Glyphs.unicode.driving) else { continue }
                buffer.put(text, x: area.x + column, y: area.y + row, style: canvas.style(column: column, row: row) ?? c.theme[.muted])
            }
        }
        // Markers go over the dots, and labels where they cover neither a marker nor another label: at-risk
        // orders' ids first (the five most urgent), then riders' ids, then zone names (cut short rather than
        // overwriting). A label goes right of its point, else left of it, else nowhere.
        func key(_ x: Int, _ y: Int) -> Int { y * (area.width + 1) + x }
        var taken = Set((world.hubs.values.map(\.location) + atRisk.compactMap { world.orders[$0.order]?.drop } + onShift.map(\.position))
            .map { projection.cell($0) }.map { key($0.x, $0.y) })
        var labels: [(text: String, x: Int, y: Int, style: Style)] = []
        func place(_ text: String, at point: (x: Int, y: Int), style: Style, cut: Bool = false) {
            let width = CharacterWidth.of(text)
            let free = { (from: Int, count: Int) in from >= 0 && from + count <= area.width && (from..<from + count).allSatisfy { !taken.contains(key($0, point.y)) } }
            var spot: (x: Int, text: String)?
            if free(point.x + 2, width) { spot = (point.x + 2, text) } else if free(point.x - width - 1, width) { spot = (point.x - width - 1, text) }
            if spot == nil, cut {
                let run = (point.x + 1..<area.width).prefix { !taken.contains(key($0, point.y)) }.count
                if run >= 3 { spot = (point.x + 1, String(text.prefix(run - 1))) }
            }
            guard let spot else { return }
            for column in spot.x - 1...spot.x + CharacterWidth.of(spot.text) { taken.insert(key(column, point.y)) }  // a blank cell each side
            labels.append((spot.text, spot.x, point.y, style))
        }
        for (index, item) in atRisk.enumerated() where index < 5 {
            guard let order = world.orders[item.order] else { continue }
            place(item.order, at: projection.cell(order.drop), style: c.slackStyle(item.slack))
        }
        for rider in onShift {
            place(rider.profile.id, at: projection.cell(rider.position), style: channelStyle(rider.profile.channel, c))
        }
        for id in world.zones.keys.sorted() {
            guard let zone = world.zones[id] else { continue }
            let corner = projection.cell(GeoPoint(lat: zone.area.north, lon: zone.area.west))
            place(zone.name, at: (corner.x - 1, corner.y), style: c.theme[.muted], cut: true)
        }
        for label in labels { buffer.put(label.text, x: area.x + label.x, y: area.y + label.y, style: label.style) }
        for id in world.hubs.keys.sorted() {
            guard let hub = world.hubs[id] else { continue }
            let (x, y) = projection.cell(hub.location)
            buffer.put(c.glyphs.hub, x: area.x + x, y: area.y + y, style: c.theme[.accent])
        }
        for item in atRisk.reversed() {
            guard let order = world.orders[item.order] else { continue }
            let (x, y) = projection.cell(order.drop)
            buffer.put(item.slack < 0 ? c.glyphs.lateOrder : c.glyphs.tightStop, x: area.x + x, y: area.y + y, style: c.slackStyle(item.slack))
        }
        for rider in onShift {
            let (x, y) = projection.cell(rider.position)
            let style = rider.status == .brokenDown ? c.theme[.late] : channelStyle(rider.profile.channel, c)
            buffer.put(c.glyphs.status(rider.status), x: area.x + x, y: area.y + y, style: style)
        }
        let g = c.glyphs
        let markerLegend = " \(g.hub) hub  \(g.driving) driving  \(g.idle) idle  \(g.broken) broken down  \(g.tightStop) at risk  \(g.lateOrder) late"
        let legend = [markerLegend + "  lines: each rider's leg to its next stop (own/3pl/gig colours)", markerLegend + "  lines: current legs"]
            .first { CharacterWidth.of($0) <= body.width } ?? markerLegend
        buffer.put(legend, x: body.x, y: legendY, style: c.theme[.muted], maxWidth: body.width)
    }

    static func channelStyle(_ channel: Channel, _ c: PaneContext) -> Style {
        c.theme[channel == .own ? .own : (channel == .gig ? .gig : .thirdParty)]
    }

    /// Where a stop is: the hub or point of a pickup, the drop of a delivery.
    static func location(of stop: Stop, in world: World) -> GeoPoint? {
        guard let order = world.orders[stop.order] else { return nil }
        guard stop.kind == .pickup else { return order.drop }
        switch order.pickup {
        case let .hub(id): return world.hubs[id]?.location
        case let .point(point): return point
        }
    }

    /// Maps coordinates to dots and cells: an equirectangular projection scaled by the cosine of the middle
    /// latitude, fitted to the canvas with the same scale both ways (a dot is square: cells are twice as tall
    /// as wide and hold 2x4 dots).
    struct Projection {
        let west: Double, north: Double
        let dotsPerDegreeLon: Double, dotsPerDegreeLat: Double
        let dotWidth: Int, dotHeight: Int

        init?(world: World, riders: [Rider], columns: Int, rows: Int) {
            var boxes = world.zones.keys.sorted().compactMap { world.zones[$0]?.area }
            boxes += world.hubs.keys.sorted().compactMap { world.hubs[$0].map { GeoBox(south: $0.location.lat, west: $0.location.lon, north: $0.location.lat, east: $0.location.lon) } }
            guard let first = boxes.first, columns > 0, rows > 0 else { return nil }
            var south = first.south, westmost = first.west, northmost = first.north, east = first.east
            for box in boxes.dropFirst() {
                south = min(south, box.south); westmost = min(westmost, box.west); northmost = max(northmost, box.north); east = max(east, box.east)
            }
            let cosine = cos((south + northmost) / 2 * .pi / 180)
            let widthUnits = max((east - westmost) * cosine, 1e-6), heightUnits = max(northmost - south, 1e-6)
            dotWidth = columns * 2
            dotHeight = rows * 4
            let scale = min(Double(dotWidth - 1) / widthUnits, Double(dotHeight - 1) / heightUnits)
            dotsPerDegreeLon = scale * cosine
            dotsPerDegreeLat = scale
            // Centre the drawing in the spare room.
            let spareX = (Double(dotWidth - 1) - widthUnits * scale) / 2 / dotsPerDegreeLon
            let spareY = (Double(dotHeight - 1) - heightUnits * scale) / 2 / dotsPerDegreeLat
            west = westmost - spareX
            north = northmost + spareY
        }

        func dot(_ point: GeoPoint) -> (x: Int, y: Int) {
            let x = Int(((point.lon - west) * dotsPerDegreeLon).rounded())
            let y = Int(((north - point.lat) * dotsPerDegreeLat).rounded())
            return (min(max(0, x), dotWidth - 1), min(max(0, y), dotHeight - 1))
        }

        func cell(_ point: GeoPoint) -> (x: Int, y: Int) {
            let (x, y) = dot(point)
            return (x / 2, y / 4)
        }
    }
}
