import Foundation
import Testing
@testable import TowerBoard
@testable import TowerCore

/// The board's keys for decisions, without a screen: picking, approving, confirming, roles, read-only, quitting.
@Suite struct DecisionKeyTests {
    /// One escalation E-1 waiting in the focused exception queue: option 1 cheap, option 2 above the limit of 40.
    static let rows: BoardModel.Rows = {
        var rows = BoardModel.Rows()
        rows.exceptions = ["E-1"]
        rows.optionCosts = ["E-1": [5, 120]]
        rows.costLimit = 40
        return rows
    }()

    static func board(role: Role = .dispatcher, readonly: Bool = false) -> BoardModel {
        var model = BoardModel(speed: 60, readonly: readonly)
        model.role = role
        model.focus = .exceptions
        return model
    }

    static func approve(_ option: Int) -> BoardCommand { .submit(.approve(exception: "E-1", option: option), confirmed: false) }

    @Test func approvingTheFirstOptionWithinTheLimitGoesStraightThrough() {
        var model = Self.board()
        #expect(model.press(.char("a"), rows: Self.rows) == [Self.approve(1)])
    }

    @Test func approvingAnOptionThatMakesDeliveriesLateAsksFirst() {
        var model = Self.board()
        var rows = Self.rows
        rows.optionAddsLate = ["E-1": [2, 0]]
        #expect(model.press(.char("a"), rows: rows).isEmpty)
        #expect(model.message == "approve option 1 of E-1? it makes 2 more deliveries late: y to confirm")
        #expect(model.press(.char("y"), rows: rows) == [.submit(.approve(exception: "E-1", option: 1), confirmed: true)])
    }

    @Test func aDispatcherCannotApproveAboveTheLimit() {
        var model = Self.board(role: .dispatcher)
        let rows = Self.rows
        model.press(.char("2"), rows: rows)
        #expect(model.pickedOption["E-1"] == 2)
        #expect(model.press(.char("a"), rows: rows).isEmpty && model.confirming == nil)
        #expect(model.message?.contains("a supervisor must approve it") == true)
        var generous = rows
        generous.costLimit = 200
        #expect(model.press(.char("a"), rows: generous) == [Self.approve(2)])
    }

    @Test func aSupervisorConfirmsACostlyApprovalWithY() {
        var model = Self.board(role: .supervisor)
        let rows = Self.rows
        model.press(.char("2"), rows: rows)
        #expect(model.press(.char("a"), rows: rows).isEmpty)
        #expect(model.confirming == .approve(exception: "E-1", option: 2))
        #expect(model.press(.char("n"), rows: rows).isEmpty)
        #expect(model.confirming == nil && model.message == "cancelled")
        model.press(.char("a"), rows: rows)
        #expect(model.press(.char("y"), rows: rows) == [.submit(.approve(exception: "E-1", option: 2), confirmed: true)])
    }

    /// An option that waives the channel rules: a dispatcher is told a supervisor must approve it, and a
    /// supervisor confirms it with `y` even when it is cheap.
    @Test func waivingTheChannelRulesIsASupervisorsConfirmedChoice() {
        var rows = Self.rows
        rows.optionWaives = ["E-1": [true, false]]
        var dispatcher = Self.board(role: .dispatcher)
        #expect(dispatcher.press(.char("a"), rows: rows).isEmpty && dispatcher.confirming == nil)
        #expect(dispatcher.message == "E-1: option 1 waives the channel rules: a supervisor must approve it (you are a dispatcher)")
        var supervisor = Self.board(role: .supervisor)
        #expect(supervisor.press(.char("a"), rows: rows).isEmpty)
        #expect(supervisor.message == "approve option 1 of E-1, waiving the channel rules at cost +5.00 units? y to confirm")
        #expect(supervisor.press(.char("y"), rows: rows) == [.submit(.approve(exception: "E-1", option: 1), confirmed: true)])
    }

    @Test func rejectingAndPickingAMissingOption() {
        var model = Self.board()
        let rows = Self.rows
        model.press(.char("4"), rows: rows)
        #expect(model.message == "E-1 has 2 options")
        #expect(model.press(.char("r"), rows: rows).isEmpty, "not before the reason")
        #expect(model.commandLine == "reject E-1 ")
        #expect(model.press(.enter, rows: rows) == [.keepHistory])
        #expect(model.message == "a rejection needs its reason: :reject EXCEPTION REASON")
        model.press(.char("r"), rows: rows)
        for character in "rider is back" { model.press(.char(character), rows: rows) }
        #expect(model.press(.enter, rows: rows) == [.keepHistory, .submit(.reject(exception: "E-1", reason: "rider is back"), confirmed: false)])
    }

    @Test func aReadOnlyBoardTakesNoDecisions() {
        var model = Self.board(role: .supervisor, readonly: true)
        let rows = Self.rows
        for key in ["a", "r", "1", "u"] {
            #expect(model.press(.char(Character(key)), rows: rows).isEmpty)
            #expect(model.message == "read-only board: actions are off")
        }
    }

