import Foundation

/// An anytime VRPTW search after SISR (Christiaens & Vanden Berghe, "Slack induction by string removals", 2020):
/// ruin removes strings of consecutive customers from routes near a random seed customer; recreate puts them back
/// greedily, cheapest feasible position first, skipping a position now and then ("blinks"); simulated annealing
/// decides whether to keep the result.
///
/// With the vehicles-first objective, the first part of the time goes to fleet minimisation: the smallest route
/// is dissolved and the search runs with a fixed fleet until every customer has a place again, preferring
/// customers that have been left out less often (absence counts). Deterministic for a seed and an iteration
/// count; a time limit makes it depend on the machine's speed.
public struct RuinRecreateSolver {
    public struct Settings: Sendable {
        public var seed: UInt64 = 1
        /// Wall-clock budget in seconds (nil: iterations only).
        public var timeLimit: Double? = 1
        /// Iteration budget (nil: time only).
        public var iterations: Int?
        /// Most of the budget spent removing vehicles when the objective counts vehicles first, and most of it one
        /// attempt to remove a route may take: an attempt that fails hands the rest of the time to distance.
        public var fleetShare = 0.5
        public var attemptShare = 0.15
        /// Average number of customers a ruin removes, and the longest string.
        public var averageRemoved = 10.0
        public var maxString = 10.0
        public var blinkRate = 0.01
        public var startTemperature = 30.0
        public var endTemperature = 1.0

        public init(seed: UInt64 = 1, timeLimit: Double? = 1, iterations: Int? = nil) {
            self.seed = seed; self.timeLimit = timeLimit; self.iterations = iterations
        }
    }

    public let instance: VRPInstance
    public let settings: Settings
    private var rng: SeededRandom
    /// Each customer's other customers, nearest first.
    private let neighbours: [[Int]]
    private var absences: [Int]
    private let began = Date()

    public init(instance: VRPInstance, settings: Settings) {
        self.instance = instance
        self.settings = settings
        rng = SeededRandom(seed: settings.seed, stream: "solver")
        let n = instance.customerCount
        neighbours = (0...n).map { c in
            c == 0 ? [] : (1...n).sorted { (instance.distance(c, $0), $0) < (instance.distance(c, $1), $1) }
        }
        absences = Array(repeating: 0, count: n + 1)
    }

    /// Runs the search and returns the best solution found. Throws when the fleet cannot serve every customer.
    public mutating func solve() throws -> VRPSolution {
        var best = construct()
        guard best.unassigned.isEmpty else {
            throw ToolError("\(instance.name): no solution with \(instance.maxVehicles) vehicles found by construction; the instance may be infeasible")
        }
        let total = settings.iterations ?? Int.max
        let fleetBudget = instance.objective == .vehiclesThenDistance ? settings.fleetShare : 0
        var iteration = 0
        if fleetBudget > 0 {
            let lowerBound = Int((Double(instance.demand.reduce(0, +)) / Double(instance.capacity)).rounded(.up))
            iteration = minimiseFleet(&best, until: fleetBudget, iterationsTotal: total, lowerBound: lowerBound)
        }
        best = minimiseDistance(best, from: iteration, iterationsTotal: total, allowNewRoutes: instance.objective == .distance)
        best.dropEmptyRoutes(instance)
        return VRPSolution(routes: best.routes, distance: best.distance)
    }

    /// How far through the budget we are, 0…1.
    private func progress(_ iteration: Int, _ total: Int) -> Double {
        var share = total == Int.max ? 0 : Double(iteration) / Double(total)
        if let limit = settings.timeLimit { share = max(share, Date().timeIntervalSince(began) / limit) }
        return min(1, share)
    }

    private mutating func construct() -> WorkingSolution {
        var solution = WorkingSolution(customers: instance.customerCount)
        solution.unassigned = Array(1...instance.customerCount).sorted { (instance.due[$0], $0) < (instance.due[$1], $1) }
        recreate(&solution, allowNewRoutes: true, sort: false)
        return solution
    }

    // MARK: Phases

    private mutating func minimiseFleet(_ best: inout WorkingSolution, until share: Double, iterationsTotal: Int, lowerBound: Int) -> Int {
        var iteration = 0
        while best.routes.count > lowerBound, progress(iteration, iterationsTotal) < share {
            var current = best
            let smallest = current.routes.indices.min { (current.routes[$0].count, $0) < (current.routes[$1].count, $1) }!
            current.unassigned = current.routes[smallest]
            for customer in current.routes[smallest] { current.routeOf[customer] = -1 }
            current.routes[smallest] = []
            current.refresh(smallest, instance)
            current.dropEmptyRoutes(instance)
            let attemptStart = progress(iteration, iterationsTotal)
            while !current.unassigned.isEmpty, progress(iteration, iterationsTotal) < min(share, attemptStart + settings.attemptShare) {
                iteration += 1
                var candidate = current
                ruin(&candidate)
                recreate(&candidate, allowNewRoutes: false, sort: true)
                for customer in candidate.unassigned { absences[customer] += 1 }
                let fewer = candidate.unassigned.count < current.unassigned.count
                let lighter = candidate.unassigned.reduce(0) { $0 + absences[$1] } < current.unassigned.reduce(0) { $0 + absences[$1] }
                if fewer || lighter { current = candidate }
            }
            if current.unassigned.isEmpty { best = current } else { break }
        }
        return iteration
    }

