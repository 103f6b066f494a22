/// Improves one rider's route in place by moving single deliveries to better positions (or-opt of length one),
/// keeping every delivery after its pickup and the frozen first stop where it is. First improvement, a few passes.
public struct RouteImprover: Sendable {
    public let evaluator: RouteEvaluator
    public var passes = 3

    public init(evaluator: RouteEvaluator) { self.evaluator = evaluator }

    /// The improved route with its ETAs and cost, planned at `now`, or nil when no move lowers the cost.
    public func improve(_ stops: [Stop], rider: Rider, start: RouteEvaluator.Start, frozen: Int, now: Instant,
                        in world: World) -> (stops: [Stop], cost: Double)? {
        var infos = StopInfo.resolve(stops, in: world, now: now)
        guard infos.count == stops.count, infos.count > 2 else { return nil }
        let conditions = TravelConditions(world)
        func cost(_ candidate: [StopInfo]) -> Double? {
            let result = evaluator.evaluate(candidate, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
            return result.feasible ? result.cost : nil
        }
        guard var best = cost(infos) else { return nil }
        let original = best
        let profile = rider.profile
        for _ in 0..<passes {
            var improved = false
            var index = frozen
            while index < infos.count {
                guard infos[index].kind == .delivery else { index += 1; continue }
                let moving = infos[index]
                var without = infos
                without.remove(at: index)
                // It must stay after its own pickup, if that is still on the route.
                let pickup = without.firstIndex { $0.kind == .pickup && stops[$0.ref].order == stops[moving.ref].order }
                let earliest = max(frozen, pickup.map { $0 + 1 } ?? 0)
                // The walk of the route without it, kept at every place: each place tried walks on from there (the
                // stops before it are the same), which is what walking the whole candidate would add up to the bit.
                var walks: [RouteEvaluator.Walk] = []
                walks.reserveCapacity(without.count + 1)
                var walk = RouteEvaluator.Walk(from: start)
                walks.append(walk)
                for info in without {
                    _ = evaluator.step(&walk, to: info, profile: profile, start: start, conditions: conditions)
                    walks.append(walk)
                }
                for position in earliest...without.count where position != index {
                    if let value = costBelow(best - 1e-6, of: moving, at: position, in: without, from: walks[position], profile: profile,
                                            start: start, conditions: conditions) {
                        best = value
                        without.insert(moving, at: position)
                        infos = without
                        improved = true
                        break
                    }
                }
                index += 1
            }
            if !improved { break }
        }
        guard best < original - 1e-6 else { return nil }
        let timed = evaluator.evaluate(infos, profile: rider.profile, from: start, conditions: conditions)
        return (zip(infos, timed.etas).map { Stop(order: stops[$0.ref].order, kind: $0.kind, eta: $1) }, best)
    }

    /// The cost of `route` with `moving` inserted at `position`, walked on from `walk` (the route's walk up to that
    /// place), when the result is feasible and costs less than `limit`; nil otherwise. The walk stops as soon as what
    /// it has added reaches `limit` or a load goes over capacity: nothing after can bring it back.
    private func costBelow(_ limit: Double, of moving: StopInfo, at position: Int, in route: [StopInfo], from walk: RouteEvaluator.Walk,
                           profile: RiderProfile, start: RouteEvaluator.Start, conditions: TravelConditions) -> Double? {
        var walk = walk
        guard walk.feasible else { return nil }
        _ = evaluator.step(&walk, to: moving, profile: profile, start: start, conditions: conditions)
        for k in position..<route.count {
            guard walk.feasible, walk.cost(profile: profile, start: start) < limit else { return nil }
            _ = evaluator.step(&walk, to: route[k], profile: profile, start: start, conditions: conditions)
        }
        guard walk.isFeasible(profile: profile) else { return nil }
        let value = walk.cost(profile: profile, start: start)
        return value < limit ? value : nil
    }
}
