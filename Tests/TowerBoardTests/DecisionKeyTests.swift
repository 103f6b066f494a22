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

    @Test func approvingTheFirstOptionWithinTheLimitGoesStraightThrough() {
        var model = Self.board()
        let rows = Self.rows
        model.handle(.char("a"), rows: rows)
        #expect(model.decisionRequest == .approve(exception: "E-1", option: 1))
    }

    @Test func approvingAnOptionThatMakesDeliveriesLateAsksFirst() {
        var model = Self.board()
        var rows = Self.rows
        rows.optionAddsLate = ["E-1": [2, 0]]
        model.handle(.char("a"), rows: rows)
        #expect(model.decisionRequest == nil)
        #expect(model.message == "approve option 1 of E-1? it makes 2 more deliveries late: y to confirm")
        model.handle(.char("y"), rows: rows)
        #expect(model.decisionRequest == .approve(exception: "E-1", option: 1))
    }

    @Test func aDispatcherCannotApproveAboveTheLimit() {
        var model = Self.board(role: .dispatcher)
        let rows = Self.rows
        model.handle(.char("2"), rows: rows)
        #expect(model.pickedOption["E-1"] == 2)
        model.handle(.char("a"), rows: rows)
        #expect(model.decisionRequest == nil && model.confirming == nil)
        #expect(model.message?.contains("a supervisor must approve it") == true)
        var generous = rows
        generous.costLimit = 200
        model.handle(.char("a"), rows: generous)
        #expect(model.decisionRequest == .approve(exception: "E-1", option: 2))
    }

    @Test func aSupervisorConfirmsACostlyApprovalWithY() {
        var model = Self.board(role: .supervisor)
        let rows = Self.rows
        model.handle(.char("2"), rows: rows)
        model.handle(.char("a"), rows: rows)
        #expect(model.confirming == .approve(exception: "E-1", option: 2))
        #expect(model.decisionRequest == nil)
        model.handle(.char("n"), rows: rows)
        #expect(model.confirming == nil && model.decisionRequest == nil && model.message == "cancelled")
        model.handle(.char("a"), rows: rows)
        model.handle(.char("y"), rows: rows)
        #expect(model.decisionRequest == .approve(exception: "E-1", option: 2))
    }

    @Test func rejectingAndPickingAMissingOption() {
        var model = Self.board()
        let rows = Self.rows
        model.handle(.char("4"), rows: rows)
        #expect(model.message == "E-1 has 2 options")
        model.handle(.char("r"), rows: rows)
        #expect(model.decisionRequest == nil, "not before the reason")
        #expect(model.commandLine == "reject E-1 ")
        model.handle(.enter, rows: rows)
        #expect(model.decisionRequest == nil && model.message == "a rejection needs its reason: :reject EXCEPTION REASON")
        model.handle(.char("r"), rows: rows)
        for character in "rider is back" { model.handle(.char(character), rows: rows) }
        model.handle(.enter, rows: rows)
        #expect(model.decisionRequest == .reject(exception: "E-1", reason: "rider is back"))
    }

    @Test func aReadOnlyBoardTakesNoDecisions() {
        var model = Self.board(role: .supervisor, readonly: true)
        let rows = Self.rows
        for key in ["a", "r", "1"] {
            model.handle(.char(Character(key)), rows: rows)
            #expect(model.decisionRequest == nil)
            #expect(model.message == "read-only board: actions are off")
        }
    }

    @Test func quittingWhileEscalationsWaitAsksTwice() {
        var model = Self.board()
        let rows = Self.rows
        model.handle(.char("q"), rows: rows)
        #expect(!model.quitRequested)
        #expect(model.message?.contains("press q again") == true)
        model.handle(.char("q"), rows: rows)
        #expect(model.quitRequested)
        var idle = BoardModel(speed: 60, readonly: false)
        idle.handle(.char("q"), rows: BoardModel.Rows())
        #expect(idle.quitRequested)
    }
}

@Suite struct AssignCommandTests {
    @Test func assignTakesAnOrderAndARider() {
        var model = BoardModel(speed: 60, readonly: false)
        model.run(command: "assign O-0012 R05")
        #expect(model.decisionRequest == .assign(order: "O-0012", rider: "R05"))
        var bad = BoardModel(speed: 60, readonly: false)
        bad.run(command: "assign O-0012")
        #expect(bad.decisionRequest == nil && bad.message == "usage: :assign ORDER RIDER")
        var readonly = BoardModel(speed: 60, readonly: true)
        readonly.run(command: "assign O-0012 R05")
        #expect(readonly.decisionRequest == nil && readonly.message == "read-only board: actions are off")
    }
}
