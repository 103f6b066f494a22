/// The board's KPIs kept as the events come: each event changes the share of the few orders, riders and cases it
/// touched (the world's change logs, see `IDMap.changed`), so a sample costs the same at 40,000 orders as at 400.
/// `RunReport` walks the whole world for the same figures; the two agree (tested after every event of a day), to
/// rounding: sums here are kept by adding and taking away, not in registration order. One difference by design: a
/// delivery keeps the drop price of its rider's profile when it was counted; a rider registered again later with
/// another price changes the report's figure for the deliveries before it, not this one.
///
/// It follows one world event by event. An event it did not see (a trend made mid-journal, a batch applied at
/// once, an event without a journal position) makes it count again from the world (`follows` says when).
struct KPITally: Sendable {
    /// One order's share of the figures.
    struct OrderShare: Sendable, Equatable {
        var delivered = 0, late = 0, failed = 0, open = 0, attempted = 0, firstTry = 0, accurate = 0, planned = 0, asPlanned = 0
        /// What its delivery was paid (the drop price), or what its failure cost.
        var paid = 0.0

        static func + (a: OrderShare, b: OrderShare) -> OrderShare { a.adding(b, sign: 1) }
        static func - (a: OrderShare, b: OrderShare) -> OrderShare { a.adding(b, sign: -1) }

        private func adding(_ b: OrderShare, sign: Int) -> OrderShare {
            OrderShare(delivered: delivered + sign * b.delivered, late: late + sign * b.late, failed: failed + sign * b.failed,
                       open: open + sign * b.open, attempted: attempted + sign * b.attempted, firstTry: firstTry + sign * b.firstTry,
                       accurate: accurate + sign * b.accurate, planned: planned + sign * b.planned,
                       asPlanned: asPlanned + sign * b.asPlanned, paid: paid + Double(sign) * b.paid)
        }
    }

    /// One rider's share: kilometres, what they cost, and, while on shift, the hourly rate whose cost grows with
    /// the clock (counted from `origin` so the sums stay small).
    struct RiderShare: Sendable, Equatable {
        var km = 0.0
        var fixedCost = 0.0
        var rate = 0.0
        var rateSince = 0.0

        static func + (a: RiderShare, b: RiderShare) -> RiderShare {
            RiderShare(km: a.km + b.km, fixedCost: a.fixedCost + b.fixedCost, rate: a.rate + b.rate, rateSince: a.rateSince + b.rateSince)
        }
        static func - (a: RiderShare, b: RiderShare) -> RiderShare {
            RiderShare(km: a.km - b.km, fixedCost: a.fixedCost - b.fixedCost, rate: a.rate - b.rate, rateSince: a.rateSince - b.rateSince)
        }
    }

    private let failedCost: Double
    private let origin: Instant
    private var orders: [String: OrderShare] = [:]
    private var riders: [String: RiderShare] = [:]
    /// Each resolved case's time from raised to resolved, and all of them sorted (for the median).
    private var resolutions: [String: Int64] = [:]
    private var sortedResolutions: [Int64] = []
    private var orderTotal = OrderShare()
    private var riderTotal = RiderShare()
    /// The journal position of the last event counted.
    private(set) var seq: Int64

    /// Counts `world` as it stands.
    init(world: World, recorder: KPIRecorder, failedCost: Double = RunReport.failedDeliveryCost) {
        self.failedCost = failedCost
        origin = recorder.planLock
        seq = world.lastSeq
        for id in world.orderIDs { update(order: id, in: world, recorder: recorder) }
        for id in world.riderIDs { update(rider: id, in: world) }
        for (id, _) in world.exceptions { update(case: id, in: world) }
    }

    /// Whether `event` is the one event applied since the last counted, so its change logs are all that changed.
    func follows(_ event: Event, in world: World) -> Bool {
        event.seq.map { $0 == seq + 1 && world.lastSeq == $0 } ?? false
    }

    /// Counts again what the event just applied to `world` changed (see `follows`).
    mutating func note(_ event: Event, world: World, recorder: KPIRecorder) {
        for id in world.orders.changed { update(order: id, in: world, recorder: recorder) }
        for id in world.riders.changed { update(rider: id, in: world) }
        for id in world.exceptions.changed { update(case: id, in: world) }
        seq = world.lastSeq
    }

