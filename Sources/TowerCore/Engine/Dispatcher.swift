import Foundation

/// The engine's dispatch job: the day's plan at the lock, each new order placed on the rider (of any channel) it
/// costs least on, orders no rider could take kept waiting and tried again as room frees, and routes re-timed or
/// re-planned when the world changes under them (a cancellation, traffic, a breakdown, a parcel picked up by
/// another rider). It decides through the ledger; what it keeps between events is its waiting list.
final class Dispatcher {
    private let ledger: CoreLedger
    private let planner: InsertionPlanner
    private let settings: EngineSettings
    private var world: World { _read { yield ledger.world } }

    /// Orders that no rider could take yet; retried as the day moves.
    private(set) var waiting: Set<String> = []
    /// Riders something happened to since the last retry that could make room for a waiting order (a delivery
    /// done or failed, a shift started, a recovery, a cancelled order of theirs).
    private(set) var roomFreed: Set<String> = []
    /// Whether every waiting order is to be tried again at the next retry (at the start, and when a rider joins).
    private(set) var retryEveryone = true
    /// The riders priced for each waiting order the last time it found no place: it is tried again when room
    /// frees on one of them, and every `Engine.fullRetryInterval` in any case (riders move nearer; new ones come on shift).
    private(set) var lastTried: [String: Set<String>] = [:]
    /// Orders not planned yet because their window opens beyond the plan's horizon (`EngineSettings.planHorizon`),
    /// or the 06:00 plan's budget ran out before them, with when each is released (see `dueTime`).
    private(set) var held: [String: Instant] = [:]

    init(ledger: CoreLedger, planner: InsertionPlanner, settings: EngineSettings) {
        self.ledger = ledger
        self.planner = planner
        self.settings = settings
        for id in ledger.world.orderIDs where ledger.world.orders[id]?.status == .open { waiting.insert(id) }
    }

    private var planLocked: Bool { world.clock.map { $0 >= settings.planLock } ?? false }

    // MARK: Bookkeeping

    /// Keeps the waiting list by the core's decisions, whichever job made them: an order left without a rider
    /// waits (not priced on anyone yet, so it is tried at the next retry); an order given one no longer does.
    func noteDecision(_ body: EventBody) {
        switch body {
        case let .orderUnassigned(order, _): waiting.insert(order); lastTried[order] = nil; held[order] = nil
        case let .orderAssigned(order, _, _): waiting.remove(order); lastTried[order] = nil; held[order] = nil
        default: break
        }
    }

    /// The held orders placed at another time than they come due (see `deferredRelease`), for a checkpoint; nil when
    /// none (every day without a cut by the plan's budget), so its checkpoints are as they were.
    var heldOffSchedule: [String: Instant]? {
        let off = held.filter { id, time in world.orders[id].map { dueTime(of: $0) != time } ?? false }
        return off.isEmpty ? nil : off
    }

    /// What a checkpoint keeps of the dispatcher (see `EngineState`).
    func restore(waiting: [String], roomFreed: [String], retryEveryone: Bool, lastTried: [String: [String]], held: [String],
                 offSchedule: [String: Instant]) {
        self.waiting = Set(waiting)
        self.held = [:]
        for id in held { if let order = world.orders[id] { self.held[id] = offSchedule[id] ?? dueTime(of: order) } }
        self.roomFreed = Set(roomFreed)
        self.retryEveryone = retryEveryone
        self.lastTried = lastTried.mapValues(Set.init)
    }

    // MARK: Reacting

