import Testing
import TowerBoard
import TowerCore

@Suite struct ViewSnapshotTests {
    static let sizes = [(80, 24), (200, 60)]

    @Test(arguments: sizes)
    func board(width: Int, height: Int) {
        assertSnapshot(BoardFixture.render(width: width, height: height).0, named: "board-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func riderDrillDown(width: Int, height: Int) {
        let (_, rows) = BoardFixture.render(width: width, height: height)
        var model = BoardModel(speed: 60, readonly: false)
        model.handle(.down, rows: rows)
        model.handle(.enter, rows: rows)
        #expect(model.screen == .rider(rows.lanes[1]))
        assertSnapshot(BoardFixture.render(width: width, height: height, model: model).0, named: "rider-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func orderDrillDown(width: Int, height: Int) {
        let (_, rows) = BoardFixture.render(width: width, height: height)
        var model = BoardModel(speed: 60, readonly: false)
        model.handle(.tab, rows: rows)
        model.handle(.enter, rows: rows)
        #expect(model.screen == .order(rows.atRisk[0]))
        assertSnapshot(BoardFixture.render(width: width, height: height, model: model).0, named: "order-\(width)x\(height)")
    }

    @Test(arguments: sizes)
    func help(width: Int, height: Int) {
        var model = BoardModel(speed: 60, readonly: true)
        model.handle(.char("?"), rows: BoardModel.Rows())
        assertSnapshot(BoardFixture.render(width: width, height: height, model: model).0, named: "help-\(width)x\(height)")
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
