/// The whole state of the city as the events tell it. A value: copy it to look at it from another thread.
///
/// It changes only through `apply(_:)`, which is deterministic; `check(_:)` says beforehand whether an event fits.
public struct World: Sendable, Codable {
    public internal(set) var name = ""
    public internal(set) var seed: UInt64?
    /// The UTC offset the city's clocks show.
    public internal(set) var utcOffsetSeconds = 0
    /// The version of the learned ETA model the core predicted with from the start (`ETAModel.version`), empty
    /// for the travel model alone: a journal goes on only under the model it was written with, so replay is exact.
    public internal(set) var etaModel = ""
    /// The policy the day started under, as its journal names it (empty when it does not).
    public internal(set) var policyName = ""
    /// What costs are counted in (see `Scenario.currency`).
    public internal(set) var currency = ""
    /// The unit written after a cost: the currency, or "units" when the scenario names none.
    public var costUnit: String { currency.isEmpty ? "units" : currency }
    /// The time of the last event applied.
    public internal(set) var clock: Instant?
    public internal(set) var lastSeq: Int64 = 0

    public internal(set) var zones: [String: Zone] = [:]
    public internal(set) var hubs: [String: Hub] = [:]
    public internal(set) var riders: IDMap<Rider> = [:]
    /// Every order; changed only through `putOrder` (which keeps the 3PL's wave counts with it).
    public internal(set) var orders: IDMap<Order> = [:]
    /// Orders the 3PL holds in each wave (see `thirdPartyWaveLoad`).
    var waveLoad: [Int] = []
    /// Orders open with no rider (kept by `putOrder`), so what waits for a rider is found without a walk of the day.
    public internal(set) var unassignedOrderIDs = IDSet()
    /// The live orders by when their windows end, for the exception scans (see `ordersToScan`; kept by `putOrder`).
    var dueOrders = DueOrderIndex()
    /// Each rider's route; changed only through `setRoute` and `changeStops` (which keep `routeMarks` with it).
    public internal(set) var routes: IDMap<Route> = [:]
    /// A few points of each route (up to `marksPerRoute` of its stops' places, evenly spaced, the end included): where
    /// a rider will be, for ranking riders by how near an order lies to their way (see `InsertionPlanner`).
    public internal(set) var routeMarks: IDMap<[GeoPoint]> = [:]
    /// The riders by their anchors' places, for the candidate search (see `RiderLayers`; kept by `apply`).
    var riderGrid = RiderLayers()
    /// The riders with no route (no `routeMarks`) by their anchors' places (kept by `apply` and `setRoute`).
    var idleGrid = RiderLayers()
    public internal(set) var incidents: [String: TrafficIncident] = [:]
    /// What the outside channels charge and the rules on who may take what.
    public internal(set) var channels = ChannelTerms.standard
    public internal(set) var exceptions: IDMap<ExceptionCase> = [:]
    /// The cases about each order, for `cases(about:)` (kept by `apply`).
    var orderCases = OrderCaseIndex()
    /// The cases still open or waiting for a person, by id: what the scans, the queue and the status look at,
    /// without walking every case of the day.
    public internal(set) var pendingCaseIDs: Set<String> = []
    /// The pending cases, in id order.
    public var pendingCases: [ExceptionCase] { pendingCaseIDs.sorted().compactMap { exceptions[$0] } }
    /// The escalations waiting for a person, in id order (found among the pending cases, not the day's).
    public var escalatedCases: [ExceptionCase] { pendingCases.filter { $0.state == .escalated } }
    /// Cases in the order they were closed (one closed again after an undo is listed again), so the latest decisions
    /// are read from the end rather than found among every case of the day.
    public internal(set) var closedCaseIDs: [String] = []
    /// The subjects of every case put to a person today: an order no rider can take is put before one once, not
    /// again at every scan while it waits.
    public internal(set) var escalatedSubjects: Set<String> = []

    /// The cases about an order (its own, and those covering it), oldest first.
    public func cases(about order: String) -> [ExceptionCase] {
        guard orderCases.isBuilt else {
            return exceptions.values.filter { $0.subject == order || $0.covering.contains(order) }.sorted(by: World.raisedFirst)
        }
        return orderCases.cases(about: order).compactMap { exceptions[$0] }.sorted(by: World.raisedFirst)
    }

    /// Cases in the order they were raised (ids break ties).
    static func raisedFirst(_ a: ExceptionCase, _ b: ExceptionCase) -> Bool { (a.raisedAt, a.id) < (b.raisedAt, b.id) }