    /// Re-plans what an input changed (not in static mode, which keeps the plan as made and only places new orders).
    func react(to event: Event) {
        let now = event.at
        if case let .pickupDone(rider, order) = event.body { routeParcelOnBoard(order, of: rider, at: now) }
        // Held orders follow their windows in every mode (static places them too, as they come due).
        switch event.body {
        case let .orderCancelled(id, _): held[id] = nil
        case let .orderUpdated(id, _): if held[id] != nil, let order = world.orders[id] { held[id] = dueTime(of: order) }
        default: break
        }
        guard settings.mode != .static else {
            if case let .orderCreated(order) = event.body { arrived(order, at: now) }
            return
        }
        switch event.body {
        case let .deliveryDone(rider, _), let .deliveryFailed(rider, _, _), let .shiftStarted(rider), let .riderRecovered(rider):
            roomFreed.insert(rider)
        case let .riderRegistered(profile):
            retryEveryone = true
            // Registered again mid-day (another vehicle, a shorter shift, a skill or channel changed): what the rider
            // has not collected and can no longer carry goes to others; the parcels on board stay (a case asks).
            guard planLocked else { return }
            shed(profile.id, at: now)
        case let .orderCreated(order):
            arrived(order, at: now)
        case let .orderCancelled(id, _):
            waiting.remove(id)
            lastTried[id] = nil
            if let rider = world.orders[id]?.rider {
                roomFreed.insert(rider)
                retime(rider, at: now, trigger: "order \(id) cancelled")
            }
        case let .orderUpdated(id, _):
            guard let order = world.orders[id], let riderID = order.rider, !order.status.isFinal, let rider = world.riders[riderID] else { return }
            // An order that grew past its rider's room or changed to what the rider's channel may not carry (a tier
            // its rules keep from gig, a window after the shift) goes to another rider while it is not collected.
            if order.status == .assigned, let why = planner.refusal(rider, order, now: now, in: world, forNewWork: false) {
                reassign([id], from: riderID, at: now, reason: "order \(id) changed: \(why)")
            } else {
                retime(riderID, at: now, trigger: "order \(id) changed")
            }
        case let .riderBreakdown(id, _):
            guard planLocked else { return }
            reassignUnpicked(of: id, at: now, reason: "rider \(id) broke down")
        case let .shiftEnded(id):
            // A simulated rider ends the shift with the route done; a real one may stop early (sick, a vehicle gone):
            // what it has not collected goes to others. Parcels on board stay with it (a case asks about them).
            guard planLocked else { return }
            reassignUnpicked(of: id, at: now, reason: "rider \(id)'s shift ended")
        case let .trafficIncident(_, zone, _, _, _):
            guard planLocked else { return }
            for id in world.riderIDs where !(world.routes[id]?.stops.isEmpty ?? true) {
                if world.routes[id]!.stops.contains(where: { world.orders[$0.order]?.zone == zone }) {
                    retime(id, at: now, trigger: "traffic in \(zone)")
                }
            }
        default:
            break
        }
    }

    /// A new order: placed at once after the lock (held when its window opens beyond the plan's horizon), else
    /// kept for the day's plan.
    private func arrived(_ order: Order, at time: Instant) {
        guard planLocked else { waiting.insert(order.id); return }
        if isDue(order, at: time) { place(order.id, at: time, trigger: "order \(order.id) arrived") } else { held[order.id] = dueTime(of: order) }
    }

    /// Whether an order is to be planned at `time` (always, without a horizon).
    private func isDue(_ order: Order, at time: Instant) -> Bool { settings.planHorizon == nil || dueTime(of: order) <= time }

    /// When an order comes due, and a held order is placed: the plan's horizon before its window opens, and up to
    /// `releaseSpread` earlier, by a fixed share of its id (`releaseOffset`), so that the orders of windows opening at
    /// one time (booked windows open on the hour) are placed over that half hour, a few each minute, not all at one
    /// tick. Without a horizon only the orders a plan left for want of time are held (see `planDay`), by
    /// `deferredHorizon`.
    func dueTime(of order: Order) -> Instant {
        order.window.start - (settings.planHorizon ?? Self.deferredHorizon) - releaseOffset(of: order)
    }

    /// When an order the lock's plan left for want of time is placed: when it comes due, or, if it was due already,
    /// over the half hour after the lock (by the same share of its id), so that a budget too small for its city
    /// does not move the plan's work to the first tick. (A checkpoint keeps these, `EngineState.heldReleases`.)
    private func deferredRelease(of order: Order) -> Instant {
        let due = dueTime(of: order)
        return due > settings.planLock ? due : settings.planLock + releaseOffset(of: order) + Engine.tickInterval
    }

    private func releaseOffset(of order: Order) -> Int64 {
        Int64(SeededRandom.fnv1a(order.id) % UInt64(Self.releaseSpread / Engine.tickInterval)) * Engine.tickInterval
    }

