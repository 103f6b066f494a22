extension Engine {
    /// Keeps improving the live plan: a bounded ruin-and-recreate search (`LiveImprover`) on a copy of the world,
    /// committed as the core's decisions when it lowers the plan's cost. The budget is a number of iterations and
    /// the search is seeded by the clock, so the same day makes the same decisions at the same instants.
    func improvePlan(at now: Instant) {
        let outcome = LiveImprover(planner: planner).improve(world, now: now, seed: UInt64(bitPattern: now.seconds),
                                                             iterations: settings.improveIterations)
        guard !outcome.isEmpty, outcome.costAfter < outcome.costBefore - 1e-6 else { return }
        let trigger = "improvement: ruin and recreate, plan cost \(formatNumber(outcome.costBefore)) → \(formatNumber(outcome.costAfter))"
        // Orders leaving the 3PL go first, so no wave is over its capacity between two of these decisions.
        let leaving = outcome.moves.filter { world.riders[$0.from]?.profile.channel == .thirdParty }
        for move in leaving + outcome.moves.filter({ world.riders[$0.from]?.profile.channel != .thirdParty }) {
            decide(.orderReassigned(order: move.order, from: move.from, to: move.to, reason: trigger), at: now)
        }
        for route in outcome.routes {
            decide(.routePlanned(rider: route.rider, stops: route.stops, trigger: trigger, costBefore: route.costBefore, costAfter: route.costAfter),
                   at: now)
        }
    }
}
