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
        model.handle(.tab, rows: rows)
        model.handle(.tab, rows: rows)
        model.handle(.enter, rows: rows)
        #expect(model.screen == .exception("E-0012"))
        rows.linked = .order("O-0007")
        model.handle(.enter, rows: rows)
        #expect(model.screen == .order("O-0007"))
        rows.linked = .rider("R05")
        model.handle(.enter, rows: rows)
        #expect(model.screen == .rider("R05") && model.trail == [.board, .exception("E-0012"), .order("O-0007")])
        model.handle(.escape, rows: rows)
        #expect(model.screen == .order("O-0007"))
        model.handle(.char("q"), rows: rows)
        #expect(model.screen == .exception("E-0012"))
        model.handle(.escape, rows: rows)
        #expect(model.screen == .board && model.trail.isEmpty)
        #expect(!model.quitRequested)
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
