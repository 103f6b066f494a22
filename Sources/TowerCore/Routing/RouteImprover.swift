/// Improves one rider's route in place by moving single deliveries to better positions (or-opt of length one),
/// keeping every delivery after its pickup and the frozen first stop where it is. First improvement, a few passes.
public struct RouteImprover: Sendable {
    public let evaluator: RouteEvaluator
    public var passes = 3

    public init(evaluator: RouteEvaluator) { self.evaluator = evaluator }

    /// The improved route with its ETAs and cost, planned at `now`, or nil when no move lowers the cost.
    public func improve(_ stops: [Stop], rider: Rider, start: RouteEvaluator.Start, frozen: Int, now: Instant,
                        in world: World) -> (stops: [Stop], cost: Double)? {
        var infos = stops.enumerated().compactMap { StopInfo($1, ref: $0, in: world, now: now) }
        guard infos.count == stops.count, infos.count > 2 else { return nil }
        let conditions = TravelConditions(world)
        func cost(_ candidate: [StopInfo]) -> Double? {
            let result = evaluator.evaluate(candidate, profile: rider.profile, from: start, conditions: conditions, wantETAs: false)
            return result.feasible ? result.cost : nil
        }
        guard var best = cost(infos) else { return nil }
        let original = best
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
                for position in earliest...without.count where position != index {
                    var candidate = without
                    candidate.insert(moving, at: position)
                    if let value = cost(candidate), value < best - 1e-6 {
                        best = value
                        infos = candidate
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
}