    /// See `dueTime`.
    static let releaseSpread: Int64 = 30 * 60
    /// How long before its window opens an order the 06:00 plan had no time for is planned, in a day planned
    /// without a horizon: a large city's waves (`tower bench scale` plans them 180 minutes ahead).
    static let deferredHorizon: Int64 = 180 * 60
    /// The share of the plan's budget (`EngineSettings.planBudget`) its insertions may take; the rest is for
    /// re-sequencing the routes they built (a tenth of the plan at 2,000 riders).
    static let insertionShare = 0.8

    /// Reads a monotonic clock in nanoseconds: the plan's budget is the only decision that reads one (see
    /// `EngineSettings.planBudget`); tests set a clock of their own.
    var workClock: @Sendable () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }

    // MARK: Timed work

    /// Builds the day's plan at the lock: every open order, most urgent first, by cheapest insertion (see
    /// `LockPlan`, which splits a large plan by hub).
    ///
    /// Within the plan's budget (`EngineSettings.planBudget`): once its insertions have taken their share of it,
    /// the orders left (the least urgent) are held and planned as their windows come near, as in a day planned in
    /// waves, and once the whole budget is spent the routes left are kept as inserted, not re-sequenced.
    func planDay(at time: Instant) {
        let started = workClock()
        let budget = settings.planBudget.map { UInt64($0 * 1e9) }
        var open: [Order] = []
        for case let order? in world.orderIDs.map({ world.orders[$0] }) where order.status == .open {
            guard !isDue(order, at: time) else { open.append(order); continue }
            held[order.id] = dueTime(of: order)
            waiting.remove(order.id)
        }
        open.sort(by: Self.mostUrgentFirst)
        var scratch = world
        scratch.clock = time
        let plan = LockPlan(planner: planner, time: time, clock: workClock,
                            insertionsEnd: budget.map { started + UInt64(Double($0) * Self.insertionShare) })
        let outcome = plan.run(open, in: &scratch, split: settings.planSplitFrom.map { open.count >= $0 } ?? false)
        for order in outcome.cut {
            held[order.id] = deferredRelease(of: order)
            waiting.remove(order.id)
        }
        for (order, tried) in outcome.unplaced { lastTried[order] = Set(tried) }
        for placed in outcome.placed { ledger.decide(.orderAssigned(order: placed.order, rider: placed.rider, reason: placed.reason), at: time) }
        let changed = world.riderIDs.filter { outcome.changed[$0] != nil }
        let better = plan.resequenced(changed, in: scratch, until: budget.map { started + $0 })
        for (id, improved) in zip(changed, better) {
            let cost = outcome.changed[id]!
            let (stops, after) = improved ?? (scratch.routes[id]!.stops, cost.after)
            ledger.decide(.routePlanned(rider: id, stops: stops, trigger: "plan lock", costBefore: cost.before, costAfter: after), at: time)
        }
        for order in open where held[order.id] == nil && world.orders[order.id]?.status == .open { waiting.insert(order.id) }
    }

    /// The order the plan inserts in: the earliest window's end first, then the higher tier.
    private static func mostUrgentFirst(_ a: Order, _ b: Order) -> Bool { (a.window.end, -a.tier.rank, a.id) < (b.window.end, -b.tier.rank, b.id) }

    /// Whether a held order is due for release at `tick`.
    func releaseDue(at tick: Instant) -> Bool { held.values.contains { $0 <= tick } }

    /// Places the held orders whose release time has come, most urgent first.
    func release(at tick: Instant) {
        var due: [Order] = []
        for (id, time) in held where time <= tick {
            held[id] = nil
            guard let order = world.orders[id], order.status == .open, order.rider == nil else { continue }
            due.append(order)
        }
        let bases = RouteBases()
        for order in due.sorted(by: Self.mostUrgentFirst) {
            place(order.id, at: tick, trigger: "order \(order.id) released for its window", bases: bases)
        }
    }

    /// Whether a retry tick has work: orders wait, and room freed on some rider or a rider joined since the last.
    var retryDue: Bool { !waiting.isEmpty && (retryEveryone || !roomFreed.isEmpty) }

    /// Tries the waiting orders again at a retry tick (when `retryDue`): those priced on a rider whose room freed,
    /// or every one when a rider joined or at a full retry (`fullRetry`).
    func retryWaiting(at tick: Instant, fullRetry: Bool) {
        let all = retryEveryone || fullRetry
        let freed = roomFreed
        retryEveryone = false
        roomFreed = []
        let bases = RouteBases()
        for id in waiting.sorted() where all || !(lastTried[id].map { $0.isDisjoint(with: freed) } ?? false) {
            guard world.orders[id]?.status == .open else { waiting.remove(id); lastTried[id] = nil; continue }
            place(id, at: tick, trigger: "retry of waiting order \(id)", bases: bases)
        }
    }

    // MARK: Placing

    /// Places an order on the cheapest rider the candidate search finds, or leaves it waiting. `bases` keeps the
    /// routes worked out across the placements of one pass at one tick (see `RouteBases`).
    private func place(_ id: String, at time: Instant, trigger: String, bases: RouteBases? = nil) {
        guard let order = world.orders[id] else { return }
        var allocation = planner.allocation(of: order, in: world, now: time, bases: bases)
        if allocation.best == nil, freeThirdPartySlot(for: order, at: time) { allocation = planner.allocation(of: order, in: world, now: time, bases: bases) }
        guard let insertion = allocation.best else {
            if !waiting.contains(id) {
                let rules = channelRefusals(of: order)
                ledger.decide(.orderUnassigned(order: id, reason: "no rider can take it now\(rules.isEmpty ? "" : " (\(rules))"); retrying every 5 minutes"),
                              at: time)
                waiting.insert(id)
            }
            lastTried[id] = Set(allocation.tried)
            return
        }
        ledger.decide(.orderAssigned(order: id, rider: insertion.rider,
                                     reason: planner.reason(for: order, allocation: allocation, chosen: insertion, at: time, in: world, bases: bases)),
                      at: time)
        var stops = insertion.stops
        var after = insertion.costAfter
        if let rider = world.riders[insertion.rider], let improved = planner.improved(stops, of: rider, now: time, in: world) { (stops, after) = improved }
        ledger.decide(.routePlanned(rider: insertion.rider, stops: stops, trigger: trigger, costBefore: insertion.costBefore, costAfter: after), at: time)
    }

    // MARK: Re-planning

    private func reassignUnpicked(of riderID: String, at time: Instant, reason: String) {
        let stops = world.routes[riderID]?.stops ?? []
        // A feed may report a delivery without its pickup: only orders still to be delivered move.
        let unpicked = stops.filter { $0.kind == .pickup && !(world.orders[$0.order]?.status.isFinal ?? true) }.map(\.order)
        guard !unpicked.isEmpty else { return }
        reassign(unpicked, from: riderID, at: time, reason: reason)
    }

    /// The orders `riderID` has not collected that its profile no longer allows (`InsertionPlanner.refusal`), then,
    /// while the load along what is left of its route would pass its room, the one whose window ends last: each
    /// moved to another rider with why, or the route re-timed when nothing has to move.
    private func shed(_ riderID: String, at time: Instant) {
        guard let rider = world.riders[riderID], let stops = world.routes[riderID]?.stops, !stops.isEmpty else { return }
        var moving: [(order: String, why: String)] = []
        for stop in stops where stop.kind == .pickup {
            guard let order = world.orders[stop.order], order.status == .assigned,
                  let why = planner.refusal(rider, order, now: time, in: world, forNewWork: false) else { continue }
            moving.append((order.id, why))
        }
        var kept = stops.filter { stop in !moving.contains { $0.order == stop.order } }
        let profile = rider.profile
        let orders = world.orders
        let latest = { (stops: [Stop]) in
            stops.filter { $0.kind == .pickup }.compactMap { orders[$0.order] }.max { ($0.window.end, $0.id) < ($1.window.end, $1.id) }
        }
        while let peak = Self.peakLoad(of: kept, from: rider, in: world),
              peak.parcels > profile.capacityParcels || peak.kg > profile.capacityKg + 1e-9, let last = latest(kept) {
            let room = "with \(profile.capacityParcels) parcels and \(formatNumber(profile.capacityKg)) kg of room"
            moving.append((last.id, "\(room), \(last.id) (window to \(ISOTime.clock(last.window.end, offsetSeconds: world.utcOffsetSeconds))) no longer fits"))
            kept.removeAll { $0.order == last.id }
        }
        guard !moving.isEmpty else { return retime(riderID, at: time, trigger: "\(riderID) registered again") }
        for (order, why) in moving { reassign([order], from: riderID, at: time, reason: "\(riderID) registered again: \(why)") }
    }

    /// The most a rider would carry along `stops` as it leaves a pickup (its parcels on board, each pickup's added,
    /// each delivery's taken off), nil when it collects nothing. Only pickups count: what is on board already is
    /// there whatever the vehicle, and a pickup after enough deliveries may still fit.
    private static func peakLoad(of stops: [Stop], from rider: Rider, in world: World) -> (parcels: Int, kg: Double)? {
        var parcels = rider.loadParcels, kg = rider.loadKg
        var peak: (parcels: Int, kg: Double)?
        let collected = Set(stops.lazy.filter { $0.kind == .pickup }.map(\.order))
        for stop in stops {
            guard let order = world.orders[stop.order] else { continue }
            if stop.kind == .pickup {
                parcels += order.parcels
                kg += order.kg
                peak = (max(peak?.parcels ?? 0, parcels), max(peak?.kg ?? 0, kg))
            } else if order.status == .pickedUp || collected.contains(order.id) {
                parcels -= order.parcels
                kg -= order.kg
            }
        }
        return peak
    }

    /// Moves `orders` (not collected yet) off `riderID` to the riders they cost least on, or leaves them waiting
    /// when nobody can take them, then re-plans what `riderID` has left.
    private func reassign(_ orders: [String], from riderID: String, at time: Instant, reason: String) {
        let before = planner.retimed(world.riders[riderID]!, in: world, now: time).cost
        for id in orders {
            guard let order = world.orders[id],
                  let insertion = planner.bestInsertion(of: order, in: world, now: time, excluding: [riderID]) else {
                ledger.decide(.orderUnassigned(order: id, reason: reason + "; no other rider can take it"), at: time)
                continue
            }
            ledger.decide(.orderReassigned(order: id, from: riderID, to: insertion.rider, reason: reason), at: time)
            ledger.decide(.routePlanned(rider: insertion.rider, stops: insertion.stops, trigger: reason,
                                        costBefore: insertion.costBefore, costAfter: insertion.costAfter), at: time)
        }
        let after = planner.retimed(world.riders[riderID]!, in: world, now: time)
        ledger.decide(.routePlanned(rider: riderID, stops: after.stops, trigger: reason, costBefore: before, costAfter: after.cost), at: time)
    }

    /// A parcel picked up by a rider whose route does not deliver it (the feed reported the pickup by another rider
    /// than the plan's): its delivery goes into that rider's route, at the cheapest place, or last when no place
    /// keeps every window, since the parcel is on that bike whatever the plan said.
    private func routeParcelOnBoard(_ orderID: String, of riderID: String, at time: Instant) {
        guard let order = world.orders[orderID], order.status == .pickedUp, let rider = world.riders[riderID],
              !(world.routes[riderID]?.stops.contains { $0.order == orderID && $0.kind == .delivery } ?? false) else { return }
        let trigger = "\(riderID) picked up \(orderID)"
        if let insertion = planner.bestInsertion(of: order, into: rider, in: world, now: time, conditions: TravelConditions(world)) {
            ledger.decide(.routePlanned(rider: riderID, stops: insertion.stops, trigger: trigger, costBefore: insertion.costBefore,
                                        costAfter: insertion.costAfter), at: time)
            return
        }
        // No place the planner would choose (a shift too short, a window already gone): the parcel is on board all the
        // same, so it goes where it costs least, lateness and overtime counted. Each place is priced on the route's
        // stops resolved once: in `tower bench events` this path was a third of the profile (a feed's pickups often
        // find no delivery stop on the rider's route).
        let stops = world.routes[riderID]?.stops ?? []
        let start = planner.start(of: rider, now: time, in: world), conditions = TravelConditions(world)
        let resolved = StopInfo.resolve(stops, in: world, now: time)
        let delivery = Stop(order: orderID, kind: .delivery, eta: time)
        guard let deliveryInfo = StopInfo(delivery, ref: -1, in: world, now: time) else { return }
        let cost = { (infos: [StopInfo]) in
            self.planner.evaluator.evaluate(infos, profile: rider.profile, from: start, conditions: conditions, wantETAs: false).cost
        }
        var best = (position: stops.count, cost: Double.infinity)
        for position in planner.frozenPrefix(of: rider, route: stops)...stops.count {
            var infos = resolved
            infos.insert(deliveryInfo, at: resolved.firstIndex { $0.ref >= position } ?? resolved.count)
            let placed = cost(infos)
            if placed < best.cost { best = (position, placed) }
        }
        var placed = stops
        placed.insert(delivery, at: best.position)
        let timed = planner.evaluator.evaluate(placed, rider: rider, from: start, now: time, in: world)
        ledger.decide(.routePlanned(rider: riderID, stops: zip(placed, timed.etas).map { Stop(order: $0.order, kind: $0.kind, eta: $1) },
                                    trigger: trigger, costBefore: cost(resolved), costAfter: timed.cost), at: time)
    }

    private func retime(_ riderID: String, at time: Instant, trigger: String) {
        guard let rider = world.riders[riderID] else { return }
        let before = world.routes[riderID].map { route in
            planner.evaluator.evaluate(route.stops, rider: rider, from: planner.start(of: rider, now: route.plannedAt, in: world), now: route.plannedAt, in: world).cost
        } ?? 0
        let after = planner.retimed(rider, in: world, now: time)
        ledger.decide(.routePlanned(rider: riderID, stops: after.stops, trigger: trigger, costBefore: before, costAfter: after.cost), at: time)
    }

    // MARK: Channels

    /// Why each channel cannot take `order` by the rules, e.g. `own: zone jacarepagua is outside the own fleet's
    /// zones; 3pl: 3PL wave 06:00–11:00 is full (80/80)`; empty when the rules allow every channel.
    private func channelRefusals(of order: Order) -> String {
        let load = world.thirdPartyWaveLoad(excluding: order.id)
        return Channel.allCases.compactMap { channel in
            world.channelRefusal(channel, for: order, waveLoad: load).map { "\(channel.rawValue): \($0)" }
        }.joined(separator: "; ")
    }

    /// When the rules leave `order` to the 3PL alone and its wave is full, frees a slot: of the 3PL's orders in that
    /// wave not yet collected and not pinned, the one another channel takes at the least extra cost moves there.
    /// Returns whether a slot was freed. Greedy first-come placement fills waves with orders that had other options;
    /// this gives the slot back to the order that has none. Not in static mode, which keeps the plan as made.
    private func freeThirdPartySlot(for order: Order, at time: Instant) -> Bool {
        guard settings.mode != .static, world.channelRefusal(.own, for: order) != nil, world.channelRefusal(.gig, for: order) != nil,
              let wave = world.channels.wave(of: order, utcOffsetSeconds: world.utcOffsetSeconds) else { return false }
        let load = world.thirdPartyWaveLoad(excluding: order.id)
        guard wave < load.count, Double(load[wave]) >= world.channels.thirdPartyWaves[wave].value else { return false }
        var best: (order: String, from: String, insertion: InsertionPlanner.Insertion)?
        for id in world.orderIDs {
            guard let held = world.orders[id], held.status == .assigned, held.pinnedRider == nil, let rider = held.rider,
                  world.riders[rider]?.profile.channel == .thirdParty, world.channels.wave(of: held, utcOffsetSeconds: world.utcOffsetSeconds) == wave,
                  let holder = world.riders[rider], !planner.isFrozen(id, on: holder, in: world),
                  let insertion = planner.bestInsertion(of: held, in: world, now: time, among: [.own, .gig]),
                  insertion.delta < best?.insertion.delta ?? .infinity else { continue }
            best = (id, rider, insertion)
        }
        guard let best, let holder = world.riders[best.from] else { return false }
        let reason = "frees a 3PL wave slot for \(order.id), which only the 3PL may take"
        let before = planner.retimed(holder, in: world, now: time).cost
        ledger.decide(.orderReassigned(order: best.order, from: best.from, to: best.insertion.rider, reason: reason), at: time)
        ledger.decide(.routePlanned(rider: best.insertion.rider, stops: best.insertion.stops, trigger: reason,
                             costBefore: best.insertion.costBefore, costAfter: best.insertion.costAfter), at: time)
        let after = planner.retimed(world.riders[best.from]!, in: world, now: time)
        ledger.decide(.routePlanned(rider: best.from, stops: after.stops, trigger: reason, costBefore: before, costAfter: after.cost), at: time)
        return true
    }
}
