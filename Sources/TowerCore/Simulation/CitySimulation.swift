/// A seeded city that produces the events a real feed would: shifts, positions, pickups, deliveries and
/// failures, orders as they are booked, and the scenario's disruptions.
///
/// Riders follow the engine's plan (the first stop of their route), at speeds that vary by zone, hour and
/// rider; service times vary; some customers are absent. Every random draw comes from a stream named by
/// what it decides (`leg/R07/12`, `absent/O-0042`), so a different plan does not change who is absent.
public final class CitySimulation {
    public let scenario: Scenario
    public let seed: UInt64
    private let travel = TravelModel()
    // The state below is what a checkpoint keeps (`SimulationState`).
    var queue = CitySimulation.emptyQueue()
    var actionCount = 0
    var eventCount = 0
    var riders: [String: RiderState] = [:]
    var forcedAbsent: Set<String> = []
    /// The actions `init` scheduled (shifts, orders, disruptions): numbered 1...this.
    var initialActions = 0
    /// The last action performed: every action before it, and none after, has been (the queue pops in order).
    var performed: (time: Instant, order: Int)?
    /// When the next checkpoint is due (see `step`).
    var nextCheckpoint: Instant
    /// Where the simulation has got to.
    public internal(set) var now: Instant
    /// Events the engine refused (a bug if ever non-zero: the simulation should only say what fits).
    public private(set) var refused: [(Event, EventError)] = []
    /// Set by `tower history`, which then reads `noiseFreeTravel`; off otherwise (it times each leg twice).
    public var measuresNoiseFree = false
    /// The noise-free travel seconds of a history visit's leg (`NoiseFreeTravel`), when `measuresNoiseFree`.
    public func noiseFreeTravel(of visit: HistoryRow) -> Double? {
        visit.arrivedAt.flatMap { noiseFree.travel[.init(order: visit.order, at: $0)] }
    }
    /// Measuring only: not in checkpoints (a resumed day writes no history).
    private var noiseFree = NoiseFreeTravel()

    struct Action: Codable {
        var time: Instant
        var order: Int
        var what: What
    }

    static func emptyQueue() -> Heap<Action> { Heap<Action>(by: { ($0.time, $0.order) < ($1.time, $1.order) }) }

    enum What: Codable {
        case orderArrives(Int)
        case disruption(Int)
        case shiftStart(String)
        case next(String)
        case move(String)
        case arrive(String)
        case finishService(String, Stop, failed: Bool)
        case resume(String, breakdown: Bool)
        /// A rider's phone reports where it is, moving or not (a broken-down rider's does not).
        case heartbeat(String)
    }

    struct Leg: Codable {
        var stop: Stop
        var from: GeoPoint
        var to: GeoPoint
        var progress: Double
        var noise: Double
        var lastTick: Instant
    }

    struct RiderState: Codable {
        var pace: Double
        var vehicle: Vehicle
        var leg: Leg?
        var legs = 0
        /// Whether `stop.arrived` was sent for the current leg (a rider early at a door waits, then arrives again).
        var announcedArrival = false
        var stuckUntil: Instant?
        var broken = false
        var ended = false
    }

    public init(scenario: Scenario, seed: UInt64) {
        self.scenario = scenario
        self.seed = seed
        self.now = scenario.dayStart
        nextCheckpoint = Self.checkpointAfter(scenario.dayStart)
        for rider in scenario.riders {
            riders[rider.profile.id] = RiderState(pace: rider.pace, vehicle: rider.profile.vehicle)
            schedule(max(rider.profile.shift.start, scenario.dayStart), .shiftStart(rider.profile.id))
        }
        for (index, order) in scenario.orders.enumerated() { schedule(max(order.createdAt, scenario.dayStart), .orderArrives(index)) }
        for (index, disruption) in scenario.disruptions.enumerated() { schedule(disruption.at, .disruption(index)) }
        initialActions = actionCount
    }

    /// Who the simulation's events are by: any other author in a simulated day's journal is an input from outside
    /// (an operator, an order system or a phone over HTTP).
    public static let author = "sim"

    /// Simulated seconds between checkpoints in the journal: a resume after a crash re-runs at most this much.
    public static let checkpointInterval: Int64 = 900

    static func checkpointAfter(_ time: Instant) -> Instant {
        Instant(seconds: (time.seconds / checkpointInterval + 1) * checkpointInterval)
    }

