/// The live view ahead: every rider's coming stops re-timed from where the rider is now, and the orders whose
/// predicted arrival is close to or past the end of their window.
///
/// Predictions come from the learned ETA model when one is given (`LearnedRouteTimes`: its P50 per leg and its own
/// spread), else from the travel model with the risk model's spread; every ETA has a P10 and a P90, each side of the
/// spread scaled as the arrivals at that horizon say (`RangeCalibration`) when it is given one. An order is
/// at risk when its chance of missing its window reaches the risk model's threshold. The list ranks by that chance,
/// then tier, then the time left.
public struct Outlook: Sendable, Codable {
    /// Slack below which an order counts as at risk (the travel model's typical error at an hour's horizon).
    public static let margin: Int64 = 15 * 60

    public struct Lane: Sendable, Codable {
        public var rider: String
        public var stops: [Stop]
        /// Predicted lateness per stop in seconds (negative: slack left), aligned with `stops`.
        public var slack: [Int64]
        /// The 10th and 90th percentiles of each stop's ETA (`stops[i].eta` is the P50).
        public var p10: [Instant]
        public var p90: [Instant]
        public var lateCount: Int { slack.filter { $0 < 0 }.count }
    }

    public struct AtRisk: Sendable, Hashable, Codable {
        public var order: String
        public var rider: String?
        public var tier: Tier
        /// The predicted arrival (P50) and its P10–P90 range; nil when nobody carries the order.
        public var eta: Instant?
        public var etaRange: ClosedRange<Instant>?
        /// The order's current promise: the window its customer was last told.
        public var window: TimeWindow
        /// Seconds between predicted arrival and the window's end; negative when it will be late.
        public var slack: Int64
        /// The predicted arrival is already behind the plan's ETA by this much (0 when on plan).
        public var drift: Int64
        /// The chance it arrives after its window closes.
        public var probability: Double
    }

    public var lanes: [String: Lane] = [:]
    public var atRisk: [AtRisk] = []

    /// What an outlook is timed from, copied out of a core or a board's copy of one: values only, so it can be
    /// timed on another thread while the world goes on.
    public struct Inputs: Sendable {
        let world: World
        let now: Instant
        let planner: InsertionPlanner
        let learned: ETAModel?
        let calibration: RangeCalibration?
        let horizon: Int64?

        /// Timed on every core, or (`onEveryCore: false`) on the calling thread alone: a refresh in the background
        /// that should leave the other cores to the core's loop and the boards.
        public func outlook(onEveryCore: Bool = true) -> Outlook {
            Outlook(world: world, now: now, planner: planner, learned: learned, calibration: calibration, horizon: horizon, onEveryCore: onEveryCore)
        }

        /// The outlook re-timing only the lanes `lanes` says are due (`OutlookLanes`), and keeping them there.
        public func outlook(onEveryCore: Bool = true, keeping lanes: inout OutlookLanes?) -> Outlook {
            Outlook(world: world, now: now, planner: planner, learned: learned, calibration: calibration, horizon: horizon, onEveryCore: onEveryCore,
                    keeping: &lanes)
        }
    }

    /// Computes the outlook of `world` at `now`. A stop's slack is counted against the window the customer booked
    /// (late is late as every figure counts it); an order is at risk when it may break its current promise (what
    /// its customer was last told), and only when that promise ends within `horizon` (what needs attention now).
    public init(world: World, now: Instant, planner: InsertionPlanner = InsertionPlanner(), risk: RiskModel = RiskModel(),
                learned: ETAModel? = nil, calibration: RangeCalibration? = nil, horizon: Int64? = nil, onEveryCore: Bool = true) {
        var everyLane: OutlookLanes?
        self.init(world: world, now: now, planner: planner, risk: risk, learned: learned, calibration: calibration, horizon: horizon,
                  onEveryCore: onEveryCore, keeping: &everyLane)
    }

