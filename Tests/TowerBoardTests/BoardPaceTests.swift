import Testing
@testable import TowerBoard
import TowerCore

/// Human time: a deadline shown as ten minutes lasts ten minutes for the person who has to decide.
@Suite struct BoardPaceTests {
    @Test func aWaitingDecisionHoldsTheClockAtRealTime() {
        let held = BoardPace(requested: 60, waiting: 2, mode: .hold, readonly: false)
        #expect(held.speed == 1 && held.held == "held at ×1: 2 decisions waiting")
        let stopped = BoardPace(requested: 60, waiting: 1, mode: .stop, readonly: false)
        #expect(stopped.speed == 0 && stopped.held == "held: 1 decision waiting")
    }

    @Test func nothingWaitingSlowerThanRealTimeOffOrADemoKeepTheSpeed() {
        #expect(BoardPace(requested: 60, waiting: 0, mode: .hold, readonly: false).speed == 60)
        let slow = BoardPace(requested: 0.5, waiting: 3, mode: .hold, readonly: false)
        #expect(slow.speed == 0.5 && slow.held == nil)
        #expect(BoardPace(requested: 60, waiting: 3, mode: .off, readonly: false).speed == 60)
        let demo = BoardPace(requested: 60, waiting: 3, mode: .stop, readonly: true)
        #expect(demo.speed == 60 && demo.held == nil)
    }

    @Test func theTwoMinutesToUndoAreRealTimeEvenWhenDecisionsStopTheClock() {
        let open = BoardPace(requested: 60, waiting: 0, undoOpen: true, mode: .stop, readonly: false)
        #expect(open.speed == 1 && open.held == "held at ×1: u undoes your last decision")
        #expect(BoardPace(requested: 60, waiting: 1, undoOpen: true, mode: .stop, readonly: false).speed == 0, "a waiting decision still stops it")
        #expect(BoardPace(requested: 60, waiting: 0, undoOpen: true, mode: .off, readonly: false).speed == 60)
    }

    @Test func theHeaderSaysTheClockIsHeld() {
        var model = BoardModel(speed: 60, readonly: false)
        model.held = "held at ×1: 2 decisions waiting"
        let (buffer, _) = BoardFixture.render(width: 120, height: 40, model: model)
        #expect(buffer.lines[0].contains("held at ×1: 2 decisions waiting"))
        #expect(!buffer.lines[0].contains("×60"))
    }
}
