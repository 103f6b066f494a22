import Testing
import TowerCore
@testable import TowerBoard

@Suite struct ScreenBufferTests {
    @Test func writesWideCharactersAcrossTwoCells() {
        var buffer = ScreenBuffer(width: 6, height: 1)
        let written = buffer.put("a配b", x: 0, y: 0, style: .plain)
        #expect(written == 4)
        #expect(buffer.lines == ["a配b  "])
        #expect(buffer[1, 0].symbol == "配" && buffer[2, 0].symbol == "")
    }

    @Test func neverSplitsAWideCharacterAtTheEdge() {
        var buffer = ScreenBuffer(width: 3, height: 1)
        buffer.put("ab配", x: 0, y: 0, style: .plain)
        #expect(buffer.lines == ["ab "])
    }

    @Test func overwritingHalfAWideCharacterBlanksTheOtherHalf() {
        var buffer = ScreenBuffer(width: 4, height: 1)
        buffer.put("配配", x: 0, y: 0, style: .plain)
        buffer.put("x", x: 1, y: 0, style: .plain)
        #expect(buffer.lines == [" x配"])
    }

    @Test func clipsToTheScreenAndToAWidth() {
        var buffer = ScreenBuffer(width: 5, height: 2)
        buffer.put("hello world", x: 2, y: 1, style: .plain)
        buffer.put("abcdef", x: 0, y: 0, style: .plain, maxWidth: 2)
        buffer.put("nope", x: 0, y: 5, style: .plain)
        buffer.put("left", x: -2, y: 0, style: .plain)
        #expect(buffer.lines == ["ft   ", "  hel"])
    }

    @Test func stripsEscapeSequences() {
        var buffer = ScreenBuffer(width: 12, height: 1)
        buffer.put("a\u{1B}[31mb\u{1B}]0;t\u{07}c\u{9B}2Jd", x: 0, y: 0, style: .plain)
        #expect(buffer.lines == ["abcd        "])
    }

    @Test func diffReportsOnlyChangedRuns() {
        var before = ScreenBuffer(width: 10, height: 3)
        before.put("hello", x: 0, y: 1, style: .plain)
        var after = before
        after.put("j", x: 0, y: 1, style: .plain)
        after.put("!", x: 9, y: 2, style: Style(bold: true))
        let runs = after.changes(since: before)
        #expect(runs.map { "\($0.x),\($0.y):\($0.cells.map(\.symbol).joined())" } == ["0,1:j", "9,2:!"])
        #expect(after.changes(since: after).isEmpty)
        #expect(after.changes(since: nil).count == 3)
        #expect(after.changes(since: ScreenBuffer(width: 5, height: 3)).count == 3)
    }

    @Test func hexColoursMapToThePalette() {
        #expect(Color.parse("#ff0000") == .indexed(196))
        #expect(Color.parse("#000000") == .indexed(16))
        #expect(Color.parse("#808080") == .indexed(244))
        #expect(Color.parse("#5fd75f") == .indexed(77))
        #expect(Color.parse("12") == .indexed(12))
        #expect(Color.parse("default") == .terminalDefault)
        #expect(Color.parse("#12345") == nil)
        #expect(Color.basic(196) == 1)
    }

    @Test func measuresColumnWidths() {
        #expect(CharacterWidth.of("abc") == 3)
        #expect(CharacterWidth.of("配送") == 4)
        #expect(CharacterWidth.of("e\u{301}") == 1)
        #expect(CharacterWidth.of("▶●✖") == 3)
    }
}

