/// The lanes an outlook timed, kept so the next outlook re-times only the riders whose lanes' inputs changed: the
/// rider (where it is, what it is doing), its route and the orders on it. What every lane is timed from (traffic
/// incidents, the channels' terms, the hubs, the horizon, a retrained ETA model) re-times them all when it changes.
///
/// Every delivery learned moves the online ETA model a little, and the clock moves a stalled rider's stops with it,
/// so a lane kept is timed again once it is `maxAge` simulated seconds old whatever else happened: a lane drawn
/// from here is at most a minute behind a fresh timing (ETAs are shown to the minute). Only what is drawn reads these
/// lanes (`OutlookPublisher`); the detectors, whose cases are decisions, time every lane afresh.
public struct OutlookLanes: Sendable {
    /// A lane kept is timed again after this many simulated seconds.
    public static let maxAge: Int64 = 60

    struct Inputs: Equatable, Sendable {
        var rider: Rider
        var route: Route?
        var orders: [Order?]

        init?(_ id: String, world: borrowing World) {
            guard let rider = world.riders[id] else { return nil }
            self.rider = rider
            route = world.routes[id]
            orders = route?.stops.map { world.orders[$0.order] } ?? []
        }
    }

    struct Shared: Equatable, Sendable {
        var incidents: [String: TrafficIncident]
        var channels: ChannelTerms
        var hubs: [String: Hub]
        var horizon: Int64?
        var model: Int?

        init(world: borrowing World, horizon: Int64?, learned: ETAModel?) {
            incidents = world.incidents
            channels = world.channels
            hubs = world.hubs
            self.horizon = horizon
            // A retrained model (more rows) re-times every lane; the online updates between are the drift `maxAge`
            // bounds.
            model = learned?.trainedRows
        }
    }

    struct Kept: Sendable {
        var inputs: Inputs
        var timedAt: Instant
        var timed: (lane: Outlook.Lane, atRisk: [Outlook.AtRisk])?
    }

    var shared: Shared?
    var kept: [String: Kept] = [:]
    /// How many lanes the last outlook timed (the rest it reused).
    public private(set) var retimed = 0

    public init() {}

    /// The riders (indices into `ids`) whose lanes must be timed at `now`, and each rider's inputs; forgets
    /// everything kept when what all lanes share changed.
    mutating func due(_ ids: [String], world: World, now: Instant, shared current: Shared) -> (due: [Int], inputs: [Inputs?]) {
        if shared != current {
            shared = current
            kept = [:]
        }
        let inputs = ids.map { Inputs($0, world: world) }
        let due = ids.indices.filter { index in
            guard let kept = kept[ids[index]], let inputs = inputs[index] else { return true }
            return kept.inputs != inputs || now < kept.timedAt || now - kept.timedAt >= Self.maxAge
        }
        retimed = due.count
        return (due, inputs)
    }

    /// Keeps the lanes just timed, and forgets riders no longer in the world.
    mutating func keep(_ ids: [String], inputs: [Inputs?], timed: [Int: (lane: Outlook.Lane, atRisk: [Outlook.AtRisk])?], at now: Instant) {
        for (index, result) in timed {
            guard let inputs = inputs[index] else { continue }
            kept[ids[index]] = Kept(inputs: inputs, timedAt: now, timed: result)
        }
        if kept.count > ids.count {
            let live = Set(ids)
            kept = kept.filter { live.contains($0.key) }
        }
    }
}
