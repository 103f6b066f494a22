import Foundation

/// Watches a run's events for what the world does not keep: the ETA each order was given when it was first
/// dispatched and the last one before delivery, the rider the 06:00 plan gave it, and how long each rider had
/// work (a route with stops on it).
public struct KPIRecorder: Sendable, Codable, Equatable {
    var firstETA: [String: Instant] = [:]
    var lastETA: [String: Instant] = [:]
    var plannedRider: [String: String] = [:]
    /// The order's place among its rider's deliveries in the 06:00 plan.
    var plannedIndex: [String: Int] = [:]
    var planLock: Instant
    private var busySince: [String: Instant] = [:]
    private var busy: [String: Int64] = [:]

    public init(planLock: Instant) { self.planLock = planLock }

    /// Seconds `rider` had stops to do, up to `end`.
    func busySeconds(of rider: String, until end: Instant) -> Int64 {
        (busy[rider] ?? 0) + (busySince[rider].map { max(0, end - $0) } ?? 0)
    }

    /// Notes an event (after it was applied).
    public mutating func note(_ event: Event) {
        if case let .shiftEnded(rider) = event.body, let since = busySince.removeValue(forKey: rider) {
            busy[rider, default: 0] += event.at - since
        }
        guard case let .routePlanned(rider, stops, _, _, _) = event.body else { return }
        if stops.isEmpty, let since = busySince.removeValue(forKey: rider) {
            busy[rider, default: 0] += event.at - since
        } else if !stops.isEmpty, busySince[rider] == nil {
            busySince[rider] = event.at
        }
        for (index, stop) in stops.filter({ $0.kind == .delivery }).enumerated() {
            if firstETA[stop.order] == nil { firstETA[stop.order] = stop.eta }
            lastETA[stop.order] = stop.eta
            if event.at <= planLock {
                // The plan's last word before the lock counts (the plan is built rider by rider).
                plannedRider[stop.order] = rider
                plannedIndex[stop.order] = index
            }
        }
    }
}

/// The figures of one run, as `tower simulate --json` prints them.
public struct RunReport: Sendable {
    /// An arrival within this many seconds of its ETA counts as accurate.
    public static let etaTolerance: Int64 = 10 * 60
    /// What a failed delivery costs (a second trip, the care centre), by default.
    public static let failedDeliveryCost = 17.0

    public var policy: String
    public var seed: UInt64
    public var delivered = 0
    /// Deliveries after the end of the window the customer booked (`Order.booked`).
    public var late = 0
    /// Deliveries after the end of the window as the core last moved it: shown beside `late`, never instead of it.
    public var lateAgainstMovedWindow = 0
    public var failed = 0
    /// What became of the customers' booked windows (see `Promises`).
    public var promises = Promises()
    /// The same, of the orders booked after the plan lock (the day's own bookings, which no plan at the lock knew):
    /// where a live policy and the day planned with every order known differ.
    public var bookedSameDay = Promises()
    /// Orders whose first delivery attempt failed (the customer was out, the address wrong, ...).
    public var failedFirstAttempts = 0
    /// Orders a rider tried to deliver at least once (what the first-attempt rate counts over).
    public var attempted = 0
    /// Deliveries a plan had given a rider (what the plan-to-execution variance counts over).
    public var plannedDeliveries = 0
    /// Orders no rider carries (not delivered, not cancelled).
    public var unassigned = 0
    /// Broken promises that are neither late deliveries nor failed ones: orders whose booked window ended with no
    /// delivery and no failed attempt standing (waiting for a rider, or still with one, at the run's end). "Late or
    /// failed" does not count them; `promises.broken` does.
    public var neverDelivered = 0
    public var km = 0.0
    /// The mean, over the riders who worked, of the share of their shift they had stops to do.
    public var utilisation = 0.0
    public var notifications = 0
    public var onTimeRate = 0.0
    public var firstAttemptRate = 0.0
    public var etaAccuracyRate = 0.0
    public var etaAccuracyAtDispatch = 0.0
    public var planVariance = 0.0
    /// Of the planned deliveries a rider kept, how many places each moved in its sequence, on average (nil when no
    /// rider kept one).
    public var sequenceShift: Double?
    public var resolution: ResolutionTimes
    /// By channel and `all`; read through `costPerDelivery(_:)`, which says when there is no figure.
    var costPerDelivery: [String: Double] = [:]
    /// Deliveries made by each channel (`own`, `3pl`, `gig`).
    public var deliveriesByChannel: [String: Int] = [:]
    public var exceptions: [String: Int] = [:]

    /// What each failed delivery cost (counted in the channel's cost per delivery).
    public var failedCost = RunReport.failedDeliveryCost