    /// The latest closed cases that pass `keep`, newest first, at most `limit`.
    public func latestClosedCases(_ limit: Int, where keep: (ExceptionCase) -> Bool) -> [ExceptionCase] {
        var found: [ExceptionCase] = [], seen: Set<String> = []
        for id in closedCaseIDs.reversed() {
            guard found.count < limit else { break }
            guard seen.insert(id).inserted, let exception = exceptions[id], !exception.isPending, exception.resolvedAt != nil,
                  keep(exception) else { continue }
            found.append(exception)
        }
        return found
    }
    public internal(set) var notificationsSent = 0
    /// Each operator's last decision, while it may be undone (see `OperatorDecision`).
    public internal(set) var lastDecisions: [String: OperatorDecision] = [:]
    /// How many events of each type were applied.
    public internal(set) var eventCounts: [String: Int] = [:]

    /// Registration order of riders, so views list them in a stable order.
    public private(set) var riderIDs: [String] = []
    /// Creation order of orders.
    public private(set) var orderIDs: [String] = []
    /// Where the city is, from its zones (with a margin); feed coordinates outside it are refused.
    public private(set) var bounds: GeoBox?

    /// Every input's id (feed, simulation, operators) with a fingerprint of its content, so a re-sent line is
    /// recognised as a repeat and a different line under a used id as a conflict. Ids are compared as they are
    /// (a hash of an id could be made to collide on purpose).
    var inputIDs: IDMap<Int> = [:]
    /// The core's own decisions' ids: a space of their own, so an input may use any id, `d900` included.
    var decisionIDs: IDMap<Bool> = [:]

    public init() {}

    public var eventCount: Int { eventCounts.values.reduce(0, +) }

    /// Whether an input with this id was applied already (a re-sent feed line).
    public func hasSeen(eventID: String) -> Bool { inputIDs[eventID] != nil }

    /// Whether `event` repeats an input already applied: `.new`, `.repeated` (same id and content: taking it again
    /// changes nothing), or `.conflicting` (same id, other content).
    public func repetition(of event: Event) -> Repetition {
        guard !event.isCoreDecision, let fingerprint = inputIDs[event.id] else { return .new }
        return fingerprint == event.fingerprint ? .repeated : .conflicting
    }

    public enum Repetition: Sendable { case new, repeated, conflicting }

    /// Zones sorted by id, kept for fast point lookups.
    public private(set) var zoneList: [Zone] = []

    /// The zone a point falls in (the first by id that contains it), if any.
    public func zone(containing point: GeoPoint) -> Zone? {
        zoneList.first { $0.area.contains(point) }
    }

    /// Traffic slowdown in a zone at a time: the product of the incidents active there (1 = free flow).
    public func slowdown(zone: String, at time: Instant) -> Double {
        incidents.values.reduce(1.0) { factor, incident in
            incident.zone == zone && incident.since <= time && time < incident.until ? factor * incident.slowdown : factor
        }
    }

    /// The slowdown a leg meets: that of the zone holding its midpoint, when it departs (1 = free flow), as the
    /// travel model takes it.
    public func slowdownOfLeg(from a: GeoPoint, to b: GeoPoint, departing time: Instant) -> Double {
        zone(containing: a.interpolated(to: b, fraction: 0.5)).map { slowdown(zone: $0.id, at: time) } ?? 1
    }

    /// Where a stop is.
    public func location(of stop: Stop) -> GeoPoint? {
        guard let order = orders[stop.order] else { return nil }
        return location(of: stop.kind, order: order)
    }

    /// Where a stop of `kind` for `order` is: its drop, or where it is picked up.
    public func location(of kind: Stop.Kind, order: Order) -> GeoPoint? {
        switch kind {
        case .delivery: return order.drop
        case .pickup: return pickupLocation(of: order)
        }
    }

    public func pickupLocation(of order: Order) -> GeoPoint? {
        switch order.pickup {
        case let .hub(id): return hubs[id]?.location
        case let .point(point): return point
        }
    }

    mutating func noteRider(_ id: String) { if riders[id] == nil { riderIDs.append(id) } }
    mutating func noteOrder(_ id: String) {
        orderIDs.append(id)
        dueOrders.note(id)
    }

    /// The orders a scan must look at for what is wrong up to `time` (see `DueOrderIndex`): the live orders whose
    /// windows end by then (and a few just after) and the critical orders waiting for a rider, in creation order;
    /// every order, before a decoded world's first `apply` builds the index.
    public func ordersToScan(endingBy time: Instant) -> [String] { dueOrders.isBuilt ? dueOrders.orders(endingBy: time) : orderIDs }

    mutating func updateBounds(with zone: Zone) {
        zoneList.removeAll { $0.id == zone.id }
        zoneList.append(zone)
        zoneList.sort { $0.id < $1.id }
        let margin = 0.05
        let area = zone.area
        if let current = bounds {
            bounds = GeoBox(south: min(current.south, area.south - margin), west: min(current.west, area.west - margin),
                            north: max(current.north, area.north + margin), east: max(current.east, area.east + margin))
        } else {
            bounds = GeoBox(south: area.south - margin, west: area.west - margin, north: area.north + margin, east: area.east + margin)
        }
    }
}