    /// The events that describe the city, to start a journal with.
    /// - Parameter etaModel: the version of the learned ETA model the core runs (`ETAModel.fingerprint`), if any.
    /// - Parameter policy: the policy's name, written for reports.
    /// - Parameter ranges: how the lanes' ranges spread at the start, learned on the days before, if carried.
    public func settingEvents(etaModel: String = "", policy: String = "", ranges: RangeCalibration? = nil) -> [Event] {
        var bodies: [EventBody] = [.sessionStarted(name: scenario.name, seed: seed, utcOffsetSeconds: scenario.utcOffsetSeconds, source: "simulation",
                                                       currency: scenario.currency, etaModel: etaModel, policy: policy, ranges: ranges)]
        bodies += scenario.zones.map { .zoneDefined($0) }
        bodies += scenario.hubs.map { .hubDefined($0) }
        bodies += scenario.riders.map { .riderRegistered($0.profile) }
        if let channels = scenario.channels { bodies.append(.channelsDefined(channels)) }
        return bodies.map { makeEvent($0, at: scenario.dayStart) }
    }

    /// The world as it stands once the setting and every order of the scenario are known, before the day starts:
    /// what a live feed for this scenario is checked against.
    public func knownWorld() -> World {
        var world = World()
        for event in knownEvents() { world.apply(event) }
        return world
    }

    /// The setting events followed by every order of the scenario, as created at the start of the day.
    public func knownEvents(etaModel: String = "", policy: String = "", ranges: RangeCalibration? = nil) -> [Event] {
        settingEvents(etaModel: etaModel, policy: policy, ranges: ranges) + scenario.orders.map { makeEvent(.orderCreated($0), at: scenario.dayStart) }
    }

    /// When the next scheduled action happens, if any.
    public var nextActionTime: Instant? { queue.first?.time }

    /// Whether anything is left to happen today.
    public var isFinished: Bool { queue.isEmpty || now >= scenario.dayEnd + 4 * 3600 }

    /// Plays the city up to `time`, submitting each event to `engine` as it happens.
    public func run(until time: Instant, engine: Engine) {
        while let action = queue.first, action.time <= time { step(engine: engine) }
        if time > now { now = time }
        engine.advance(to: now)
    }

    /// Performs the next scheduled action; false when nothing is left.
    @discardableResult
    public func step(engine: Engine) -> Bool {
        // A checkpoint goes before the first action on or after its time, with the engine advanced to that action:
        // the same place in the journal however the caller slices time, so a resume that re-runs from an earlier
        // checkpoint makes it again byte for byte.
        if let next = queue.first, next.time >= nextCheckpoint {
            nextCheckpoint = Self.checkpointAfter(next.time)
            now = next.time  // where the step goes anyway; before it, `now` is wherever the caller's last slice ended
            engine.writeCheckpoint(at: next.time, simulation: state)
        }
        guard let action = queue.pop() else { return false }
        performed = (action.time, action.order)
        now = action.time
        engine.advance(to: now)
        perform(action.what, engine: engine)
        return true
    }

    // MARK: Scheduling and emitting

    private func schedule(_ time: Instant, _ what: What) {
        actionCount += 1
        queue.push(Action(time: time, order: actionCount, what: what))
    }

    private func makeEvent(_ body: EventBody, at time: Instant) -> Event {
        eventCount += 1
        return Event(id: "s\(seed)-\(eventCount)", at: time, by: Self.author, body: body)
    }

    private func emit(_ body: EventBody, engine: Engine) {
        let event = makeEvent(body, at: now)
        do {
            try engine.submit(event)
        } catch {
            refused.append((event, error))
        }
    }

    private func random(_ stream: String) -> SeededRandom { SeededRandom(seed: seed, stream: stream) }

    // MARK: Actions

