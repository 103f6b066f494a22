/// The engine's plan improvement: keeps improving the live plan without holding up the core. At `now` a
/// ruin-and-recreate search (`LiveImprover`) starts on a copy of the world, on `runner`'s thread; `Engine.searchLatency`
/// later, on the clock, its outcome is taken, rebased onto the world as it is then, and committed through the ledger
/// when it still lowers the plan's cost. The budget is a number of iterations and the seed comes from the clock, so
/// the same day makes the same decisions at the same instants, whichever thread searched and however long it took.
final class PlanImprover {
    private let ledger: CoreLedger
    private let planner: InsertionPlanner
    private var world: World { _read { yield ledger.world } }
    /// Where plan searches run: inline by default; a board or a server gives them a thread of their own.
    private(set) var runner: PlanSearchRunner = InlinePlanSearch()
    /// The plan search running, if any.
    private(set) var inFlight: PlanSearch?
    /// Times the taking of an outcome when set (`tower bench scale`).
    var stopwatch: EngineStopwatch?

    init(ledger: CoreLedger, planner: InsertionPlanner) {
        self.ledger = ledger
        self.planner = planner
    }

    /// Starts a search of `iterations` at `started` on `world`: the world as it stands, or the one a checkpoint's
    /// search started on. Its seed is the clock's.
    func start(on world: World, at started: Instant, iterations: Int) {
        let search = PlanSearch(world: world, now: started, seed: UInt64(bitPattern: started.seconds), iterations: iterations, planner: planner)
        runner.start(search)
        inFlight = search
    }

    /// Moves plan searches to `runner`; a search in flight starts over there on the same copy of the world, so its
    /// outcome is the same.
    func run(on runner: PlanSearchRunner) {
        self.runner = runner
        if let inFlight { runner.start(inFlight) }
    }

    /// Takes the outcome of the search in flight and commits what of it still holds.
    func finish(at now: Instant) {
        guard let search = inFlight else { return }
        inFlight = nil
        let started = search.now, snapshot = search.world
        let clock = stopwatch?.start()
        let outcome = runner.outcome()  // inline (headless, benches), the search itself runs here
        stopwatch?.record(.planSearch, since: clock)
        guard !outcome.isEmpty, outcome.costAfter < outcome.costBefore - 1e-6,
              let routes = rebase(outcome, searchedOn: snapshot, at: now) else { return }
        let before = routes.reduce(0) { $0 + $1.before }
        let after = routes.reduce(0) { $0 + $1.cost }
        guard after < before - 1e-6 else { return }
        let trigger = "improvement: ruin and recreate from \(ISOTime.clock(started, offsetSeconds: world.utcOffsetSeconds)) "
            + "(\(outcome.iterations) iterations, \(outcome.accepted) kept), plan cost \(formatNumber(before)) → \(formatNumber(after))"
        // Orders leaving the 3PL go first, so no wave is over its capacity between two of these decisions.
        let leaving = outcome.moves.filter { world.riders[$0.from]?.profile.channel == .thirdParty }
        for move in leaving + outcome.moves.filter({ world.riders[$0.from]?.profile.channel != .thirdParty }) {
            ledger.decide(.orderReassigned(order: move.order, from: move.from, to: move.to, reason: trigger), at: now)
        }
        for route in routes {
            ledger.decide(.routePlanned(rider: route.rider, stops: route.stops, trigger: trigger, costBefore: route.before, costAfter: route.cost), at: now)
        }
    }

    /// The search's routes carried over to the world of `now`: stops done since the search began are dropped;
    /// nil when the plan changed under it in a way it did not see (a stop added or re-sequenced, a moved order
    /// collected, a driving rider heading elsewhere) or when the result breaks a rule now (capacity, a 3PL wave).
    private func rebase(_ outcome: LiveImprover.Outcome, searchedOn snapshot: World, at now: Instant)
        -> [(rider: String, stops: [Stop], before: Double, cost: Double)]? {
        func key(_ stop: Stop) -> String { stop.order + (stop.kind == .pickup ? "/p" : "/d") }
        for move in outcome.moves {
            guard let order = world.orders[move.order], order.status == .assigned, order.rider == move.from else { return nil }
        }
        var draft = world
        for move in outcome.moves {
            guard var order = draft.orders[move.order] else { continue }
            order.rider = move.to
            draft.putOrder(order)
        }
        var planned: [(rider: String, stops: [Stop])] = []
        for route in outcome.routes {
            let then = (snapshot.routes[route.rider]?.stops ?? []).map(key)
            let current = world.routes[route.rider]?.stops ?? []
            guard current.count <= then.count, Array(then.suffix(current.count)) == current.map(key),
                  let rider = world.riders[route.rider] else { return nil }
            let done = Set(then.prefix(then.count - current.count))
            let stops = route.stops.filter { !done.contains(key($0)) }
            if planner.frozenPrefix(of: rider, route: current) == 1, stops.first.map(key) != current.first.map(key) { return nil }
            draft.setRoute(Route(stops: stops, plannedAt: now), of: route.rider)
            planned.append((route.rider, stops))
        }
        let loadNow = world.thirdPartyWaveLoad(), loadAfter = draft.thirdPartyWaveLoad()
        for wave in loadAfter.indices where loadAfter[wave] > loadNow[wave] && Double(loadAfter[wave]) > draft.channels.thirdPartyWaves[wave].value {
            return nil
        }
        var routes: [(rider: String, stops: [Stop], before: Double, cost: Double)] = []
        for (id, stops) in planned {
            let rider = draft.riders[id]!
            let timed = planner.evaluator.evaluate(stops, rider: rider, from: planner.start(of: rider, now: now, in: draft), now: now, in: draft)
            guard timed.feasible else { return nil }
            let before = planner.retimed(world.riders[id]!, in: world, now: now).cost
            routes.append((id, zip(stops, timed.etas).map { Stop(order: $0.order, kind: $0.kind, eta: $1) }, before, timed.cost))
        }
        return routes
    }
}