    /// - Parameter playedTo: how far the run went, when past the world's clock: a simulated day plays on hours after
    ///   its last event (the journal's closing checkpoint says to when), and a window that ended before then is
    ///   decided, kept or broken, though no event came after it.
    /// - Parameter bookedSameDay: the orders counted as booked the same day, when not those created after the plan
    ///   lock (the day played with every order known, whose orders are all created at its start, is read by the live
    ///   day's bookings).
    public init(world: World, recorder: KPIRecorder, policy: String, seed: UInt64, failedCost: Double = RunReport.failedDeliveryCost,
                playedTo: Instant? = nil, bookedSameDay sameDay: Set<String>? = nil) {
        self.failedCost = failedCost
        self.policy = policy
        self.seed = seed
        var firstTry = 0, accurate = 0, accurateAtDispatch = 0, asPlanned = 0
        var deliveredBy: [Channel: Int] = [:]
        var failedBy: [Channel: Int] = [:]
        var dropsPaid: [Channel: [(String, Double)]] = [:]
        var notices: [Double] = []
        let decidedAt = [world.clock, playedTo].compactMap { $0 }.max()
        for order in world.orders.values {
            let outcome = order.promiseOutcome(at: decidedAt ?? order.booked.end)
            promises.count(outcome)
            if outcome == .broken, order.status != .delivered, order.status != .failed { neverDelivered += 1 }
            if sameDay.map({ $0.contains(order.id) }) ?? (order.createdAt > recorder.planLock) { bookedSameDay.count(outcome) }
            if let moved = order.promiseMovedAt {
                promises.moved += 1
                notices.append(Double(order.booked.end - moved))
            }
            if order.attempts > 0 { attempted += 1 }
            if order.status == .open { unassigned += 1 }
            let channel = order.rider.flatMap { world.riders[$0]?.profile.channel } ?? .own
            if order.status == .failed { failed += 1; failedBy[channel, default: 0] += 1 }
            guard order.status == .delivered, let done = order.completedAt else { continue }
            delivered += 1
            deliveredBy[channel, default: 0] += 1
            if let profile = order.rider.flatMap({ world.riders[$0]?.profile }) {
                let price = world.channels.dropPrice(channel: channel, riderPrice: profile.costPerDrop,
                                                     thirdPartyRate: world.channels.thirdPartyRate(for: order), at: done,
                                                     utcOffsetSeconds: world.utcOffsetSeconds)
                dropsPaid[channel, default: []].append((order.id, price))
            }
            if order.isLate(deliveredAt: done) { late += 1 }
            if done > order.window.end { lateAgainstMovedWindow += 1 }
            if order.attempts == 1 { firstTry += 1 }
            let arrived = order.arrivedAt ?? done
            if let eta = recorder.lastETA[order.id], abs(arrived - eta) <= RunReport.etaTolerance { accurate += 1 }
            if let eta = recorder.firstETA[order.id], abs(arrived - eta) <= RunReport.etaTolerance { accurateAtDispatch += 1 }
            if let rider = recorder.plannedRider[order.id] {
                plannedDeliveries += 1
                if rider == order.rider { asPlanned += 1 }
            }
        }
        func share(_ part: Int, _ whole: Int) -> Double { whole == 0 ? 0 : Double(part) / Double(whole) }
        promises.medianNoticeSeconds = notices.isEmpty ? nil : notices.sorted().quantile(0.5)
        onTimeRate = share(delivered - late, delivered)
        firstAttemptRate = share(firstTry, attempted)
        failedFirstAttempts = attempted - firstTry
        etaAccuracyRate = share(accurate, delivered)
        etaAccuracyAtDispatch = share(accurateAtDispatch, delivered)
        planVariance = 1 - share(asPlanned, plannedDeliveries)
        sequenceShift = RunReport.sequenceShift(world: world, recorder: recorder)

        notifications = world.notificationsSent
        var spent: [Channel: Double] = [:]
        // Sums in registration order: the same run gives the same figures to the last bit, whatever the hashing.
        for rider in world.riderIDs.compactMap({ world.riders[$0] }) {
            km += rider.kmDriven
            let p = rider.profile
            let hours = rider.shiftStartedAt.map { start in Double((rider.shiftEndedAt ?? world.clock ?? start) - start) / 3600 } ?? 0
            spent[p.channel, default: 0] += hours * p.costPerHour + rider.kmDriven * p.costPerKm
        }
        let working = world.riderIDs.compactMap { world.riders[$0] }.filter { $0.kmDriven > 0 || $0.delivered > 0 }
        utilisation = working.isEmpty ? 0 : working.map { RunReport.utilisation(of: $0, recorder: recorder, end: world.clock) }.reduce(0, +)
            / Double(working.count)
        for channel in Channel.allCases {
            for (_, price) in (dropsPaid[channel] ?? []).sorted(by: { $0.0 < $1.0 }) { spent[channel, default: 0] += price }
        }
        for (channel, count) in failedBy { spent[channel, default: 0] += Double(count) * failedCost }
        for channel in Channel.allCases {
            deliveriesByChannel[channel.rawValue] = deliveredBy[channel] ?? 0
            costPerDelivery[channel.rawValue] = (spent[channel] ?? 0) / Double(max(1, deliveredBy[channel] ?? 0))
        }
        costPerDelivery["all"] = Channel.allCases.reduce(0) { $0 + (spent[$1] ?? 0) } / Double(max(1, delivered))

        var counts = ["raised": 0, "auto_resolved": 0, "escalated": 0, "approved": 0, "rejected": 0, "defaulted": 0]
        for exception in world.exceptions.values {
            counts["raised"]! += 1
            if !exception.options.isEmpty { counts["escalated"]! += 1 }
            switch exception.state {
            case .autoResolved: counts["auto_resolved"]! += 1
            case .approved: counts["approved"]! += 1
            case .rejected: counts["rejected"]! += 1
            case .defaulted: counts["defaulted"]! += 1
            case .open, .escalated: break
            }
        }
        exceptions = counts
        resolution = ResolutionTimes(world.exceptions.values)
    }