    private mutating func minimiseDistance(_ start: WorkingSolution, from first: Int, iterationsTotal: Int, allowNewRoutes: Bool) -> WorkingSolution {
        var best = start
        var current = start
        var iteration = first
        let span = max(1e-9, 1 - progress(first, iterationsTotal))
        let base = progress(first, iterationsTotal)
        while progress(iteration, iterationsTotal) < 1 {
            iteration += 1
            var candidate = current
            ruin(&candidate)
            recreate(&candidate, allowNewRoutes: allowNewRoutes, sort: true)
            guard candidate.unassigned.isEmpty else { continue }
            let done = (progress(iteration, iterationsTotal) - base) / span
            let temperature = settings.startTemperature * pow(settings.endTemperature / settings.startTemperature, done)
            let candidateCost = cost(candidate), currentCost = cost(current)
            if candidateCost < currentCost - temperature * log(max(rng.unit(), 1e-300)) {
                current = candidate
                if candidateCost < cost(best) { best = candidate }
            }
        }
        return best
    }

    private func cost(_ solution: WorkingSolution) -> Double {
        solution.distance + Double(solution.unassigned.count) * 1e7
    }

    // MARK: Ruin and recreate

    /// Removes strings of consecutive customers from routes near a random seed customer.
    private mutating func ruin(_ solution: inout WorkingSolution) {
        let assigned = solution.routes.reduce(0) { $0 + $1.count }
        guard assigned > 0 else { return }
        let averageLength = Double(assigned) / Double(max(1, solution.routes.filter { !$0.isEmpty }.count))
        let stringMax = min(settings.maxString, averageLength)
        let routesMax = 4 * settings.averageRemoved / (1 + stringMax) - 1
        let routesToRuin = Int(rng.unit() * routesMax) + 1
        var seed = 1 + Int(rng.unit() * Double(instance.customerCount))
        if solution.routeOf[seed] < 0, let any = solution.routes.first(where: { !$0.isEmpty })?.first { seed = any }
        var ruined: [Int] = []
        for index in -1..<neighbours[seed].count {
            if ruined.count >= routesToRuin { break }
            let customer = index < 0 ? seed : neighbours[seed][index]
            let r = solution.routeOf[customer]
            guard r >= 0, !ruined.contains(r) else { continue }
            let nodes = solution.routes[r]
            let lengthMax = min(Double(nodes.count), stringMax)
            let length = Int(rng.unit() * lengthMax) + 1
            guard let at = nodes.firstIndex(of: customer) else { continue }
            let lowest = max(0, at - length + 1), highest = min(at, nodes.count - length)
            let first = lowest + Int(rng.unit() * Double(highest - lowest + 1))
            let removed = Array(nodes[first..<(first + length)])
            solution.routes[r].removeSubrange(first..<(first + length))
            for c in removed { solution.routeOf[c] = -1 }
            solution.unassigned += removed
            solution.refresh(r, instance)
            ruined.append(r)
        }
    }

    /// Puts unassigned customers back, each at its cheapest feasible position (skipping positions at the blink rate).
    private mutating func recreate(_ solution: inout WorkingSolution, allowNewRoutes: Bool, sort: Bool) {
        var pending = solution.unassigned
        solution.unassigned = []
        if sort {
            let roll = rng.unit() * 11
            if roll < 4 {
                for index in stride(from: pending.count - 1, to: 0, by: -1) { pending.swapAt(index, Int(rng.unit() * Double(index + 1))) }
            } else if roll < 8 {
                pending.sort { (instance.demand[$0], $0) > (instance.demand[$1], $1) }
            } else if roll < 10 {
                pending.sort { (instance.distance(0, $0), $0) > (instance.distance(0, $1), $1) }
            } else {
                pending.sort { (instance.distance(0, $0), $0) < (instance.distance(0, $1), $1) }
            }
        }
        for customer in pending {
            var bestCost = Double.infinity
            var bestRoute = -1, bestPosition = -1
            for r in solution.routes.indices where solution.load[r] + instance.demand[customer] <= instance.capacity {
                for p in 0...solution.routes[r].count {
                    if rng.unit() < settings.blinkRate { continue }
                    if let delta = solution.insertionCost(of: customer, route: r, position: p, instance), delta < bestCost {
                        bestCost = delta; bestRoute = r; bestPosition = p
                    }
                }
            }
            if bestRoute >= 0 {
                solution.routes[bestRoute].insert(customer, at: bestPosition)
                solution.refresh(bestRoute, instance)
            } else if allowNewRoutes, solution.routes.filter({ !$0.isEmpty }).count < instance.maxVehicles {
                solution.appendRoute([customer], instance)
            } else {
                solution.unassigned.append(customer)
            }
        }
    }
}