    private func perform(_ what: What, engine: Engine) {
        switch what {
        case let .orderArrives(index):
            var order = scenario.orders[index]
            order.createdAt = now
            emit(.orderCreated(order), engine: engine)
        case let .disruption(index):
            disrupt(scenario.disruptions[index], engine: engine)
        case let .shiftStart(id):
            emit(.shiftStarted(rider: id), engine: engine)
            if measuresNoiseFree { noiseFree.stopped(id, at: now) }
            if let hub = engine.world.riders[id].flatMap({ engine.world.hubs[$0.profile.hub] }) {
                emit(.riderPosition(rider: id, position: hub.location), engine: engine)
            }
            schedule(now, .next(id))
            schedule(now + Int64(scenario.positionInterval), .heartbeat(id))
        case let .heartbeat(id):
            guard let state = riders[id], !state.ended, let rider = engine.world.riders[id] else { return }
            if !state.broken, now - (rider.positionAt ?? now) >= Int64(scenario.positionInterval) {
                emit(.riderPosition(rider: id, position: rider.position), engine: engine)
            }
            schedule(now + Int64(scenario.positionInterval), .heartbeat(id))
        case let .next(id):
            startNextLeg(id, engine: engine)
        case let .move(id):
            move(id, engine: engine)
        case let .arrive(id):
            arrive(id, engine: engine)
        case let .finishService(id, stop, failed):
            finishService(id, stop: stop, failed: failed, engine: engine)
        case let .resume(id, breakdown):
            riders[id]?.stuckUntil = nil
            if breakdown {
                riders[id]?.broken = false
                emit(.riderRecovered(rider: id), engine: engine)
            }
            schedule(now, riders[id]?.leg == nil ? .next(id) : .move(id))
        }
    }

    private func startNextLeg(_ id: String, engine: Engine) {
        guard var state = riders[id], !state.ended, !state.broken, state.stuckUntil == nil, state.leg == nil,
              let rider = engine.world.riders[id] else { return }
        guard let stop = engine.world.routes[id]?.stops.first, let target = engine.world.location(of: stop) else {
            if now >= rider.profile.shift.end {
                state.ended = true
                riders[id] = state
                emit(.shiftEnded(rider: id), engine: engine)
            } else {
                schedule(now + 60, .next(id))  // idle: look at the plan again in a minute
            }
            return
        }
        // A gig courier sets off for a new job only once it has accepted it.
        if rider.profile.channel == .gig, stop.kind == .pickup, let given = engine.world.orders[stop.order]?.assignedAt {
            let accepted = given + Int64(engine.world.channels.gigAcceptanceSeconds)
            if accepted > now {
                schedule(accepted, .next(id))
                return
            }
        }
        state.legs += 1
        state.announcedArrival = false
        var rng = random("leg/\(id)/\(state.legs)")
        state.leg = Leg(stop: stop, from: rider.position, to: target, progress: 0, noise: rng.logNormalFactor(sigma: 0.18), lastTick: now)
        riders[id] = state
        if measuresNoiseFree { noiseFree.departed(id, at: now, medianSeconds: medianDriveSeconds(from: rider.position, to: target, state: state, world: engine.world)) }
        schedule(now, .move(id))
    }

    /// Advances a driving rider by the time since its last tick at today's speed there, and reports where it is.
    private func move(_ id: String, engine: Engine) {
        guard var state = riders[id], var leg = state.leg, !state.broken, state.stuckUntil == nil else { return }
        let elapsed = Double(now - leg.lastTick)
        let full = Double(travel.travelSeconds(from: leg.from, to: leg.to, vehicle: state.vehicle, departing: now, in: engine.world))
            * leg.noise / state.pace
        leg.progress = full <= 0 ? 1 : min(1, leg.progress + elapsed / full)
        leg.lastTick = now
        state.leg = leg
        riders[id] = state
        emit(.riderPosition(rider: id, position: leg.from.interpolated(to: leg.to, fraction: leg.progress)), engine: engine)
        if leg.progress >= 1 {
            schedule(now, .arrive(id))
        } else {
            let remaining = Int(((1 - leg.progress) * full).rounded(.up))
            schedule(now + Int64(max(1, min(scenario.positionInterval, remaining))), .move(id))
        }
    }

    /// The seconds a leg takes at the pace of the hour without its noise and without holds, ticked as `move` ticks.
    private func medianDriveSeconds(from: GeoPoint, to: GeoPoint, state: RiderState, world: World) -> Double {
        let tick = Double(max(1, scenario.positionInterval))
        var (seconds, progress) = (0.0, 0.0)
        while true {
            let full = Double(travel.travelSeconds(from: from, to: to, vehicle: state.vehicle, departing: now + Int64(seconds), in: world)) / state.pace
            guard full > 0 else { return seconds }
            let remaining = (1 - progress) * full
            if remaining <= tick { return seconds + remaining }
            progress += tick / full
            seconds += tick
        }
    }