    /// The same outlook, re-timing only the lanes `kept` says are due and taking the rest from it (nil: every lane
    /// timed, nothing kept).
    public init(world: World, now: Instant, planner: InsertionPlanner = InsertionPlanner(), risk: RiskModel = RiskModel(),
                learned: ETAModel? = nil, calibration: RangeCalibration? = nil, horizon: Int64? = nil, onEveryCore: Bool = true,
                keeping kept: inout OutlookLanes?) {
        let due = { @Sendable (order: Order) in horizon.map { order.promised.end <= now + $0 } ?? true }
        let conditions = TravelConditions(world)
        // Riders are independent: their lanes are timed on every core and gathered in rider order.
        let riderIDs = world.riderIDs
        let lane = { @Sendable (index: Int) in
            Self.time(riderIDs[index], world: world, now: now, planner: planner, risk: risk, learned: learned, calibration: calibration,
                      conditions: conditions, due: due)
        }
        let timed: [(lane: Lane, atRisk: [AtRisk])?]
        if var memo = kept {
            let (indices, inputs) = memo.due(riderIDs, world: world, now: now, shared: .init(world: world, horizon: horizon, learned: learned))
            let fresh = onEveryCore ? ParallelMap.map(count: indices.count) { lane(indices[$0]) } : indices.map(lane)
            let timedNow = Dictionary(uniqueKeysWithValues: zip(indices, fresh))
            memo.keep(riderIDs, inputs: inputs, timed: timedNow, at: now)
            timed = riderIDs.indices.map { timedNow[$0] ?? memo.kept[riderIDs[$0]]?.timed }
            kept = memo
        } else {
            timed = onEveryCore ? ParallelMap.map(count: riderIDs.count, lane) : riderIDs.indices.map(lane)
        }
        for case let (lane, risky)? in timed {
            lanes[lane.rider] = lane
            atRisk += risky
        }
        // Orders nobody carries are at risk once their window is near.
        for id in world.unassignedOrderIDs {
            guard let order = world.orders[id], due(order) else { continue }
            let left = order.promised.end - now
            if left < 2 * 3600 {
                // Nobody carries it: the longer the window stays open, the better its chance of a rider in time.
                let probability = left <= 0 ? 1 : min(1, max(risk.threshold, 1 - Double(left) / (2 * 3600)))
                atRisk.append(AtRisk(order: id, rider: nil, tier: order.tier, eta: nil, etaRange: nil, window: order.promised, slack: left, drift: 0,
                                     probability: probability))
            }
        }
        // Most likely late first (in steps of 5 points, so near-equal chances rank by tier), then tier, then the
        // time left.
        func band(_ p: Double) -> Int { -Int((p * 20).rounded(.down)) }
        atRisk.sort {
            (band($0.probability), -$0.tier.rank, $0.window.end, $0.order) < (band($1.probability), -$1.tier.rank, $1.window.end, $1.order)
        }
    }

    /// The P10–P90 of when service can begin at a stop the rider reaches around `arrival` (its P10 `before` it and
    /// its P90 `after`) and can serve at `eta` at the earliest: never before the stop opens (a delivery's window,
    /// a parcel's readiness) nor before `now`. Service begins at the later of the rider's arrival and the opening, so
    /// each percentile is the later of the arrival's and the opening: a rider due twenty minutes before a window opens
    /// is served at its opening, give or take nothing. (Spread about the ETA instead, the range began before the window
    /// did and ended as far after it as an arrival at the opening would.)
    static func serviceRange(arrival: Instant, before: Int64, after: Int64, eta: Instant, info: StopInfo, now: Instant) -> ClosedRange<Instant> {
        var opens = info.kind == .delivery ? info.windowStart : info.readyAt ?? now
        if eta > arrival { opens = max(opens, eta) }  // it waited: for the opening, or a gig courier's acceptance
        return max(now, arrival - before, opens)...max(now, arrival + after, opens)
    }

    /// One rider's lane at `now`, timed as the whole outlook times it (an API answering for one order or rider
    /// need not time the city); nil when the rider has no stops ahead.
    public static func lane(of rider: String, world: World, now: Instant, planner: InsertionPlanner = InsertionPlanner(), risk: RiskModel = RiskModel(),
                            learned: ETAModel? = nil, calibration: RangeCalibration? = nil) -> Lane? {
        time(rider, world: world, now: now, planner: planner, risk: risk, learned: learned, calibration: calibration, conditions: TravelConditions(world),
             due: { _ in true })?.lane
    }

    /// A rider's coming stops timed from where it is at `now`: each stop's resolved info and order, its ETA (when
    /// service can begin), the arrival's standard deviation in seconds, and when the rider reaches it before any wait.
    struct Timing {
        var infos: [StopInfo]
        var orders: [Order?]
        var etas: [Instant]
        var sigmas: [Double]
        var arrivals: [Instant]
    }

