import Testing
@testable import TowerBoard
import TowerCore

/// The header says when the clock is held for a decision.
@Suite struct HeldClockHeaderTests {
    @Test func theHeaderSaysTheClockIsHeld() {
        var model = BoardModel(speed: 60, readonly: false)
        model.held = "held at ×1: 2 decisions waiting"
        let (buffer, _) = BoardFixture.render(width: 120, height: 40, model: model)
        #expect(buffer.lines[0].contains("held at ×1: 2 decisions waiting"))
        #expect(!buffer.lines[0].contains("×60"))
    }
}

/// A new escalation is announced: the bell and a flash of the header on a working board, a caption on a demo.
@Suite struct EscalationAnnouncementTests {
    @Test func theHeaderFlashesInTheAlertStyle() {
        var model = BoardModel(speed: 60, readonly: false)
        let (calm, _) = BoardFixture.render(width: 120, height: 40, model: model)
        model.flashing = true
        let (flashing, _) = BoardFixture.render(width: 120, height: 40, model: model)
        #expect(calm.lines[0] == flashing.lines[0], "the same words")
        #expect(calm[0, 0].style != flashing[0, 0].style)
        #expect(calm[0, 1].style == flashing[0, 1].style, "only the header line")
    }

    @Test func aDemoCaptionsEachEscalationWithItsBestOptionAndItsDefault() throws {
        let world = BoardFixture.snapshot.world
        var exception = ExceptionCase(id: "E-0042", kind: .riderStalled, subject: "R05", detail: "no progress", raisedAt: BoardFixture.snapshot.now)
        exception.state = .escalated
        exception.options = [EscalationOption(action: Remedy(.reassignAll, "R05"), summary: "move R05's unpicked orders to other riders (cost +50.00, late 3→1)", costDelta: 50),
                             EscalationOption(action: Remedy.none, summary: "do nothing, keep watching (cost +0.00, late 3→3)", costDelta: 0)]
        exception.defaultAction = Remedy.none
        exception.deadline = BoardFixture.snapshot.now + 900
        let caption = BoardApp.caption(exception, world: world)
        #expect(caption == "E-0042 rider stalled R05 goes to a supervisor: best of 2: move R05's unpicked orders to other riders (cost +50.00, late 3→1); "
                + "unanswered at 11:15, the core takes: do nothing, keep watching (cost +0.00, late 3→3)")
    }
}

/// At 80x24 the header keeps what a person at the board needs: who decides and in what role, how much is done and
/// how much is at risk, the escalations waiting; figures give way whole, never cut.
@Suite struct NarrowHeaderTests {
    @Test(arguments: [80, 100, 119])
    func whoDecidesAndTheDaysCountsStay(width: Int) {
        var model = BoardModel(speed: 60, readonly: false)
        model.operatorName = "maria-fernanda"
        model.role = .supervisor
        let (buffer, _) = BoardFixture.render(width: width, height: 24, model: model)
        #expect(buffer.lines[0].contains("maria-fernanda (supervisor)"), "\(buffer.lines[0])")
        #expect(buffer.lines[1].contains("done 32/"), "\(buffer.lines[1])")
        #expect(buffer.lines[1].contains("risk 2") && buffer.lines[1].contains("wait 0"), "\(buffer.lines[1])")
        #expect(!buffer.lines[1].hasSuffix("…"))
    }
}

@Suite struct OptionFitTests {
    static let option = EscalationOption(action: Remedy(.handoff, "O-0352", target: "R15"),
                                         summary: "hand O-0352 to R15 (gig) and tell the customer the new window (cost +12.40 BRL, late 2→1, 1 notified)",
                                         costDelta: 12.4, lateBefore: 2, lateAfter: 1)

    /// Wide: the whole sentence. Narrower: the action shortened before its effect, while enough of it stays to read.
    /// At the 35 columns a 120-column board gives the line: the action in brief and the effect in figures, so the line
    /// says what the option does (the effect alone took 40). Narrower still: the brief shortened before the figures.
    @Test func anOptionSaysWhatItDoesAndWhatItCostsAtEveryWidth() {
        let o = Self.option
        #expect(ExceptionsPane.fitted(o, width: 200) == o.summary)
        let wide = ExceptionsPane.fitted(o, width: 80)
        #expect(CharacterWidth.of(wide) <= 80 && wide.hasPrefix("hand O-0352 to R15") && wide.hasSuffix("… (cost +12.40 BRL, late 2→1, 1 notified)"), "\(wide)")
        #expect(ExceptionsPane.fitted(o, width: 52) == "hand to R15 (cost +12.40 BRL, late 2→1, 1 notified)")
        #expect(ExceptionsPane.fitted(o, width: 35) == "hand to R15 (+12.40, late 2→1)")
        let narrow = ExceptionsPane.fitted(o, width: 24)
        #expect(CharacterWidth.of(narrow) <= 24 && narrow.hasSuffix("… (+12.40, late 2→1)"), "\(narrow)")
        #expect(ExceptionsPane.fitted(o, width: 20) == "(+12.40, late 2→1)", "too narrow for any of what it does: the figures alone")
    }
}
