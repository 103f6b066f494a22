import Testing
@testable import TowerBoard
import TowerCore

/// Enter goes from a case to what it is about and on to the rider; esc comes back the same way; the breadcrumb
/// shows the path.
@Suite struct NavigationTests {
    @Test func enterFollowsTheLinksAndEscComesBackTheSameWay() {
        var model = BoardModel(speed: 60, readonly: false)
        var rows = BoardModel.Rows()
        rows.exceptions = ["E-0012"]
        model.press(.tab, rows: rows)
        model.press(.tab, rows: rows)
        model.press(.enter, rows: rows)
        #expect(model.screen == .exception("E-0012"))
        rows.linked = .order("O-0007")
        model.press(.enter, rows: rows)
        #expect(model.screen == .order("O-0007"))
        rows.linked = .rider("R05")
        model.press(.enter, rows: rows)
        #expect(model.screen == .rider("R05") && model.trail == [.board, .exception("E-0012"), .order("O-0007")])
        model.press(.escape, rows: rows)
        #expect(model.screen == .order("O-0007"))
        #expect(model.press(.char("q"), rows: rows).isEmpty, "q in a drill-down goes back")
        #expect(model.screen == .exception("E-0012"))
        model.press(.escape, rows: rows)
        #expect(model.screen == .board && model.trail.isEmpty)
    }

    /// A case about several orders (no rider can take any of them): ↑↓ choose which one enter opens, the subject
    /// first; the choice stays within the list and is kept for the case.
    @Test func inACaseAboutSeveralOrdersUpAndDownChooseWhichOneEnterOpens() {
        var model = BoardModel(speed: 60, readonly: false)
        var rows = BoardModel.Rows()
        model.screen = .exception("E-0634")
        rows.linked = .order("O-1")
        rows.links = [.order("O-1"), .order("O-2"), .order("O-3")]
        for _ in 0..<3 { model.press(.down, rows: rows) }
        #expect(model.linkPick["E-0634"] == 2 && model.message == "enter opens O-3", "stops at the last")
        model.press(.enter, rows: rows)
        #expect(model.screen == .order("O-3") && model.trail == [.exception("E-0634")])
        model.press(.escape, rows: rows)
        model.press(.char("k"), rows: rows)
        model.press(.enter, rows: rows)
        #expect(model.screen == .order("O-2"))
        model.press(.escape, rows: rows)
        // A case about one order: ↑↓ choose nothing and enter opens it.
        model.screen = .exception("E-0001")
        rows.links = []
        model.press(.down, rows: rows)
        #expect(model.message == "this case is about one rider or order: enter opens it")
        model.press(.enter, rows: rows)
        #expect(model.screen == .order("O-1"))
        model.press(.escape, rows: rows)
        rows.linked = nil  // a zone's case
        model.press(.down, rows: rows)
        #expect(model.message == "this case has no rider or order to open")
    }

    @Test func theBreadcrumbShowsThePath() {
        var model = BoardModel(speed: 60, readonly: false)
        let order = BoardFixture.snapshot.world.orderIDs[0]
        let rider = BoardFixture.snapshot.world.riderIDs[0]
        model.trail = [.board, .order(order)]
        model.screen = .rider(rider)
        let (buffer, _) = BoardFixture.render(width: 120, height: 40, model: model)
        #expect(buffer.lines[2].hasPrefix(" board › \(order) › \(rider)"), "\(buffer.lines[2])")
    }

    @Test func aCaseLinksToItsSubjectAndAnOrderToItsRider() throws {
        var model = BoardModel(speed: 60, readonly: false)
        let world = BoardFixture.snapshot.world
        let exception = try #require(world.exceptions.values.sorted { $0.id < $1.id }.first { world.orders[$0.subject]?.rider != nil })
        model.screen = .exception(exception.id)
        #expect(BoardFixture.render(width: 120, height: 40, model: model).1.linked == .order(exception.subject))
        model.screen = .order(exception.subject)
        let rider = try #require(world.orders[exception.subject]?.rider)
        #expect(BoardFixture.render(width: 120, height: 40, model: model).1.linked == .rider(rider))
    }
}