    /// A demo at ×3600 may caption several escalations in a second: the reply to the viewer's key stays on the
    /// status line long enough to read, then the captions take it again.
    @Test func aDemosCaptionsDoNotHideTheReplyToAKey() {
        var model = Self.board(role: .supervisor, readonly: true)
        let rows = Self.rows
        let start = Date(timeIntervalSince1970: 1_000_000)
        func tick(_ after: TimeInterval) {
            _ = model.update(.tick(BoardTick(speed: 3600, paused: false, held: nil, finishedMessage: nil, wall: start.addingTimeInterval(after))), rows: rows)
        }
        tick(0)
        _ = model.update(.escalated(caption: "E-1 first"), rows: rows)
        #expect(model.message == "E-1 first", "with no key pressed, captions show at once")
        _ = model.update(.key(.char("a")), rows: rows)
        tick(0.1)
        _ = model.update(.escalated(caption: "E-2 second"), rows: rows)
        #expect(model.message == "read-only board: actions are off")
        tick(BoardModel.replyHold - 0.1)
        _ = model.update(.escalated(caption: "E-3 third"), rows: rows)
        #expect(model.message == "read-only board: actions are off")
        tick(BoardModel.replyHold + 0.1)
        _ = model.update(.escalated(caption: "E-4 fourth"), rows: rows)
        #expect(model.message == "E-4 fourth")
    }

    @Test func quittingWhileEscalationsWaitAsksTwice() {
        var model = Self.board()
        let rows = Self.rows
        #expect(model.press(.char("q"), rows: rows).isEmpty)
        #expect(model.message?.contains("press q again") == true)
        #expect(model.press(.char("q"), rows: rows) == [.quit])
        var idle = BoardModel(speed: 60, readonly: false)
        #expect(idle.press(.char("q"), rows: BoardModel.Rows()) == [.quit])
    }
}

@Suite struct AssignCommandTests {
    @Test func assignTakesAnOrderAndARider() {
        var model = BoardModel(speed: 60, readonly: false)
        #expect(model.run(command: "assign O-0012 R05") == [.submit(.assign(order: "O-0012", rider: "R05"), confirmed: false)])
        var bad = BoardModel(speed: 60, readonly: false)
        #expect(bad.run(command: "assign O-0012").isEmpty && bad.message == "usage: :assign ORDER RIDER")
        var readonly = BoardModel(speed: 60, readonly: true)
        #expect(readonly.run(command: "assign O-0012 R05").isEmpty && readonly.message == "read-only board: actions are off")
    }
}

/// `:open ID`: the rider, order or case with that id, wherever the board is (the resolved lines of the queue name
/// orders and riders that no pane lists), and esc comes back.
@Suite struct OpenCommandTests {
    @Test func openAsksTheAppToFindTheIdAndShowsWhatItFound() {
        var model = BoardModel(speed: 60, readonly: true)
        #expect(model.run(command: "open O-0012") == [.find("O-0012")], "looking is not an action: a read-only board opens too")
        var bare = BoardModel(speed: 60, readonly: false)
        #expect(bare.run(command: "open").isEmpty && bare.message == "usage: :open ID (a rider, an order or a case)")
        model.screen = .metrics
        _ = model.update(.found(.order("O-0012")), rows: BoardModel.Rows())
        #expect(model.screen == .order("O-0012"))
        model.press(.escape, rows: BoardModel.Rows())
        #expect(model.screen == .metrics, "esc goes back to where :open was typed")
    }

    @Test func theAppFindsRidersOrdersAndCasesByIdOrUniquePrefix() throws {
        let world = BoardFixture.snapshot.world
        let rider = try #require(world.riderIDs.first), order = try #require(world.orderIDs.first)
        let exception = try #require(world.exceptions.keys.sorted().first)
        func screen(_ id: String) -> BoardModel.Screen? {
            if case let .found(screen) = BoardApp.find(id, in: world) { return screen }
            return nil
        }
        #expect(screen(rider) == .rider(rider) && screen(order) == .order(order) && screen(exception) == .exception(exception))
        // An id shortened to a prefix no other id has opens it; one several ids share lists them.
        let all = world.riderIDs + world.orderIDs + world.exceptions.keys.sorted()
        let shortened = all.lazy.compactMap { id -> (String, String)? in
            let prefix = String(id.dropLast())
            return all.filter { $0.hasPrefix(prefix) }.count == 1 ? (prefix, id) : nil
        }.first
        let (prefix, whole) = try #require(shortened, "some id has a prefix of its own")
        #expect(screen(prefix) != nil && screen(prefix) == screen(whole))
        guard case let .note(none) = BoardApp.find("Z-404\u{1B}[2J", in: world) else { Issue.record("found something"); return }
        #expect(none == "no rider, order or case is called Z-404", "the id comes back without its escape sequence: \(none)")
        guard case let .note(many) = BoardApp.find("O-", in: world) else { Issue.record("O- is ambiguous"); return }
        #expect(many.hasPrefix("\(world.orderIDs.count) ids begin with O-: ") && many.hasSuffix(", …"), "\(many)")
        #expect(Completion.complete("open \(exception.dropLast())", world: world).line.hasPrefix("open \(exception.dropLast())"))
        #expect(Completion.complete("op", world: world).line == "open ")
    }
}

extension BoardModel {
    /// A key through the update; what the update asks the app to do.
    @discardableResult
    mutating func press(_ key: Key, rows: Rows) -> [BoardCommand] { update(.key(key), rows: rows) }
}
