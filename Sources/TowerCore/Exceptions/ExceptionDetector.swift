/// Something a detector saw: the kind of trouble, what it is about, and the numbers in words.
public struct Finding: Hashable, Sendable {
    public var kind: ExceptionKind
    /// An order id, a rider id or a zone id, by kind.
    public var subject: String
    public var detail: String

    public init(_ kind: ExceptionKind, _ subject: String, _ detail: String) {
        self.kind = kind; self.subject = subject; self.detail = detail
    }
}

/// The detectors: pure functions of the world (and, for event-borne kinds, of the event about to apply).
///
/// Scanned kinds are looked for on the engine's scan grid; the predictions come from `Outlook` (the travel
/// model until the learned ETAs land, so "predicted late" means past the promise by more than the threshold).
public struct ExceptionDetector: Sendable {
    public var thresholds: Policy.Thresholds

    public init(thresholds: Policy.Thresholds) { self.thresholds = thresholds }

    /// Every scanned kind of trouble in `world` at `now`, in a stable order.
    public func scan(_ world: World, outlook: Outlook, now: Instant) -> [Finding] {
        var findings: [Finding] = []
        let clock = { (instant: Instant) in ISOTime.clock(instant, offsetSeconds: world.utcOffsetSeconds) }
        for id in world.riderIDs {
            guard let lane = outlook.lanes[id] else { continue }
            for stop in lane.stops where stop.kind == .delivery {
                // The order read where it is stored: a scan looks at every stop of the city.
                guard let promised = world.orders.withValue(stop.order, { now < $0.window.end ? $0.promised.end : nil }) ?? nil,
                      stop.eta - promised > thresholds.predictedLate else { continue }
                findings.append(Finding(.predictedLate, stop.order, "ETA \(clock(stop.eta)), promised by \(clock(promised)) (\(id))"))
            }
        }
        // Only orders whose windows end within the horizon can be late now or wait too near their end, and only
        // critical ones wait too long whatever their window: the rest of the day's orders are not looked at.
        let watched = world.ordersToScan(endingBy: now + max(0, thresholds.capacityHorizon))
        for id in watched {
            guard let order = world.orders[id] else { continue }
            guard order.status.isLive else { continue }
            if now >= order.window.end {
                findings.append(Finding(.lateNow, id, "window closed at \(clock(order.window.end)); \(order.status.rawValue)"
                                        + (order.rider.map { " with \($0)" } ?? "")))
            }
            guard order.status == .open, order.rider == nil else { continue }
            let waited = now - order.createdAt
            if order.tier == .critical {
                if waited >= thresholds.criticalWaiting {
                    findings.append(Finding(.criticalWaiting, id, "no rider for \(waited / 60) min; window \(clock(order.window.start))-\(clock(order.window.end))"))
                }
            } else if waited >= thresholds.unassigned, now < order.window.end, order.window.end - now <= thresholds.capacityHorizon {
                findings.append(Finding(.unassignedOrder, id, "no rider can take it; window \(clock(order.window.start))-\(clock(order.window.end))"))
            }
        }
        // Beyond the horizon, the orders waiting for a rider that nobody on today's roster could ever take: waiting
        // will not place them, so they are cases now (`RosterReach`). One already put to a person is left until its
        // window comes within the horizon (each scan would rank its options again all day, only to leave it as the
        // person decided), unless its case is still pending (not seen, it would be closed as cleared). The set is
        // walked in no order; what it finds is put in id order.
        if !world.unassignedOrderIDs.isEmpty {
            let reach = RosterReach(world, now: now)
            let pending = Set(world.pendingCases.map(\.subject))
            var stranded: [Finding] = []
            for id in world.unassignedOrderIDs {
                // Read where the order is stored: in a large city's morning these are the tens of thousands held for
                // their waves.
                guard let window = world.orders.withValue(id, { order -> TimeWindow? in
                    guard order.status == .open, order.rider == nil, order.tier != .critical, order.window.end > now + thresholds.capacityHorizon,
                          now - order.createdAt >= thresholds.unassigned, !reach.canEverTake(order, in: world) else { return nil }
                    return order.window
                }) ?? nil, !world.escalatedSubjects.contains(id) || pending.contains(id) else { continue }
                stranded.append(Finding(.unassignedOrder, id, "no rider on today's roster can take it; window \(clock(window.start))-\(clock(window.end))"))
            }
            findings += stranded.sorted { $0.subject < $1.subject }
        }
        for id in world.riderIDs {
            findings += world.riders.withValue(id) { riderFindings($0, in: world, now: now) } ?? []
        }
        findings += capacityFindings(world, watched: watched, now: now)
        return findings
    }

