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

/// The command line remembers and completes, like k9s's.
@Suite struct CommandLineTests {
    func type(_ text: String, into model: inout BoardModel, rows: BoardModel.Rows = BoardModel.Rows()) {
        for character in text { model.handle(.char(character), rows: rows) }
    }

    @Test func upAndDownRecallEarlierCommandsAndGiveBackTheLineBeingTyped() {
        var model = BoardModel(speed: 60, readonly: false)
        model.history = CommandHistory(entries: ["speed 120", "map"])
        model.handle(.char(":"), rows: .init())
        type("the", into: &model)
        model.handle(.up, rows: .init())
        #expect(model.commandLine == "map")
        model.handle(.up, rows: .init())
        #expect(model.commandLine == "speed 120")
        model.handle(.up, rows: .init())
        #expect(model.commandLine == "speed 120", "the oldest stays")
        model.handle(.down, rows: .init())
        model.handle(.down, rows: .init())
        #expect(model.commandLine == "the", "past the newest: the line being typed")
        model.handle(.enter, rows: .init())
        #expect(model.history.entries == ["speed 120", "map", "the"])
    }

    @Test func tabCompletesCommandsThenTheIdsTheirArgumentsName() throws {
        let world = BoardFixture.snapshot.world
        var rows = BoardModel.Rows()
        rows.world = world
        var model = BoardModel(speed: 60, readonly: false)
        model.handle(.char(":"), rows: rows)
        type("as", into: &model, rows: rows)
        model.handle(.tab, rows: rows)
        #expect(model.commandLine == "assign ")
        let order = try #require(world.orderIDs.first { world.orders[$0].map { !$0.status.isFinal } ?? false })
        type(String(order.dropLast()), into: &model, rows: rows)
        model.handle(.tab, rows: rows)
        #expect(model.commandLine?.hasPrefix("assign " + String(order.dropLast())) == true)
        #expect(Completion.complete("assign \(order) R0", world: world).choices.count > 1, "several riders: they are listed")
        #expect(Completion.complete("th", world: world).line == "theme ")
        #expect(Completion.complete("theme hi", world: world).line == "theme high-contrast ")
        #expect(Completion.complete("frob", world: world).line == "frob", "nothing to complete: the line stays")
    }
}