@Suite struct ThemeTests {
    @Test func readsSettingsAndWarnsAboutTheRest() {
        let text = """
        # a comment
        late     = #ff0000 bold   # trailing comment
        header   = #ffffff on #005f87
        selected = reverse
        sparkle  = #00ff00
        ok       = purple
        tight
        critical = #zzzzzz bold
        """
        let (theme, warnings) = Theme.parse(text, name: "t", file: "t.theme")
        #expect(theme[.late] == Style(fg: .indexed(196), bold: true))
        #expect(theme[.header] == Style(fg: .indexed(231), bg: .indexed(24)))
        #expect(theme[.selected] == Style(reverse: true))
        // Missing and broken keys fall back to the default theme.
        #expect(theme[.ok] == Theme.dark[.ok])
        #expect(theme[.muted] == Theme.dark[.muted])
        #expect(warnings == [
            "t.theme line 5: unknown key 'sparkle' (ignored)",
            "t.theme line 6, key ok: 'purple' is not a colour (#rrggbb, 0-255, default) or attribute",
            "t.theme line 7: expected 'key = value'",
            "t.theme line 8, key critical: no style (a '#' not followed by a hex colour starts a comment)",
        ])
        #expect(theme[.critical] == Theme.dark[.critical])
    }

    @Test func aMissingThemeFallsBackWithAMessage() {
        let (theme, warnings) = Theme.load("nonexistent", searchDirectories: ["/nowhere"])
        #expect(theme.name == "dark")
        #expect(warnings.first?.contains("theme 'nonexistent' not found") == true)
    }
}

@Suite struct BoardModelTests {
    static var rows: BoardModel.Rows {
        var rows = BoardModel.Rows()
        rows.lanes = ["R1", "R2", "R3"]
        rows.atRisk = ["O-1"]
        return rows
    }

    @Test func movesBetweenPanesAndRows() {
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.char("j"), rows: Self.rows)
        model.press(.down, rows: Self.rows)
        model.press(.down, rows: Self.rows)
        #expect(model.selectedIndex(.lanes, in: Self.rows.lanes) == 2)
        model.press(.char("k"), rows: Self.rows)
        #expect(model.selectedIndex(.lanes, in: Self.rows.lanes) == 1)
        model.press(.tab, rows: Self.rows)
        #expect(model.focus == .atRisk)
        model.press(.backTab, rows: Self.rows)
        model.press(.backTab, rows: Self.rows)
        #expect(model.focus == .exceptions)
    }

    @Test func drillsDownAndBack() {
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.down, rows: Self.rows)
        model.press(.enter, rows: Self.rows)
        #expect(model.screen == .rider("R2"))
        model.press(.escape, rows: Self.rows)
        #expect(model.screen == .board)
        #expect(model.press(.char("q"), rows: Self.rows) == [.quit])
    }

    @Test func pausesAndChangesSpeed() {
        var model = BoardModel(speed: 60, readonly: false)
        model.press(.char(" "), rows: Self.rows)
        #expect(model.paused)
        model.press(.char("+"), rows: Self.rows)
        #expect(model.speed == 120)
        model.press(.char("-"), rows: Self.rows)
        model.press(.char("-"), rows: Self.rows)
        #expect(model.speed == 30)
    }

    @Test func runsColonCommands() {
        var model = BoardModel(speed: 60, readonly: false)
        for key in [":", "s", "p", "e", "e", "d", " ", "2", "4", "0"] { model.press(.char(Character(key)), rows: Self.rows) }
        #expect(model.commandLine == "speed 240")
        model.press(.enter, rows: Self.rows)
        #expect(model.speed == 240)
        #expect(model.commandLine == nil)
        for key in [":", "f", "l", "y"] { model.press(.char(Character(key)), rows: Self.rows) }
        model.press(.enter, rows: Self.rows)
        #expect(model.message?.hasPrefix("unknown command ':fly'") == true)
        model.press(.char(":"), rows: Self.rows)
        #expect(model.press(.escape, rows: Self.rows).isEmpty)
        #expect(model.commandLine == nil)
    }

    @Test func readOnlyRefusesActions() {
        var model = BoardModel(speed: 60, readonly: true)
        model.press(.char("a"), rows: Self.rows)
        #expect(model.message == "read-only board: actions are off")
    }
}

@Suite struct FilterTests {
    @Test func keepsMatchingRowsOrTheOthers() throws {
        let filter = try #require(RowFilter("zona"))
        #expect(filter.keeps(["R01", "zona-sul"]))
        #expect(!filter.keeps(["R02", "centro"]))
        let inverted = try #require(RowFilter("!GIG"))
        #expect(!inverted.keeps(["R33", "gig"]))
        #expect(inverted.keeps(["R01", "own"]))
        #expect(RowFilter("  ") == nil && RowFilter("!") == nil)
    }