/// The command line remembers and completes, like k9s's.
@Suite struct CommandLineTests {
    func type(_ text: String, into model: inout BoardModel, rows: BoardModel.Rows = BoardModel.Rows()) {
        for character in text { model.press(.char(character), rows: rows) }
    }

    @Test func upAndDownRecallEarlierCommandsAndGiveBackTheLineBeingTyped() {
        var model = BoardModel(speed: 60, readonly: false)
        model.history = CommandHistory(entries: ["speed 120", "map"])
        model.press(.char(":"), rows: .init())
        type("the", into: &model)
        model.press(.up, rows: .init())
        #expect(model.commandLine == "map")
        model.press(.up, rows: .init())
        #expect(model.commandLine == "speed 120")
        model.press(.up, rows: .init())
        #expect(model.commandLine == "speed 120", "the oldest stays")
        model.press(.down, rows: .init())
        model.press(.down, rows: .init())
        #expect(model.commandLine == "the", "past the newest: the line being typed")
        model.press(.enter, rows: .init())
        #expect(model.history.entries == ["speed 120", "map", "the"])
    }

    @Test func tabCompletesCommandsThenTheIdsTheirArgumentsName() throws {
        let world = BoardFixture.snapshot.world
        var rows = BoardModel.Rows()
        rows.world = world
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.char(":"), rows: rows)
        type("as", into: &model, rows: rows)
        model.press(.tab, rows: rows)
        #expect(model.commandLine == "assign ")
        let order = try #require(world.orderIDs.first { world.orders[$0].map { !$0.status.isFinal } ?? false })
        type(String(order.dropLast()), into: &model, rows: rows)
        model.press(.tab, rows: rows)
        #expect(model.commandLine?.hasPrefix("assign " + String(order.dropLast())) == true)
        #expect(Completion.complete("assign \(order) R0", world: world).choices.count > 1, "several riders: they are listed")
        #expect(Completion.complete("th", world: world).line == "theme ")
        #expect(Completion.complete("theme hi", world: world).line == "theme high-contrast ")
        #expect(Completion.complete("frob", world: world).line == "frob", "nothing to complete: the line stays")
    }
}

/// The mouse: a click selects, a second click (or a double-click) opens, the wheel scrolls the pane under it.
@Suite struct MouseTests {
    /// The board at 200x60 as drawn, with the rows and the areas the mouse hits.
    static func drawn(_ model: BoardModel) -> BoardModel.Rows { BoardFixture.render(width: 200, height: 60, model: model).1 }

    @Test func aClickSelectsTheRowUnderItAndASecondOpensIt() throws {
        var model = BoardModel(speed: 60, readonly: false)
        var rows = Self.drawn(model)
        let lanes = try #require(rows.areas[.lanes])
        #expect(rows.lanes.count > 3)
        let y = lanes.rows.y + 2
        model.press(.click(x: lanes.rows.x + 3, y: y, double: false), rows: rows)
        #expect(model.screen == .board && model.focus == .lanes && model.selectedIndex(.lanes, in: rows.lanes) == 2)
        rows = Self.drawn(model)
        model.press(.click(x: lanes.rows.x + 3, y: y, double: false), rows: rows)
        #expect(model.screen == .rider(rows.lanes[2]), "the second click on the selected row opens its rider")
        model.press(.click(x: 5, y: 2, double: false), rows: Self.drawn(model))
        #expect(model.screen == .board, "a click on the breadcrumb goes back")
    }

    @Test func aClickInAnotherPaneFocusesItAndADoubleClickOpensAtOnce() throws {
        var model = BoardModel(speed: 60, readonly: false)
        let rows = Self.drawn(model)
        let atRisk = try #require(rows.areas[.atRisk])
        model.press(.click(x: atRisk.pane.x + 2, y: atRisk.pane.y, double: false), rows: rows)
        #expect(model.focus == .atRisk && model.screen == .board, "a click on the title focuses the pane")
        model.press(.click(x: atRisk.rows.x + 2, y: atRisk.rows.y, double: true), rows: rows)
        #expect(model.screen == .order(rows.atRisk[0]))
    }

