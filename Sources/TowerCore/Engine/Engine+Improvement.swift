extension Engine {
    /// Keeps improving the live plan without holding up the caller: at `now` a ruin-and-recreate search
    /// (`LiveImprover`) starts on a copy of the world, on `planSearch`'s thread; `searchLatency` later, on the
    /// clock, its outcome is taken, rebased onto the world as it is then, and committed as the core's decisions when
    /// it still lowers the plan's cost. The budget is a number of iterations and the seed comes from the clock, so
    /// the same day makes the same decisions at the same instants, whichever thread searched and however long it took.
    func startPlanSearch(at now: Instant) {
        let search = planSearch(on: world, at: now, iterations: settings.improveIterations)
        planSearch.start(search)
        searchInFlight = search
    }

    /// The search that starts at `now` on `world`: its seed is the clock's.
    func planSearch(on world: World, at now: Instant, iterations: Int) -> PlanSearch {
        PlanSearch(world: world, now: now, seed: UInt64(bitPattern: now.seconds), iterations: iterations, planner: planner)
    }

    /// Moves plan searches to `runner`; a search in flight starts over there on the same copy of the world, so its
    /// outcome is the same.
    public func runPlanSearches(on runner: PlanSearchRunner) {
        planSearch = runner
        if let searchInFlight { runner.start(searchInFlight) }
    }

    /// Takes the outcome of the search in flight and commits what of it still holds (see `startPlanSearch`).
    func finishPlanSearch(at now: Instant) {
        guard let search = searchInFlight else { return }
        searchInFlight = nil
        let started = search.now, snapshot = search.world
        let clock = stopwatch?.start()
        let outcome = planSearch.outcome()  // inline (headless, benches), the search itself runs here
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
            decide(.orderReassigned(order: move.order, from: move.from, to: move.to, reason: trigger), at: now)
        }
        for route in routes {
            decide(.routePlanned(rider: route.rider, stops: route.stops, trigger: trigger, costBefore: route.before, costAfter: route.cost), at: now)
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
            let timed = planner.evaluator.evaluate(stops, rider: rider, from: planner.start(of: rider, now: now, in: draft), in: draft)
            guard timed.feasible else { return nil }
            let before = planner.retimed(world.riders[id]!, in: world, now: now).cost
            routes.append((id, zip(stops, timed.etas).map { Stop(order: $0.order, kind: $0.kind, eta: $1) }, before, timed.cost))
        }
        return routes
    }
}