    private func arrive(_ id: String, engine: Engine) {
        guard var state = riders[id], let leg = state.leg else { return }
        let world = engine.world
        if measuresNoiseFree { noiseFree.arrived(id, at: now, order: leg.stop.kind == .delivery ? leg.stop.order : nil) }
        // The plan may have moved on while the rider drove (a cancellation, a reassignment): then it simply goes on.
        guard world.routes[id]?.stops.first == leg.stop || world.routes[id]?.stops.first.map({ $0.order == leg.stop.order && $0.kind == leg.stop.kind }) == true,
              let order = world.orders[leg.stop.order], !order.status.isFinal else {
            state.leg = nil
            riders[id] = state
            schedule(now, .next(id))
            return
        }
        if !state.announcedArrival {
            state.announcedArrival = true
            riders[id] = state
            emit(.stopArrived(rider: id, order: order.id, kind: leg.stop.kind), engine: engine)
        }
        switch leg.stop.kind {
        case .pickup:
            if let ready = order.readyAt, now < ready {
                schedule(ready, .arrive(id))  // early: wait at the hub for the parcel
                return
            }
            state.leg = nil
            riders[id] = state
            var rng = random("pickup/\(order.id)")
            schedule(now + Int64(30 + rng.unit() * 60), .finishService(id, leg.stop, failed: false))
        case .delivery:
            if now < order.window.start {
                schedule(order.window.start, .arrive(id))  // early: wait at the door for the window
                return
            }
            state.leg = nil
            riders[id] = state
            var rng = random("service/\(order.id)/\(order.attempts)")
            let service = Double(order.serviceSeconds) * rng.logNormalFactor(sigma: 0.3)
            var absentRoll = random("absent/\(order.id)/\(order.attempts)")
            let absent = forcedAbsent.contains(order.id) || absentRoll.unit() < scenario.absence.probability(order, at: now)
            let seconds = absent ? min(service, 180) + 120 : service  // knock, call, wait
            schedule(now + Int64(max(30, seconds)), .finishService(id, leg.stop, failed: absent))
        }
    }

    private func finishService(_ id: String, stop: Stop, failed: Bool, engine: Engine) {
        guard let order = engine.world.orders[stop.order], !order.status.isFinal else {
            schedule(now, .next(id))
            return
        }
        switch stop.kind {
        case .pickup:
            if order.status == .assigned, order.rider == id {
                emit(.pickupDone(rider: id, order: order.id), engine: engine)
                if measuresNoiseFree { noiseFree.stopped(id, at: now) }
            }
        case .delivery:
            if order.status == .pickedUp, order.rider == id {
                emit(failed ? .deliveryFailed(rider: id, order: order.id, reason: .customerAbsent)
                            : .deliveryDone(rider: id, order: order.id), engine: engine)
                if measuresNoiseFree { noiseFree.stopped(id, at: now) }
            }
        }
        schedule(now, .next(id))
    }

    private func disrupt(_ disruption: Disruption, engine: Engine) {
        switch disruption.kind {
        case let .traffic(zone, slowdown, until, note):
            emit(.trafficIncident(incident: "inc-\(eventCount + 1)", zone: zone, slowdown: slowdown, until: until, note: note), engine: engine)
        case let .jam(ids, minutes, slowdown, note):
            let zones = Set(ids.compactMap { engine.world.riders[$0].flatMap { engine.world.zone(containing: $0.position)?.id } })
            for zone in zones.sorted() {
                emit(.trafficIncident(incident: "inc-\(eventCount + 1)", zone: zone, slowdown: slowdown,
                                      until: now + Int64(minutes * 60), note: note), engine: engine)
            }
            for id in ids { hold(id, minutes: minutes, breakdown: false) }
        case let .breakdown(id, minutes):
            guard let state = riders[id], !state.ended else { return }
            riders[id]?.broken = true
            emit(.riderBreakdown(rider: id, note: "vehicle breakdown"), engine: engine)
            hold(id, minutes: minutes, breakdown: true)
        case let .stall(id, minutes):
            hold(id, minutes: minutes, breakdown: false)
        case let .cancel(order, reason):
            if let status = engine.world.orders[order]?.status, !status.isFinal {
                emit(.orderCancelled(order: order, reason: reason), engine: engine)
            }
        case let .absent(order):
            forcedAbsent.insert(order)
        }
    }

    /// Stops a rider where it is for a while; its leg resumes afterwards.
    private func hold(_ id: String, minutes: Int, breakdown: Bool) {
        guard var state = riders[id], !state.ended else { return }
        let until = now + Int64(minutes * 60)
        if measuresNoiseFree { noiseFree.held(id, seconds: Double(until - max(now, state.stuckUntil ?? now))) }
        state.stuckUntil = until
        if var leg = state.leg { leg.lastTick = until; state.leg = leg }
        riders[id] = state
        schedule(until, .resume(id, breakdown: breakdown))
    }
}
