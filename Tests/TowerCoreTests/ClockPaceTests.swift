import Testing
@testable import TowerCore

/// Human time: a deadline shown as ten minutes lasts ten minutes for the person who has to decide.
@Suite struct ClockPaceTests {
    @Test func aWaitingDecisionHoldsTheClockAtRealTime() {
        let held = ClockPace(requested: 60, waiting: 2, mode: .hold, peopleDecide: true)
        #expect(held.speed == 1 && held.held == "held at ×1: 2 decisions waiting")
        let stopped = ClockPace(requested: 60, waiting: 1, mode: .stop, peopleDecide: true)
        #expect(stopped.speed == 0 && stopped.held == "held: 1 decision waiting")
    }

    @Test func nothingWaitingSlowerThanRealTimeOffOrADemoKeepTheSpeed() {
        #expect(ClockPace(requested: 60, waiting: 0, mode: .hold, peopleDecide: true).speed == 60)
        let slow = ClockPace(requested: 0.5, waiting: 3, mode: .hold, peopleDecide: true)
        #expect(slow.speed == 0.5 && slow.held == nil)
        #expect(ClockPace(requested: 60, waiting: 3, mode: .off, peopleDecide: true).speed == 60)
        let demo = ClockPace(requested: 60, waiting: 3, mode: .stop, peopleDecide: false)
        #expect(demo.speed == 60 && demo.held == nil)
    }

    @Test func theTwoMinutesToUndoAreRealTimeEvenWhenDecisionsStopTheClock() {
        let open = ClockPace(requested: 60, waiting: 0, undoOpen: true, mode: .stop, peopleDecide: true)
        #expect(open.speed == 1 && open.held == "held at ×1: u undoes your last decision")
        #expect(ClockPace(requested: 60, waiting: 1, undoOpen: true, mode: .stop, peopleDecide: true).speed == 0, "a waiting decision still stops it")
        #expect(ClockPace(requested: 60, waiting: 0, undoOpen: true, mode: .off, peopleDecide: true).speed == 60)
    }
}