    /// The share of `rider`'s shift (so far, at `end`) it had stops to do.
    static func utilisation(of rider: Rider, recorder: KPIRecorder, end: Instant?) -> Double {
        guard let start = rider.shiftStartedAt, let until = rider.shiftEndedAt ?? end else { return 0 }
        let onShift = until - start
        return onShift > 0 ? min(1, Double(recorder.busySeconds(of: rider.profile.id, until: until)) / Double(onShift)) : 0
    }

    /// Mean displacement of kept deliveries: per rider, their rank in the plan against their rank in the day.
    static func sequenceShift(world: World, recorder: KPIRecorder) -> Double? {
        var kept: [String: [(planned: Int, done: Instant, id: String)]] = [:]
        for id in world.orderIDs {
            guard let order = world.orders[id], order.status == .delivered, let done = order.completedAt, let rider = order.rider,
                  recorder.plannedRider[id] == rider, let index = recorder.plannedIndex[id] else { continue }
            kept[rider, default: []].append((index, done, id))
        }
        var moved = 0, count = 0
        for stops in kept.values {
            let byPlan = stops.sorted { ($0.planned, $0.id) < ($1.planned, $1.id) }.map(\.id)
            let byDay = stops.sorted { ($0.done, $0.id) < ($1.done, $1.id) }.map(\.id)
            let rank = Dictionary(uniqueKeysWithValues: byDay.enumerated().map { ($1, $0) })
            for (index, id) in byPlan.enumerated() { moved += abs(rank[id]! - index) }
            count += stops.count
        }
        return count == 0 ? nil : Double(moved) / Double(count)
    }

    /// A figure over `count` things (a rate, a cost per delivery, a median time) as a figure: nil when it is over
    /// nothing (a run stopped before any window closed kept no promise and broke none: its kept rate is no figure,
    /// not 0, and a channel that delivered nothing has no cost per delivery).
    public static func figure(_ value: Double, over count: Int) -> Double? { count > 0 ? value : nil }

    /// The cost per delivery of a channel, or of them all (nil); nil when it delivered nothing.
    public func costPerDelivery(_ channel: Channel?) -> Double? {
        guard let channel else { return RunReport.figure(costPerDelivery["all"] ?? 0, over: delivered) }
        return RunReport.figure(costPerDelivery[channel.rawValue] ?? 0, over: deliveriesByChannel[channel.rawValue] ?? 0)
    }

