import Testing
@testable import TowerCore

/// The queue's figures: per hour, and the two checks that must stay at zero.
@Suite struct QueueFiguresTests {
    let t0 = DeskCity.t0  // 10:00 local

    func option(_ action: Remedy, cost: Double, late: Int) -> EscalationOption {
        EscalationOption(action: action, summary: action.words, costDelta: cost, lateBefore: 2, lateAfter: late)
    }

    @Test func countsEachHourAndCatchesDominatedOptionsAndCostlyDefaults() {
        var world = DeskCity.world()
        var n = 0
        func raise(at time: Instant, escalate options: [EscalationOption]? = nil, then final: EventBody? = nil) {
            n += 1
            let id = "E-\(n)"
            world.apply(Event(id: "r\(n)", at: time, by: Event.core, body: .exceptionRaised(exception: id, kind: .predictedLate, subject: "R1", detail: "")))
            if let options {
                world.apply(Event(id: "e\(n)", at: time, by: Event.core, body: .exceptionEscalated(exception: id, options: options, deadline: time + 600,
                                                                                                  defaultAction: options[0].action, reason: "")))
            } else {
                world.apply(Event(id: "a\(n)", at: time, by: Event.core, body: .exceptionAutoResolved(exception: id, action: Remedy.none, rule: "")))
            }
            if let final {
                var body = final
                if case .exceptionDefaulted(_, let option) = final { body = .exceptionDefaulted(exception: id, option: option) }
                world.apply(Event(id: "d\(n)", at: time + 600, by: Event.core, body: body))
            }
        }
        raise(at: t0)
        raise(at: t0 + 60)
        raise(at: t0 + 120, escalate: [option(Remedy(.resequence, "R1"), cost: 5, late: 1), option(Remedy.none, cost: 0, late: 1)],
              then: .exceptionDefaulted(exception: "", option: 1))                                   // dominated by doing nothing
        raise(at: t0 + 3600 * 2, escalate: [option(Remedy(.handoff, "O-1", target: "G1"), cost: 72.98, late: 0), option(Remedy.none, cost: 0, late: 2)],
              then: .exceptionDefaulted(exception: "", option: 1))                                   // a default above the limit
        let figures = QueueFigures(world: world, costLimit: 40)
        #expect(figures.hours.map(\.hour) == [10, 11, 12])
        #expect(figures.hours.map(\.raised) == [3, 0, 1])
        #expect(figures.hours.map(\.escalated) == [1, 0, 1])
        #expect(figures.hours.map(\.defaulted) == [1, 0, 1])
        #expect(figures.raised == 4 && figures.resolvedByCore == 2 && figures.escalated == 2)
        #expect(figures.peakEscalationsPerHour == 1 && abs(figures.meanEscalationsPerHour - 2.0 / 3) < 1e-9)
        #expect(figures.dominatedFirstOptions == 1)
        #expect(figures.defaultsAboveLimit == 1)
    }

    @Test func anOptionIsDominatedOnlyByOneAsGoodOnBothCountsAndBetterOnOne() {
        let a = option(Remedy(.notify, "O-1"), cost: 5, late: 1)
        let b = Remedy(.resequence, "R1")
        #expect(a.isDominated(by: option(b, cost: 0, late: 1)))
        #expect(a.isDominated(by: option(b, cost: 5, late: 0)))
        #expect(!a.isDominated(by: option(b, cost: 5, late: 1)), "equal is no better")
        #expect(!a.isDominated(by: option(b, cost: 0, late: 2)), "a trade-off")
        #expect(!EscalationOption(action: a.action, summary: "", costDelta: 5).isDominated(by: option(b, cost: 0, late: 0)), "unknown lateness")
    }
}