    private func riderFindings(_ rider: Rider, in world: World, now: Instant) -> [Finding] {
        guard rider.status == .idle || rider.status == .driving else { return [] }
        let route = world.routes[rider.id]?.stops ?? []
        let heard = rider.positionAt ?? rider.shiftStartedAt ?? now
        if now - heard >= thresholds.offline {
            return [Finding(.riderOffline, rider.id, "no position for \((now - heard) / 60) min")]
        }
        guard let next = route.first, let target = world.location(of: next) else { return [] }
        var findings: [Finding] = []
        let still = now - (rider.movedAt ?? heard)
        // A rider at its next stop is waiting for the window or serving it: that is not a stall.
        if still >= thresholds.stalled, rider.position.distanceKm(to: target) > 0.15 {
            findings.append(Finding(.riderStalled, rider.id, "no progress for \(still / 60) min, \(route.count) stops ahead"))
        }
        if rider.status == .driving, let from = rider.legFrom {
            let away = Geometry.distanceKm(from: rider.position, toSegment: from, target)
            if away > thresholds.offRouteKm {
                findings.append(Finding(.offRoute, rider.id, String(format: "%.1f km from the path to %@", away, next.order)))
            }
        }
        // The geofence is the box around every zone its work is in: the roads between two of them count too.
        var zones: Set<String> = [rider.profile.zone]
        if let hub = world.hubs[rider.profile.hub] { zones.insert(hub.zone) }
        for stop in route {
            world.orders.withValue(stop.order) { order in
                if stop.kind == .delivery { zones.insert(order.zone) }
                else if case let .hub(hub) = order.pickup, let zone = world.hubs[hub]?.zone { zones.insert(zone) }
            }
        }
        let areas = zones.sorted().compactMap { world.zones[$0]?.area }
        if let first = areas.first {
            let fence = areas.dropFirst().reduce(first) { box, area in
                GeoBox(south: min(box.south, area.south), west: min(box.west, area.west), north: max(box.north, area.north), east: max(box.east, area.east))
            }
            if !Geometry.contains(fence, rider.position, marginKm: thresholds.geofenceMarginKm) {
                findings.append(Finding(.geofenceExit, rider.id, "outside the area of its zones (\(zones.sorted().joined(separator: ", ")))"))
            }
        }
        return findings
    }

    /// Zones where the parcels due within the horizon that nobody carries exceed the room left on the riders of
    /// that zone who are on shift. `watched`: the orders the scan looks at (every order nobody carries whose window
    /// ends within the horizon is among them).
    private func capacityFindings(_ world: World, watched: [String], now: Instant) -> [Finding] {
        var due: [String: Int] = [:]
        for id in watched where world.unassignedOrderIDs.contains(id) {
            guard let order = world.orders[id], order.window.end <= now + thresholds.capacityHorizon, order.window.end > now else { continue }
            due[order.zone, default: 0] += order.parcels
        }
        var room: [String: Int] = [:]
        for id in world.riderIDs {
            guard let (zone, free) = world.riders.withValue(id, { rider -> (String, Int)? in
                guard rider.status == .idle || rider.status == .driving else { return nil }
                return (rider.profile.zone, rider.profile.capacityParcels - rider.loadParcels)
            }) ?? nil else { continue }
            let planned = (world.routes[id]?.stops ?? []).reduce(0) { sum, stop in
                stop.kind == .pickup ? sum + (world.orders.withValue(stop.order) { $0.parcels } ?? 0) : sum
            }
            room[zone, default: 0] += max(0, free - planned)
        }
        return due.keys.sorted().compactMap { zone in
            let free = room[zone] ?? 0
            guard due[zone]! > free else { return nil }
            return Finding(.capacityShortfall, zone, "\(due[zone]!) parcels due within \(thresholds.capacityHorizon / 60) min, room for \(free)")
        }
    }

