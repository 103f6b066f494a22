/// The live view ahead: every rider's coming stops re-timed from where the rider is now, and the orders whose
/// predicted arrival is close to or past the end of their window.
///
/// Until the learned ETA model lands, predictions come from the travel model, and an order is at risk when its
/// predicted arrival leaves less than `margin` of slack before its window closes.
public struct Outlook: Sendable {
    /// Slack below which an order counts as at risk (the travel model's typical error at an hour's horizon).
    public static let margin: Int64 = 15 * 60
    /// At-risk orders whose window closes within this horizon are ranked before the others.
    public static let urgentHorizon: Int64 = 2 * 3600

    public struct Lane: Sendable {
        public var rider: String
        public var stops: [Stop]
        /// Predicted lateness per stop in seconds (negative: slack left), aligned with `stops`.
        public var slack: [Int64]
        public var lateCount: Int { slack.filter { $0 < 0 }.count }
    }

    public struct AtRisk: Sendable, Hashable {
        public var order: String
        public var rider: String?
        public var tier: Tier
        public var eta: Instant?
        public var window: TimeWindow
        /// Seconds between predicted arrival and the window's end; negative when it will be late.
        public var slack: Int64
        /// The predicted arrival is already behind the plan's ETA by this much (0 when on plan).
        public var drift: Int64
    }

    public var lanes: [String: Lane] = [:]
    public var atRisk: [AtRisk] = []

    /// Computes the outlook of `world` at `now`.
    public init(world: World, now: Instant, planner: InsertionPlanner = InsertionPlanner()) {
        let conditions = TravelConditions(world)
        for id in world.riderIDs {
            guard let rider = world.riders[id], let route = world.routes[id], !route.stops.isEmpty else { continue }
            var start = planner.start(of: rider, now: now, in: world)
            // A stalled or broken rider does not move: its clock keeps running, its position does not.
            start.time = max(start.time, now)
            let infos = route.stops.enumerated().compactMap { StopInfo($1, ref: $0, in: world) }
            let result = planner.evaluator.evaluate(infos, profile: rider.profile, from: start, conditions: conditions)
            var stops: [Stop] = []
            var slack: [Int64] = []
            for (info, eta) in zip(infos, result.etas) {
                let planned = route.stops[info.ref]
                stops.append(Stop(order: planned.order, kind: planned.kind, eta: eta))
                guard info.kind == .delivery, let order = world.orders[planned.order] else { slack.append(Int64.max); continue }
                let left = order.window.end - eta
                slack.append(left)
                if left < Outlook.margin {
                    atRisk.append(AtRisk(order: order.id, rider: id, tier: order.tier, eta: eta, window: order.window,
                                         slack: left, drift: max(0, eta - planned.eta)))
                }
            }
            lanes[id] = Lane(rider: id, stops: stops, slack: slack)
        }
        // Orders nobody carries are at risk once their window is near.
        for id in world.orderIDs {
            guard let order = world.orders[id], order.status == .open, order.rider == nil else { continue }
            let left = order.window.end - now
            if left < 2 * 3600 {
                atRisk.append(AtRisk(order: id, rider: nil, tier: order.tier, eta: nil, window: order.window, slack: left, drift: 0))
            }
        }
        // Windows closing within the next hours come first (that is where a dispatcher can still act), each
        // group by slack, then tier.
        let soon = now + Outlook.urgentHorizon
        atRisk.sort {
            ($0.window.end <= soon ? 0 : 1, $0.slack, -$0.tier.rank, $0.order) < ($1.window.end <= soon ? 0 : 1, $1.slack, -$1.tier.rank, $1.order)
        }
    }
}
