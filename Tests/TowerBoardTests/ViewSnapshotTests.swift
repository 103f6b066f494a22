import Testing
@testable import TowerBoard
import TowerCore

@Suite struct ViewSnapshotTests {
    static let sizes = [(80, 24), (200, 60)]

    @Test(arguments: sizes)
    func board(width: Int, height: Int) {
        assertSnapshot(BoardFixture.render(width: width, height: height).0, named: "board-\(width)x\(height)")
    }

    /// The demo's status line: the latest story caption the day's events made.
    @Test func demoCaption() throws {
        var snapshot = BoardFixture.snapshot
        let caption: String = try #require(BoardFixture.captions.last, "the fixture's morning made captions")
        snapshot.caption = caption
        var buffer = ScreenBuffer(width: 120, height: 30)
        BoardView.render(snapshot, model: BoardModel(speed: 60, readonly: true), theme: .dark, glyphs: .unicode, into: &buffer)
        #expect(buffer.lines[28].hasPrefix(" ▶ ") && buffer.lines[29].contains("?:help"), "the caption above the status line")
        assertSnapshot(buffer, named: "demo-caption-120x30")
    }

    @Test(arguments: sizes)
    func riderDrillDown(width: Int, height: Int) {
        let (_, rows) = BoardFixture.render(width: width, height: height)
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.down, rows: rows)
        model.press(.enter, rows: rows)
        #expect(model.screen == .rider(rows.lanes[1]))
        assertSnapshot(BoardFixture.render(width: width, height: height, model: model).0, named: "rider-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func orderDrillDown(width: Int, height: Int) {
        let (_, rows) = BoardFixture.render(width: width, height: height)
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.tab, rows: rows)
        model.press(.enter, rows: rows)
        #expect(model.screen == .order(rows.atRisk[0]))
        assertSnapshot(BoardFixture.render(width: width, height: height, model: model).0, named: "order-\(width)x\(height)")
    }

    /// An order's screen tells its story: the window its customer booked, where the core moved it and what the
    /// customer was last told, and every case about it (its own, or one covering it) with what came of each.
    @Test func anOrdersScreenShowsItsBookedWindowAndItsCases() throws {
        var snapshot = BoardFixture.snapshot
        let now = snapshot.now
        let id = try #require(snapshot.world.orders.values.filter { $0.status == .assigned }.map(\.id).sorted().first)
        let booked = try #require(snapshot.world.orders[id]).booked
        let moved = TimeWindow(start: booked.end, end: booked.end + 3600)
        let bodies: [EventBody] = [
            .exceptionRaised(exception: "E-T1", kind: .predictedLate, subject: id, detail: "ETA past the window"),
            .exceptionAutoResolved(exception: "E-T1", action: Remedy(.nextSlot, id), rule: "routine"),
            .orderUpdated(order: id, changes: OrderChanges(window: moved)),
            .customerNotified(order: id, kind: .rescheduled, message: "moved", window: TimeWindow(start: moved.start, end: moved.start + 1800)),
            .exceptionRaised(exception: "E-T2", kind: .unassignedOrder, subject: "O-0001", detail: "nobody can take it"),
            .exceptionEscalated(exception: "E-T2", options: [EscalationOption(action: .none, summary: "wait", costDelta: 0)], deadline: now + 900,
                                defaultAction: .none, reason: "test", covering: [id]),
        ]
        for (index, body) in bodies.enumerated() { snapshot.world.apply(Event(id: "dt\(index)", at: now, by: Event.core, body: body)) }
        var model = BoardModel(speed: 60, readonly: false)
        model.screen = .order(id)
        var buffer = ScreenBuffer(width: 160, height: 40)
        BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        let lines = buffer.lines
        let clock = { (t: Instant) in ISOTime.clock(t, offsetSeconds: snapshot.world.utcOffsetSeconds) }
        let window = " window     booked \(clock(booked.start))–\(clock(booked.end)) · moved to \(clock(moved.start))–\(clock(moved.end)) at \(clock(now))"
            + " · last told \(clock(moved.start))–\(clock(moved.start + 1800))"
        #expect(lines.contains { $0.hasPrefix(window) }, "\(lines.prefix(12).joined(separator: "\n"))")
        #expect(lines.contains { $0.hasPrefix(" cases      2") })
        let first = try #require(lines.firstIndex { $0.contains("E-T1 predicted late → move \(id) to the next slot") && $0.contains("(the core)") },
                                 "\(lines.joined(separator: "\n"))")
        #expect(lines[first + 1].contains("E-T2 unassigned order waiting for a decision · nobody can take it"), "the covering case, after")
    }

    /// A parcel that is ready at its hub only later says so on its order's screen: why its rider waits there.
    @Test func anOrdersScreenSaysWhenItsParcelIsReady() throws {
        var snapshot = BoardFixture.snapshot
        var order = try #require(snapshot.world.orders.values.filter { $0.status == .assigned }.sorted { $0.id < $1.id }.first)
        let ready = snapshot.now + 2700
        order.readyAt = ready
        snapshot.world.putOrder(order)
        var model = BoardModel(speed: 60, readonly: false)
        model.screen = .order(order.id)
        var buffer = ScreenBuffer(width: 160, height: 40)
        BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        let clock = ISOTime.clock(ready, offsetSeconds: snapshot.world.utcOffsetSeconds)
        #expect(buffer.lines.contains { $0.hasPrefix(" pickup ") && $0.contains(" · parcel ready \(clock)") }, "\(buffer.lines.prefix(12).joined(separator: "\n"))")
    }

    @Test(arguments: sizes)
    func exceptionDrillDown(width: Int, height: Int) throws {
        let world = BoardFixture.snapshot.world
        // An escalated case when there is one (its options show), else the first case raised.
        let id = try #require(world.exceptions.values.filter { !$0.options.isEmpty }.map(\.id).min() ?? world.exceptions.keys.min())
        var model = BoardModel(speed: 60, readonly: false)
        model.screen = .exception(id)
        let (buffer, _) = BoardFixture.render(width: width, height: height, model: model)
        assertSnapshot(buffer, named: "exception-\(width)x\(height)")
        #expect(buffer.lines.joined().contains(id))
    }

    /// A case that puts several orders before a person counts them in the queue and names them in the case.
    @Test func aCaseCoveringOtherOrdersCountsThemInTheQueueAndNamesThemInTheCase() throws {
        var snapshot = BoardFixture.snapshot
        let orders = Array(snapshot.world.orders.values.map(\.id).sorted().prefix(3))
        try #require(orders.count == 3)
        let at = snapshot.now
        snapshot.world.apply(Event(id: "t1", at: at, by: Event.core,
                                   body: .exceptionRaised(exception: "E-9000", kind: .unassignedOrder, subject: orders[0], detail: "no rider")))
        snapshot.world.apply(Event(id: "t2", at: at, by: Event.core,
                                   body: .exceptionEscalated(exception: "E-9000", options: [EscalationOption(action: .none, summary: "watch", costDelta: 0)],
                                                             deadline: at + 300, defaultAction: .none, reason: "no rider can take 3 orders",
                                                             covering: [orders[1], orders[2]])))
        var model = BoardModel(speed: 60, readonly: false)
        var buffer = ScreenBuffer(width: 200, height: 60)
        BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        #expect(buffer.lines.contains { $0.contains("E-9000 unassigned order \(orders[0]) +2:") }, "\(buffer.lines.joined(separator: "\n"))")
        model.screen = .exception("E-9000")
        buffer = ScreenBuffer(width: 200, height: 60)
        BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        #expect(buffer.lines.contains { $0.contains("also") && $0.contains("\(orders[1]), \(orders[2])") && $0.contains("opens \(orders[0])") },
                "\(buffer.lines.joined(separator: "\n"))")
        // ↓ chooses the first order it covers: marked, and what enter opens.
        var rows = BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        #expect(rows.links == [.order(orders[0]), .order(orders[1]), .order(orders[2])])
        model.press(.down, rows: rows)
        buffer = ScreenBuffer(width: 200, height: 60)
        rows = BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        #expect(buffer.lines.contains { $0.contains("[\(orders[1])], \(orders[2])") && $0.contains("opens \(orders[1])") },
                "\(buffer.lines.joined(separator: "\n"))")
    }

    @Test(arguments: sizes)
    func help(width: Int, height: Int) {
        var model = BoardModel(speed: 60, readonly: true)
        model.press(.char("?"), rows: BoardModel.Rows())
        assertSnapshot(BoardFixture.render(width: width, height: height, model: model).0, named: "help-\(width)x\(height)")
    }

    /// On a terminal too short for it the help scrolls: the last line says how much lies below, ↓ and G move down
    /// to the end (the keys at the bottom, then no such line), g back to the top.
    @Test func theHelpScrollsOnAShortTerminal() {
        var model = BoardModel(speed: 60, readonly: true)
        model.press(.char("?"), rows: BoardModel.Rows())
        var (buffer, rows) = BoardFixture.render(width: 80, height: 24, model: model)
        #expect(rows.helpMaxScroll > 0 && buffer.lines[22].contains("more lines"), "\(buffer.lines.joined(separator: "\n"))")
        #expect(!buffer.lines.joined().contains("quit, or back"))
        model.press(.down, rows: rows)
        #expect(model.helpScroll == 1)
        model.press(.char("G"), rows: rows)
        #expect(model.helpScroll == rows.helpMaxScroll)
        (buffer, rows) = BoardFixture.render(width: 80, height: 24, model: model)
        let text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("quit, or back") && !text.contains("more lines"), "\(text)")
        model.press(.char("g"), rows: rows)
        #expect(model.helpScroll == 0)
        model.press(.wheel(up: false, x: 10, y: 10), rows: rows)
        #expect(model.helpScroll == 3, "the wheel scrolls it too")
        model.press(.wheel(up: true, x: 10, y: 10), rows: rows)
        model.press(.wheel(up: true, x: 10, y: 10), rows: rows)
        #expect(model.helpScroll == 0)
        model.press(.escape, rows: rows)
        model.press(.char("?"), rows: rows)
        #expect(model.screen == .help && model.helpScroll == 0, "opens at the top")
        // Tall enough for all of it: nothing to scroll.
        #expect(BoardFixture.render(width: 200, height: 60, model: model).1.helpMaxScroll == 0)
    }

    @Test(arguments: sizes)
    func map(width: Int, height: Int) {
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.char("m"), rows: BoardModel.Rows())
        #expect(model.screen == .map)
        let (buffer, _) = BoardFixture.render(width: width, height: height, model: model)
        assertSnapshot(buffer, named: "map-\(width)x\(height)")
        let text = buffer.lines.joined(separator: "\n")
        #expect(text.contains("⌂"), "hubs are drawn")
        #expect(text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }, "zones and legs are drawn in braille")
        let riders = BoardFixture.snapshot.world.riders.values.filter { $0.status == .driving }.count
        #expect(text.filter { $0 == "▶" }.count >= min(riders, 1))
    }

    @Test func mapInASCII() {
        var model = BoardModel(speed: 60, readonly: false)
        model.run(command: "map")
        let text = BoardFixture.render(width: 80, height: 24, model: model, theme: .mono, glyphs: .ascii).0.lines.joined()
        #expect(!text.unicodeScalars.contains { (0x2800...0x28FF).contains($0.value) }, "no braille without UTF-8")
        #expect(!text.contains("⌂") && !text.contains("▶"))
        #expect(text.contains(" H ") || text.contains("H"))
        #expect(text.contains("."))
    }

    @Test(arguments: sizes)
    func metrics(width: Int, height: Int) {
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.char("M"), rows: BoardModel.Rows())
        #expect(model.screen == .metrics)
        let (buffer, _) = BoardFixture.render(width: width, height: height, model: model)
        assertSnapshot(buffer, named: "metrics-\(width)x\(height)")
        let text = buffer.lines.joined(separator: "\n")
        for label in ["ETA accuracy", "first-attempt rate", "plan-to-execution variance", "exception resolution", "cost per delivery"] {
            #expect(text.contains(label))
        }
        #expect(text.contains("▁") || text.contains("█"), "sparklines are drawn")
    }

    @Test func metricsShowTheLearnedETAsRunningAccuracy() {
        var snapshot = BoardFixture.snapshot
        snapshot.learnedETA = ETAFigures(mae: 150, baselineMAE: 240, legs: 200, learned: 431)
        var model = BoardModel(speed: 60, readonly: false)
        model.screen = .metrics
        var buffer = ScreenBuffer(width: 200, height: 60)
        BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        #expect(buffer.lines.joined().contains("learned ETA, online: travel MAE 2.5 min over the last 200 legs (distance over speed: 4.0 min); 431 legs learned today"))
    }

    /// Before the first delivery a rate has nothing to count: the metrics view says "—" and draws no line, as the
    /// header and the report do (it showed an on-time rate of 0.0% at 06:30); once counted, the line is blank under
    /// the times it had nothing to count, so every row's marks stay under the same times.
    @Test func aRateWithNothingToCountIsADashAndItsLineStartsAtItsFirstCount() throws {
        var snapshot = BoardFixture.snapshot
        let counted = try #require(snapshot.kpis)
        try #require(counted.delivered > 0 && counted.resolved > 0)
        var empty = counted
        (empty.delivered, empty.late, empty.failed, empty.resolved) = (0, 0, 0, 0)
        (empty.onTimeRate, empty.firstAttemptRate, empty.etaAccuracyRate, empty.planVariance, empty.costPerDelivery) = (0, 0, 0, 1, 48)
        var model = BoardModel(speed: 60, readonly: false)
        model.screen = .metrics
        func row(_ label: String) -> String {
            var buffer = ScreenBuffer(width: 200, height: 60)
            BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
            return buffer.lines.first { $0.hasPrefix(" " + label) } ?? ""
        }
        snapshot.kpis = empty
        snapshot.trend = [empty]
        for label in ["on-time rate", "first-attempt rate", "ETA accuracy", "plan-to-execution variance", "cost per delivery",
                      "exception resolution"] {
            let line = row(label)
            #expect(line.contains("—") && !line.contains("%") && !line.contains("48") && !line.contains("▁"), "\(line)")
        }
        #expect(row("delivered").contains("0") && row("delivered").contains("▁"), "a count is counted from the start")
        var earlier = empty, before = empty
        earlier.at = counted.at - 1800
        before.at = counted.at - 900
        snapshot.trend = [earlier, before]
        snapshot.kpis = counted
        let line = Array(row("on-time rate")), count = Array(row("delivered"))
        let blocks = "▁▂▃▄▅▆▇█"
        let start = try #require(count.firstIndex { blocks.contains($0) }, "the delivered row's line")
        #expect(count[start..<start + 3].allSatisfy { blocks.contains($0) }, "\(String(count))")
        #expect(line[start] == " " && line[start + 1] == " " && blocks.contains(line[start + 2]),
                "two blank marks under the times with nothing to count, then the first count: \(String(line))")
        #expect(!String(line).contains(" 0.0% –"), "the range leaves out what was not counted: \(String(line))")
        // The header's arrows compare with an hour ago only where that hour had something to count.
        var hourAgo = empty
        hourAgo.at = counted.at - 3600
        snapshot.trend = [hourAgo]
        var buffer = ScreenBuffer(width: 200, height: 60)
        BoardView.render(snapshot, model: BoardModel(speed: 60, readonly: false), theme: .dark, glyphs: .unicode, into: &buffer)
        let header = buffer.lines[1]
        #expect(header.contains("ETA \(MetricsView.percent(counted.etaAccuracyRate))   "), "no arrow against an hour with no delivery: \(header)")
    }

    @Test func sparklinesScaleBetweenTheExtremes() {
        #expect(MetricsView.sparkline([0, 1, 2, 3, 4, 5, 6, 7], unicode: true) == "▁▂▃▄▅▆▇█")
        #expect(MetricsView.sparkline([3, 3, 3], unicode: true) == "▁▁▁")
        #expect(MetricsView.sparkline([], unicode: true) == "")
        #expect(MetricsView.sparkline([nil, 1, nil, 3], unicode: true) == " ▁ █")
    }

    @Test func asciiGlyphsAndMono() {
        assertSnapshot(BoardFixture.render(width: 80, height: 24, theme: .mono, glyphs: .ascii).0, named: "board-ascii-80x24")
    }

    @Test(arguments: [(79, 24), (40, 10), (10, 3), (1, 1)])
    func tooSmall(width: Int, height: Int) {
        let (buffer, rows) = BoardFixture.render(width: width, height: height)
        #expect(rows.lanes.isEmpty)
        let words = buffer.lines.joined(separator: " ").split(separator: " ").joined(separator: " ")
        if width * height >= 60 { #expect(words.contains("terminal too small: need 80x24, have \(width)x\(height)")) }
    }

    @Test func zeroSizeDrawsNothingAndDoesNotCrash() {
        let (buffer, _) = BoardFixture.render(width: 0, height: 0)
        #expect(buffer.cells.isEmpty)
    }

    @Test func hostileTextNeverReachesTheScreenRaw() {
        let (buffer, _) = BoardFixture.render(width: 200, height: 60)
        let text = buffer.cells.map(\.symbol).joined()
        #expect(!text.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        #expect(text.contains("O-0003 cancelled: moved"))
        #expect(!text.contains("pwned"))
    }

    @Test func lateStopsAreMarkedByGlyphNotOnlyColour() {
        let (buffer, _) = BoardFixture.render(width: 200, height: 60, theme: .mono)
        let late = BoardFixture.snapshot.outlook.lanes.values.contains { $0.lateCount > 0 }
        if late { #expect(buffer.cells.contains { $0.symbol == Glyphs.unicode.lateStop }) }
    }
}