    /// What `event` shows before it applies: a failed attempt, a breakdown, a cancellation of a parcel already
    /// on board, a shift ended with parcels on board, a rider registered again with less room than it carries, or a
    /// contradiction (delivered twice, delivered before pickup, picked up or delivered by a rider other than the
    /// plan's or the parcel's, picked up once delivered or cancelled).
    public func findings(for event: Event, before world: World) -> [Finding] {
        switch event.body {
        case let .deliveryFailed(rider, order, reason):
            if let status = world.orders[order]?.status, status.isFinal || status == .failed {
                return [Finding(.contradictoryEvent, order, "\(rider) reported a failed attempt on an order already \(status.rawValue)")]
            }
            return [Finding(.failedAttempt, order, "\(rider): \(reason.rawValue.replacingOccurrences(of: "_", with: " "))")]
        case let .riderBreakdown(rider, note):
            return [Finding(.riderBreakdown, rider, note.isEmpty ? "breakdown" : note)]
        case let .shiftEnded(rider):
            let onBoard = (world.routes[rider]?.stops ?? []).filter { $0.kind == .delivery && world.orders[$0.order]?.status == .pickedUp }.map(\.order)
            guard !onBoard.isEmpty else { return [] }
            let listed = onBoard.prefix(5).joined(separator: ", ") + (onBoard.count > 5 ? ", …" : "")
            return [Finding(.contradictoryEvent, rider, "\(rider) ended the shift with \(onBoard.count) parcel\(onBoard.count == 1 ? "" : "s") on board: \(listed)")]
        case let .riderRegistered(profile):
            // Registered again with less room than the parcels it carries (another vehicle mid-day): they are on
            // board all the same, so someone has to ask.
            guard let rider = world.riders[profile.id], rider.loadParcels > profile.capacityParcels || rider.loadKg > profile.capacityKg + 1e-9
            else { return [] }
            return [Finding(.contradictoryEvent, profile.id, "\(profile.id) registered again with room for \(profile.capacityParcels) parcels and "
                            + "\(formatNumber(profile.capacityKg)) kg, carrying \(rider.loadParcels) and \(formatNumber(rider.loadKg)) kg")]
        case let .orderCancelled(order, reason):
            guard world.orders[order]?.status == .pickedUp else { return [] }
            return [Finding(.cancelledAfterPickup, order, "on board with \(world.orders[order]?.rider ?? "?")"
                            + (reason.isEmpty ? "" : ": \(reason)"))]
        case let .pickupDone(rider, order):
            guard let status = world.orders[order]?.status else { return [] }
            if status == .delivered || status == .cancelled {
                return [Finding(.contradictoryEvent, order, "\(rider) reported a pickup of an order already \(status.rawValue)")]
            }
            guard let planned = world.orders[order]?.rider, planned != rider else { return [] }
            switch status {
            case .assigned: return [Finding(.contradictoryEvent, order, "\(rider) picked up an order planned for \(planned)")]
            case .pickedUp: return [Finding(.contradictoryEvent, order, "\(rider) took over a parcel on board with \(planned)")]
            default: return []
            }
        case let .deliveryDone(rider, order):
            guard let status = world.orders[order]?.status else { return [] }
            switch status {
            case .delivered, .cancelled:
                return [Finding(.contradictoryEvent, order, "\(rider) reported a delivery of an order already \(status.rawValue)")]
            case .open, .assigned:
                return [Finding(.contradictoryEvent, order, "\(rider) reported a delivery before any pickup")]
            case .pickedUp:
                guard let holder = world.orders[order]?.rider, holder != rider else { return [] }
                return [Finding(.contradictoryEvent, order, "\(rider) reported a delivery of a parcel on board with \(holder)")]
            case .failed:
                return []
            }
        default:
            return []
        }
    }
}