    /// The sample of `world` now (its clock prices the hours of riders still on shift).
    func sample(world: World) -> KPISample {
        let now = world.clock ?? origin
        func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
        let t = orderTotal
        let shiftHours = riderTotal.fixedCost + (riderTotal.rate * Double(now - origin) - riderTotal.rateSince) / 3600
        let median = sortedResolutions.isEmpty ? 0 : Double(ResolutionTimes.Figures.rank(0.5, of: sortedResolutions))
        return KPISample(at: now, delivered: t.delivered, late: t.late, failed: t.failed, unassigned: t.open, km: riderTotal.km,
                         onTimeRate: share(t.delivered - t.late, t.delivered), firstAttemptRate: share(t.firstTry, t.attempted),
                         etaAccuracyRate: share(t.accurate, t.delivered), planVariance: 1 - share(t.asPlanned, t.planned),
                         resolutionMedianSeconds: median, resolved: sortedResolutions.count,
                         costPerDelivery: (shiftHours + t.paid) / Double(max(1, t.delivered)))
    }

    private mutating func update(order id: String, in world: World, recorder: KPIRecorder) {
        let new = world.orders[id].map { OrderShare($0, in: world, recorder: recorder, failedCost: failedCost) } ?? OrderShare()
        let old = orders.updateValue(new, forKey: id) ?? OrderShare()
        if new != old { orderTotal = orderTotal - old + new }
    }

    private mutating func update(rider id: String, in world: World) {
        let new = world.riders[id].map { RiderShare($0, origin: origin) } ?? RiderShare()
        let old = riders.updateValue(new, forKey: id) ?? RiderShare()
        if new != old { riderTotal = riderTotal - old + new }
    }

    private mutating func update(case id: String, in world: World) {
        let new = world.exceptions[id].flatMap { exception -> Int64? in
            guard let resolved = exception.resolvedAt, ResolutionTimes.resolver(of: exception.state) != nil else { return nil }
            return resolved - exception.raisedAt
        }
        let old = new == nil ? resolutions.removeValue(forKey: id) : resolutions.updateValue(new!, forKey: id)
        guard old != new else { return }
        if let old { sortedResolutions.remove(at: sortedResolutions.insertionIndex(of: old)) }
        if let new { sortedResolutions.insert(new, at: sortedResolutions.insertionIndex(of: new)) }
    }
}

extension KPITally.OrderShare {
    /// As `RunReport` counts an order.
    init(_ order: Order, in world: borrowing World, recorder: KPIRecorder, failedCost: Double) {
        if order.attempts > 0 { attempted = 1 }
        if order.status == .open { open = 1 }
        if order.status == .failed { failed = 1; paid = failedCost }
        guard order.status == .delivered, let done = order.completedAt else { return }
        delivered = 1
        let profile = order.rider.flatMap { world.riders[$0]?.profile }
        if let profile {
            paid = world.channels.dropPrice(channel: profile.channel, riderPrice: profile.costPerDrop,
                                            thirdPartyRate: world.channels.thirdPartyRate(for: order), at: done,
                                            utcOffsetSeconds: world.utcOffsetSeconds)
        }
        if order.isLate(deliveredAt: done) { late = 1 }
        if order.attempts == 1 { firstTry = 1 }
        let arrived = order.arrivedAt ?? done
        if let eta = recorder.lastETA[order.id], abs(arrived - eta) <= RunReport.etaTolerance { accurate = 1 }
        if let rider = recorder.plannedRider[order.id] {
            planned = 1
            if rider == order.rider { asPlanned = 1 }
        }
    }
}

extension KPITally.RiderShare {
    /// As `RunReport` prices a rider: hours on shift at the hourly rate (until now while on shift), kilometres at
    /// the rate per kilometre.
    init(_ rider: Rider, origin: Instant) {
        let profile = rider.profile
        km = rider.kmDriven
        fixedCost = rider.kmDriven * profile.costPerKm
        guard let start = rider.shiftStartedAt else { return }
        if let end = rider.shiftEndedAt {
            fixedCost += Double(end - start) / 3600 * profile.costPerHour
        } else {
            rate = profile.costPerHour
            rateSince = profile.costPerHour * Double(start - origin)
        }
    }
}

private extension Array where Element == Int64 {
    /// The first index whose element is not below `value` (the array sorted).
    func insertionIndex(of value: Int64) -> Int {
        var low = 0, high = count
        while low < high {
            let middle = (low + high) / 2
            if self[middle] < value { low = middle + 1 } else { high = middle }
        }
        return low
    }
}