    /// `id`'s route timed at `now`, by the learned model when one is given, else by the travel model (`conditions`,
    /// made from `world` when not given); nil when the rider has no stops ahead.
    static func timing(of id: String, world: World, now: Instant, planner: InsertionPlanner, risk: RiskModel, learned: ETAModel?,
                       conditions: TravelConditions? = nil) -> Timing? {
        guard let rider = world.riders[id], let route = world.routes[id], !route.stops.isEmpty else { return nil }
        var start = planner.start(of: rider, now: now, in: world)
        // A stalled or broken rider does not move: its clock keeps running, its position does not.
        start.time = max(start.time, now)
        // Each stop's order looked up once, for its timing and for its window below.
        var orders: [Order?] = []
        orders.reserveCapacity(route.stops.count)
        var infos: [StopInfo] = []
        infos.reserveCapacity(route.stops.count)
        for (ref, stop) in route.stops.enumerated() {
            let order = world.orders[stop.order]
            orders.append(order)
            if let order, let info = StopInfo(stop, ref: ref, order: order, in: world, now: now) { infos.append(info) }
        }
        let etas: [Instant], sigmas: [Double], arrivals: [Instant]
        if let learned {
            (etas, sigmas, arrivals) = LearnedRouteTimes(model: learned).walk(infos, route: route.stops, rider: rider, from: start, world: world,
                                                                              floor: risk.floor)
        } else {
            let timed = planner.evaluator.evaluate(infos, profile: rider.profile, from: start, conditions: conditions ?? TravelConditions(world))
            (etas, arrivals) = (timed.etas, timed.arrivals)
            sigmas = risk.deviations(etas: etas, from: now)
        }
        return Timing(infos: infos, orders: orders, etas: etas, sigmas: sigmas, arrivals: arrivals)
    }

    /// A rider's lane and its orders at risk (those `due` says need attention now). With a `calibration` each side
    /// of a range, and the chance of coming after the window, spread as its horizon's arrivals did (`RangeCalibration`).
    private static func time(_ id: String, world: World, now: Instant, planner: InsertionPlanner, risk: RiskModel, learned: ETAModel?,
                             calibration: RangeCalibration?, conditions: TravelConditions, due: (Order) -> Bool) -> (lane: Lane, atRisk: [AtRisk])? {
        guard let route = world.routes[id],
              let timing = timing(of: id, world: world, now: now, planner: planner, risk: risk, learned: learned, conditions: conditions) else { return nil }
        let (infos, orders) = (timing.infos, timing.orders)
        let (etas, sigmas, arrivals) = (timing.etas, timing.sigmas, timing.arrivals)
        var stops: [Stop] = []
        var slack: [Int64] = []
        var p10: [Instant] = [], p90: [Instant] = []
        var atRisk: [AtRisk] = []
        for (((info, eta), sigma), arrival) in zip(zip(zip(infos, etas), sigmas), arrivals) {
            let planned = route.stops[info.ref]
            stops.append(Stop(order: planned.order, kind: planned.kind, eta: eta))
            let sides = calibration?.sides(horizon: eta - now) ?? ConformalSides()
            let range = Outlook.serviceRange(arrival: arrival, before: Int64((RiskModel.z90 * sigma * sides.low).rounded()),
                                             after: Int64((RiskModel.z90 * sigma * sides.high).rounded()), eta: eta, info: info, now: now)
            p10.append(range.lowerBound)
            p90.append(range.upperBound)
            guard info.kind == .delivery, let order = orders[info.ref] else { slack.append(Int64.max); continue }
            slack.append(order.booked.end - eta)
            let left = order.promised.end - eta
            let probability = risk.lateProbability(eta: eta, windowEnd: order.promised.end, sigma: sigma * sides.high)
            if probability >= risk.threshold, due(order) {
                atRisk.append(AtRisk(order: order.id, rider: id, tier: order.tier, eta: eta, etaRange: p10.last!...p90.last!, window: order.promised,
                                     slack: left, drift: max(0, eta - planned.eta), probability: probability))
            }
        }
        return (Lane(rider: id, stops: stops, slack: slack, p10: p10, p90: p90), atRisk)
    }
}