    /// One JSON object.
    public var json: String {
        var w = JSONWriter()
        func number(_ key: String, _ value: Double) { w.key(key); w.value((value * 10000).rounded() / 10000) }
        func figure(_ key: String, _ value: Double?) {
            if let value { number(key, value) } else { w.key(key); w.null() }
        }
        func rate(_ key: String, _ value: Double, of count: Int) { figure(key, RunReport.figure(value, over: count)) }
        w.beginObject()
        w.key("policy"); w.value(policy)
        w.key("seed"); w.value(Int64(bitPattern: seed))
        w.key("delivered"); w.value(delivered)
        w.key("late"); w.value(late)
        w.key("late_against_moved_window"); w.value(lateAgainstMovedWindow)
        w.key("promises"); w.beginObject()
        w.key("kept"); w.value(promises.kept)
        w.key("moved"); w.value(promises.moved)
        w.key("broken"); w.value(promises.broken)
        w.key("pending"); w.value(promises.pending)
        rate("kept_rate", promises.keptRate, of: promises.decided)
        w.key("moved_median_notice_s")
        if let notice = promises.medianNoticeSeconds { w.value(notice) } else { w.null() }
        w.key("booked_same_day"); w.beginObject()
        w.key("kept"); w.value(bookedSameDay.kept)
        w.key("broken"); w.value(bookedSameDay.broken)
        rate("kept_rate", bookedSameDay.keptRate, of: bookedSameDay.decided)
        w.endObject()
        w.endObject()
        w.key("failed"); w.value(failed)
        w.key("failed_first_attempts"); w.value(failedFirstAttempts)
        number("failed_cost", Double(failed) * failedCost)
        w.key("unassigned"); w.value(unassigned)
        w.key("never_delivered"); w.value(neverDelivered)
        number("km", km)
        number("utilisation", utilisation)
        w.key("notifications_sent"); w.value(notifications)
        rate("on_time_rate", onTimeRate, of: delivered)
        rate("first_attempt_rate", firstAttemptRate, of: attempted)
        rate("eta_accuracy_rate", etaAccuracyRate, of: delivered)
        rate("eta_accuracy_at_dispatch", etaAccuracyAtDispatch, of: delivered)
        rate("plan_variance", planVariance, of: plannedDeliveries)
        figure("plan_sequence_shift", sequenceShift)
        rate("exception_resolution_median_s", resolution.all.median, of: resolution.all.count)
        rate("exception_resolution_p90_s", resolution.all.p90, of: resolution.all.count)
        w.key("exception_resolution"); w.beginObject()
        func figures(_ byResolver: [ResolutionTimes.Resolver: ResolutionTimes.Figures]) {
            for resolver in ResolutionTimes.Resolver.allCases {
                guard let f = byResolver[resolver] else { continue }
                w.key(resolver.rawValue); w.beginObject()
                w.key("count"); w.value(f.count); number("median_s", f.median); number("p90_s", f.p90)
                w.endObject()
            }
        }
        figures(resolution.byResolver)
        w.key("by_kind"); w.beginObject()
        for kind in resolution.byKind.keys.sorted(by: { $0.rawValue < $1.rawValue }) {
            w.key(kind.rawValue); w.beginObject(); figures(resolution.byKind[kind]!); w.endObject()
        }
        w.endObject()
        w.endObject()
        w.key("cost_per_delivery"); w.beginObject()
        for channel in Channel.allCases { figure(channel.rawValue, costPerDelivery(channel)) }
        figure("all", costPerDelivery(nil))
        w.endObject()
        w.key("deliveries_by_channel"); w.beginObject()
        for key in ["own", "3pl", "gig"] { w.key(key); w.value(deliveriesByChannel[key] ?? 0) }
        w.endObject()
        w.key("exceptions"); w.beginObject()
        for key in ["raised", "auto_resolved", "escalated", "approved", "rejected", "defaulted"] { w.key(key); w.value(exceptions[key] ?? 0) }
        w.endObject()
        w.endObject()
        return String(decoding: w.bytes, as: UTF8.self)
    }
}

/// The customers' booked windows as a run leaves them: kept (delivered by the booked window's end), broken (delivered
/// after it, or not delivered when it ended), pending (its window not over yet: a run stopped mid-day), and how
/// many the core moved (a moved promise is broken unless the delivery still made the booked window).
public struct Promises: Sendable, Equatable {
    public var kept = 0
    public var broken = 0
    public var cancelled = 0
    public var pending = 0
    /// Orders whose window the core moved (each also counted as kept or broken).
    public var moved = 0
    /// The median notice those customers got: from the move to the end of the window they had booked (negative
    /// when it came after that window had already closed).
    public var medianNoticeSeconds: Double?

    /// Counts one order's outcome (nil: its promise can still be kept).
    mutating func count(_ outcome: PromiseOutcome?) {
        switch outcome {
        case .kept: kept += 1
        case .broken: broken += 1
        case .cancelled: cancelled += 1
        case nil: pending += 1
        }
    }

    /// The promises decided: kept or broken (at the day's end, every order not cancelled).
    public var decided: Int { kept + broken }
    /// Kept over the promises decided.
    public var keptRate: Double { decided == 0 ? 0 : Double(kept) / Double(decided) }
}

/// A board's snapshot carries the recorder (four entries per order of the day): written as a record, field by
/// field, not through keyed containers (see `CompactRecord`).
extension KPIRecorder: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(firstETA); fields.write(lastETA); fields.write(plannedRider); fields.write(plannedIndex)
        fields.write(planLock); fields.write(busySince); fields.write(busy)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(planLock: Instant(seconds: 0))
        firstETA = try fields.read(); lastETA = try fields.read(); plannedRider = try fields.read(); plannedIndex = try fields.read()
        planLock = try fields.read(); busySince = try fields.read(); busy = try fields.read()
    }
}