    /// The queue's "resolved by the core" lines are rows after the open cases: ↓ reaches them, the selected one is
    /// drawn selected, enter or a click opens the case, and a decision on one is refused as on any case not waiting.
    @Test func theQueuesResolvedLinesAreRowsToSelectAndOpen() throws {
        var model = BoardModel(speed: 60, readonly: false)
        model.focus = .exceptions
        var (buffer, rows) = BoardFixture.render(width: 200, height: 60, model: model)
        let queue = try #require(rows.areas[.exceptions])
        let tail = try #require(queue.tail)
        let resolved = BoardFixture.snapshot.world.latestClosedCases(rows.exceptions.count) { _ in true }.map(\.id)
        #expect(rows.exceptions.count == tail.rows.height && rows.exceptions.count > 3)
        #expect(rows.exceptions == resolved, "the fixture's queue has no open case: its rows are the resolved lines, newest first")
        model.press(.down, rows: rows)
        (buffer, rows) = BoardFixture.render(width: 200, height: 60, model: model)
        #expect(buffer[tail.rows.x + 4, tail.rows.y + 1].style == Theme.dark[.selected])
        #expect(buffer[tail.rows.x + 4, tail.rows.y].style != Theme.dark[.selected])
        model.press(.char("a"), rows: rows)
        #expect(model.message == "\(resolved[1]) is not waiting for a decision")
        model.press(.enter, rows: rows)
        #expect(model.screen == .exception(resolved[1]))
        model.press(.escape, rows: rows)
        model.press(.click(x: tail.rows.x + 4, y: tail.rows.y + 3, double: true), rows: rows)
        #expect(model.screen == .exception(resolved[3]), "a double-click on a resolved line opens its case")
    }

    /// The status line hints the decision keys while the selected row is an escalation, not once the selection is on
    /// a resolved line below it (where `a` is refused).
    @Test func decisionKeysAreHintedOnlyWhileAnEscalationIsSelected() throws {
        var snapshot = BoardFixture.snapshot
        let order = try #require(snapshot.world.orders.keys.min())
        snapshot.world.apply(Event(id: "t1", at: snapshot.now, by: Event.core,
                                   body: .exceptionRaised(exception: "E-9000", kind: .unassignedOrder, subject: order, detail: "no rider")))
        snapshot.world.apply(Event(id: "t2", at: snapshot.now, by: Event.core,
                                   body: .exceptionEscalated(exception: "E-9000", options: [EscalationOption(action: .none, summary: "watch", costDelta: 0)],
                                                             deadline: snapshot.now + 300, defaultAction: .none, reason: "no rider", covering: [])))
        var model = BoardModel(speed: 60, readonly: false)
        model.focus = .exceptions
        func statusLine() -> (String, BoardModel.Rows) {
            var buffer = ScreenBuffer(width: 200, height: 60)
            let rows = BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
            return (buffer.lines.last ?? "", rows)
        }
        var (status, rows) = statusLine()
        #expect(rows.exceptions.first == "E-9000" && rows.exceptions.count > 1, "the escalation, then the resolved lines")
        #expect(status.contains("a:approve"), "\(status)")
        model.press(.down, rows: rows)
        (status, rows) = statusLine()
        #expect(model.selection[.exceptions]?.id == rows.exceptions[1])
        #expect(!status.contains("a:approve") && status.contains("u:undo"), "\(status)")
        model.press(.up, rows: rows)
        #expect(statusLine().0.contains("a:approve"))
    }

    @Test func theWheelMovesTheSelectionOfThePaneUnderIt() throws {
        var model = BoardModel(speed: 60, readonly: false)
        let rows = Self.drawn(model)
        let lanes = try #require(rows.areas[.lanes])
        model.focus = .exceptions
        model.press(.wheel(up: false, x: lanes.rows.x, y: lanes.rows.y), rows: rows)
        #expect(model.selectedIndex(.lanes, in: rows.lanes) == 3 && model.focus == .exceptions)
        model.press(.wheel(up: true, x: lanes.rows.x, y: lanes.rows.y), rows: rows)
        #expect(model.selectedIndex(.lanes, in: rows.lanes) == 0)
        model.press(.click(x: 0, y: 0, double: false), rows: rows)
        #expect(model.screen == .board && model.focus == .exceptions, "a click on the header does nothing")
    }
}
