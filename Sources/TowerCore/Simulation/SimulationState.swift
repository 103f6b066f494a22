/// Where a simulated city has got to, kept in the journal's checkpoints so a resume goes on from there instead of
/// playing the day again: the clock, the riders (their legs, pace, holds), the customers forced absent, the actions
/// scheduled since the start, and the counters that name events and random streams.
struct SimulationState: Codable {
    /// The scenario it was played from (`CitySimulation.scenarioFingerprint`): a checkpoint goes on only there.
    var scenario: String
    var now: Instant
    var actionCount: Int
    var eventCount: Int
    var initialActions: Int
    /// The last action performed, as `[seconds, number]`.
    var performed: [Int64]?
    var nextCheckpoint: Instant
    var riders: [String: CitySimulation.RiderState]
    var forcedAbsent: [String]
    /// Actions scheduled after the start and not yet performed, in the order they were scheduled. Those `init`
    /// schedules (shifts, orders, disruptions) are not kept: a new simulation makes them again, and drops the ones
    /// before `performed`.
    var actions: [CitySimulation.Action]
}

extension CitySimulation {
    /// The state a checkpoint keeps.
    var state: SimulationState {
        SimulationState(scenario: scenarioFingerprint, now: now, actionCount: actionCount, eventCount: eventCount,
                        initialActions: initialActions, performed: performed.map { [$0.time.seconds, Int64($0.order)] },
                        nextCheckpoint: nextCheckpoint, riders: riders, forcedAbsent: forcedAbsent.sorted(),
                        actions: queue.unordered.filter { $0.order > initialActions }.sorted { $0.order < $1.order })
    }

    /// Goes on from `state`. Called on a simulation just made, before any step.
    func restore(_ state: SimulationState) throws {
        guard state.scenario == scenarioFingerprint, state.initialActions == initialActions else {
            throw ToolError("the journal's checkpoint was written for another version of scenario \"\(scenario.name)\" (its riders, orders or disruptions changed since, or it ran on another day: --date)")
        }
        let performed = state.performed.flatMap { $0.count == 2 ? (time: Instant(seconds: $0[0]), order: Int($0[1])) : nil }
        var restored = Self.emptyQueue()
        for action in queue.unordered where performed.map({ (action.time, action.order) > ($0.time, $0.order) }) ?? true {
            restored.push(action)
        }
        for action in state.actions { restored.push(action) }
        queue = restored
        self.performed = performed
        now = state.now
        actionCount = state.actionCount
        eventCount = state.eventCount
        nextCheckpoint = state.nextCheckpoint
        riders = state.riders
        forcedAbsent = Set(state.forcedAbsent)
    }

    /// Writes a checkpoint where the simulation stands now (a clean stop), without moving the engine on.
    public func checkpoint(engine: Engine) {
        engine.writeCheckpoint(at: now, simulation: state, advancing: false)
    }

    /// Names the scenario's content the simulation's actions refer to by position (riders, orders, disruptions).
    var scenarioFingerprint: String {
        var text = scenario.name
        for rider in scenario.riders { text += "|r:\(rider.profile.id)@\(rider.profile.shift.start.seconds)" }
        for order in scenario.orders { text += "|o:\(order.id)@\(order.createdAt.seconds)" }
        text += "|d:\(scenario.disruptions.count)"
        return "\(scenario.riders.count)r-\(scenario.orders.count)o-" + String(SeededRandom.fnv1a(text), radix: 16)
    }
}