    @Test func isTypedAfterASlashAndClearedWithEscape() {
        var model = BoardModel(speed: 60, readonly: false)
        for key in ["/", "g", "i", "g"] { model.press(.char(Character(key)), rows: BoardModelTests.rows) }
        #expect(model.filterLine == "gig")
        model.press(.enter, rows: BoardModelTests.rows)
        #expect(model.filters[.lanes]?.text == "gig")
        #expect(model.filterLine == nil)
        model.press(.escape, rows: BoardModelTests.rows)
        #expect(model.filters[.lanes] == nil)
    }

    @Test func filtersTheLanesOnScreen() {
        var model = BoardModel(speed: 60, readonly: false)
        model.filters[.lanes] = RowFilter("3pl")
        let (buffer, rows) = BoardFixture.render(width: 200, height: 60, model: model)
        let world = BoardFixture.snapshot.world
        #expect(!rows.lanes.isEmpty)
        #expect(rows.lanes.allSatisfy { world.riders[$0]?.profile.channel == .thirdParty })
        #expect(buffer.lines.contains { $0.contains("Rider lanes") && $0.contains("/3pl") }, "the pane's title shows its filter")
        #expect(!rows.atRisk.isEmpty, "the other panes keep their rows")
    }

    @Test func eachPaneFiltersItsOwnRowsTheExceptionQueueIncluded() throws {
        // Two open cases of different kinds on the fixture's world.
        var snapshot = BoardFixture.snapshot
        let riders = Array(snapshot.world.riderIDs.prefix(2))
        for (number, kind) in [ExceptionKind.riderStalled, .geofenceExit].enumerated() {
            snapshot.world.apply(Event(id: "t\(number)", at: snapshot.now, by: "core",
                                       body: .exceptionRaised(exception: "E-900\(number)", kind: kind, subject: riders[number], detail: "test")))
        }
        var model = BoardModel(speed: 60, readonly: false)
        model.focus = .exceptions
        for character in "/stalled" { model.press(.char(character), rows: BoardModelTests.rows) }
        model.press(.enter, rows: BoardModelTests.rows)
        #expect(model.filters[.exceptions]?.text == "stalled" && model.filters[.lanes] == nil)
        var buffer = ScreenBuffer(width: 200, height: 60)
        let rows = BoardView.render(snapshot, model: model, theme: .dark, glyphs: .unicode, into: &buffer)
        #expect(rows.exceptions == ["E-9000"], "only the stalled rider's case: \(rows.exceptions)")
        #expect(!rows.lanes.isEmpty)
    }

    @Test func sKeysThroughAPanesColumnsAndSReversesIt() {
        var model = BoardModel(speed: 60, readonly: false)
        let world = BoardFixture.snapshot.world
        let natural = BoardFixture.render(width: 200, height: 60, model: model).1.lanes
        model.press(.char("s"), rows: BoardModelTests.rows)
        #expect(model.sorts[.lanes] == PaneSort(column: 1) && model.message?.contains("sorted by late, high to low") == true)
        let (buffer, rows) = BoardFixture.render(width: 200, height: 60, model: model)
        let late = rows.lanes.map { BoardFixture.snapshot.outlook.lanes[$0]?.lateCount ?? 0 }
        #expect(late == late.sorted(by: >), "most late first: \(late)")
        #expect(Set(rows.lanes) == Set(natural), "the same riders, in another order")
        #expect(buffer.lines.contains { $0.contains("Rider lanes") && $0.contains("late↓") })
        model.press(.char("S"), rows: BoardModelTests.rows)
        let reversed = BoardFixture.render(width: 200, height: 60, model: model).1.lanes
        #expect(reversed == rows.lanes.reversed())
        for _ in 0..<4 { model.press(.char("s"), rows: BoardModelTests.rows) }
        #expect(BoardFixture.render(width: 200, height: 60, model: model).1.lanes == natural, "round to the natural order")
        model.focus = .atRisk
        model.press(.char("s"), rows: BoardModelTests.rows)
        let due = BoardFixture.render(width: 200, height: 60, model: model).1.atRisk.compactMap { world.orders[$0]?.window.end }
        #expect(due == due.sorted(), "at-risk by due, soonest first")
    }

    @Test func asksForAThemeByName() {
        var model = BoardModel(speed: 60, readonly: false)
        #expect(model.run(command: "theme light") == [.loadTheme("light")])
        model.run(command: "theme")
        #expect(model.message?.hasPrefix("usage: :theme NAME") == true)
    }
}
