extension World {
    /// Applies an event that passed `check(_:)`. Deterministic: the same events in the same order give the same world.
    ///
    /// Contradictions that a real feed can carry (a second delivery of the same order, a delivery before its
    /// pickup) leave the world consistent rather than trapping; detectors report them.
    public mutating func apply(_ event: Event) { apply(event, followingRiders: true) }

    /// Checks an event and applies it, leaving the candidate grids unbuilt (a replay: it searches for no rider,
    /// and following every rider at every event was a seventh of its time). The grids are built whole at the first
    /// event applied with `apply(_:)` afterwards, as in a world decoded from a checkpoint; `buildGrids()` builds
    /// them at once. The world is taken `inout` so the check reads it where it lies, not a copy of it.
    static func checkAndReplay(_ event: Event, into world: inout World) throws(EventError) {
        try world.check(event)
        world.apply(event, followingRiders: false)
    }

    /// Builds the candidate grids when they are not (after a replay), so a search finds them ready.
    mutating func buildGrids() {
        if !riderGrid.isBuilt { followRiders(hubsChanged: false) }
    }

    private mutating func apply(_ event: Event, followingRiders: Bool) {
        // What this event changes among orders, riders and cases, for projections that follow it (`KPITally`).
        orders.beginChangeLog(); riders.beginChangeLog(); exceptions.beginChangeLog()
        defer {
            if followingRiders {
                followRiders(hubsChanged: event.type == .hubDefined)
            } else if riderGrid.isBuilt {
                riderGrid = RiderLayers(); idleGrid = RiderLayers()
            }
            if !dueOrders.isBuilt { dueOrders = DueOrderIndex(orderIDs: orderIDs, orders: orders) }
            if !orderCases.isBuilt { orderCases = OrderCaseIndex(exceptions: exceptions) }
            orders.endChangeLog(); riders.endChangeLog(); exceptions.endChangeLog()
        }
        if event.isCoreDecision { decisionIDs[event.id] = true } else { inputIDs[event.id] = event.fingerprint }
        // A checkpoint says where the core stands; it is nothing that happened, so the clock stays.
        if !event.isCheckpoint, clock.map({ event.at > $0 }) ?? true { clock = event.at }
        if let seq = event.seq { lastSeq = max(lastSeq, seq) }
        eventCounts[event.type.rawValue, default: 0] += 1
        let now = event.at
        noteDecision(event)

        switch event.body {
        case let .sessionStarted(name, seed, offset, _, currency, etaModel, policy, _):
            self.etaModel = etaModel
            policyName = policy
            self.name = name
            self.seed = seed
            utcOffsetSeconds = offset
            recountWaves()
            self.currency = currency
        case let .zoneDefined(zone):
            zones[zone.id] = zone
            updateBounds(with: zone)
        case let .hubDefined(hub):
            hubs[hub.id] = hub
        case let .riderRegistered(profile):
            noteRider(profile.id)
            if var rider = riders[profile.id] {
                let channelChanged = rider.profile.channel != profile.channel
                rider.profile = profile
                riders[profile.id] = rider
                if channelChanged { recountWaves() }
            } else {
                riders[profile.id] = Rider(profile: profile, position: hubs[profile.hub]?.location ?? GeoPoint(lat: 0, lon: 0))
            }
        case let .channelsDefined(terms):
            channels = terms
            recountWaves()
        case var .orderCreated(order):
            noteOrder(order.id)
            // An order is created at its event's time: that is all its journal line says (`EventCodec`), so the core
            // that took the event and a replay of its journal hold the same order. (A feed core took the scenario's
            // orders at the day's start with their booking times, and a restart then held other times than it had.)
            order.createdAt = event.at
            putOrder(order)
        case let .orderUpdated(id, changes):
            guard var order = orders[id] else { return }
            if let window = changes.window {
                order.window = window
                order.promised = window
                // The core moving a window moves a promise; the order system changing it is the customer rebooking.
                if event.isCoreDecision {
                    if order.promiseMovedAt == nil { order.promiseMovedAt = now }
                } else {
                    order.booked = window
                    order.promiseMovedAt = nil
                }
            }
            if let drop = changes.drop { order.drop = drop }
            if let tier = changes.tier { order.tier = tier }
            if let parcels = changes.parcels { order.parcels = parcels }
            if let kg = changes.kg { order.kg = kg }
            if let notes = changes.notes { order.notes = notes }
            if let ready = changes.readyAt { order.readyAt = ready }
            putOrder(order)
        case let .orderPinned(id, rider):
            orders[id]?.pinnedRider = rider
        case let .orderCancelled(id, _):
            guard var order = orders[id] else { return }
            order.status = .cancelled
            order.completedAt = now
            if let rider = order.rider { unload(order, from: rider); removeStops(of: id, from: rider) }
            putOrder(order)
        case let .shiftStarted(id):
            updateRider(id) { $0.status = .idle; $0.shiftStartedAt = now; $0.movedAt = now; $0.legFrom = $0.position }
        case let .shiftEnded(id):
            updateRider(id) { $0.status = .shiftEnded; $0.shiftEndedAt = now }
        case let .riderPosition(id, position):
            updateRider(id) { rider in
                let moved = rider.position.distanceKm(to: position)
                rider.kmDriven += moved
                rider.position = position
                rider.positionAt = now
                if moved >= Rider.progressKm { rider.movedAt = now }
                if rider.status == .idle, moved > 0 { rider.status = .driving }
            }
        case let .stopArrived(_, orderID, kind):
            if kind == .delivery, var order = orders[orderID], !order.status.isFinal {
                order.arrivedAt = now
                putOrder(order)
            }
        case let .pickupDone(riderID, orderID):
            // A parcel on board with one rider picked up by another is handed over (a breakdown's parcels taken on).
            guard var order = orders[orderID], order.status == .assigned || order.status == .open
                || (order.status == .pickedUp && order.rider != riderID) else { return }
            // A feed may report the pickup by another rider than the plan's: the parcel is where the feed says.
            if let planned = order.rider, planned != riderID { unload(order, from: planned); removeStops(of: orderID, from: planned) }
            order.status = .pickedUp
            order.pickedUpAt = now
            order.rider = riderID
            putOrder(order)
            updateRider(riderID) { rider in
                rider.finishedStop(at: now)
                rider.onBoard.append(orderID)
                rider.loadParcels += order.parcels
                rider.loadKg += order.kg
                if rider.status == .idle { rider.status = .driving }
            }
            removeStop(order: orderID, kind: .pickup, from: riderID)
        case let .deliveryDone(riderID, orderID):
            guard var order = orders[orderID], !order.status.isFinal else { return }
            order.status = .delivered
            order.attempts += 1
            order.completedAt = now
            putOrder(order)
            // Delivered by whoever the feed says: a parcel another rider had on board leaves that rider's load.
            unloadEverywhere(order, holder: order.rider, reporter: riderID)
            updateRider(riderID) { $0.delivered += 1; $0.finishedStop(at: now) }
            removeFinished(order, deliveredBy: riderID)
        case let .deliveryFailed(riderID, orderID, reason):
            guard var order = orders[orderID], !order.status.isFinal else { return }
            order.status = .failed
            order.attempts += 1
            order.failureReason = reason
            order.completedAt = now
            putOrder(order)
            // The parcel goes back to the hub with the rider; it no longer counts against the route's load.
            unloadEverywhere(order, holder: order.rider, reporter: riderID)
            updateRider(riderID) { $0.failed += 1; $0.finishedStop(at: now) }
            removeFinished(order, deliveredBy: riderID)
        case let .trafficIncident(id, zone, slowdown, until, note):
            incidents[id] = TrafficIncident(id: id, zone: zone, slowdown: slowdown, since: now, until: until, note: note)
        case let .riderBreakdown(id, _):
            updateRider(id) { $0.status = .brokenDown; $0.brokenDownSince = now }
        case let .riderRecovered(id):
            updateRider(id) { $0.status = .idle; $0.brokenDownSince = nil }
        case let .orderAssigned(orderID, riderID, _):
            guard var order = orders[orderID] else { return }
            if order.rider != riderID { order.assignedAt = now }
            order.rider = riderID
            if order.status == .open || order.status == .failed { order.status = .assigned }
            putOrder(order)
        case let .orderReassigned(orderID, from, to, _):
            guard var order = orders[orderID] else { return }
            removeStops(of: orderID, from: from)
            if order.status == .pickedUp { unload(order, from: from); order.status = .assigned }
            order.rider = to
            order.assignedAt = now
            if order.status == .open || order.status == .failed { order.status = .assigned }
            putOrder(order)
        case let .orderUnassigned(orderID, _):
            guard var order = orders[orderID] else { return }
            if let rider = order.rider { removeStops(of: orderID, from: rider) }
            if !order.status.isFinal { order.status = .open }
            order.rider = nil
            putOrder(order)
        case let .routePlanned(riderID, stops, _, _, _):
            setRoute(Route(stops: stops, plannedAt: now), of: riderID)
        case let .customerNotified(id, _, _, window):
            notificationsSent += 1
            guard var order = orders[id] else { return }
            if let window { order.promised = window }
            order.notifiedAt = now
            putOrder(order)
        case let .exceptionRaised(id, kind, subject, detail):
            exceptions[id] = ExceptionCase(id: id, kind: kind, subject: subject, detail: detail, raisedAt: now)
            pendingCaseIDs.insert(id)
            orderCases.note(id, about: [subject])
        case let .exceptionAutoResolved(id, action, rule):
            updateException(id) { $0.state = .autoResolved; $0.resolution = .action(action); $0.rule = rule; $0.resolvedAt = now; $0.decidedBy = event.by }
        case let .exceptionEscalated(id, options, deadline, defaultAction, reason, covering):
            updateException(id) { exception in
                exception.state = .escalated
                exception.covering = covering
                exception.options = options
                exception.deadline = deadline
                exception.defaultAction = defaultAction
                exception.escalationReason = reason
            }
            if let subject = exceptions[id]?.subject { escalatedSubjects.insert(subject) }
            escalatedSubjects.formUnion(covering)
            orderCases.note(id, about: covering)
        case let .exceptionApproved(id, option, op):
            updateException(id) { exception in
                exception.state = .approved
                exception.resolution = .action(exception.options.indices.contains(option - 1) ? exception.options[option - 1].action : .none)
                exception.resolvedAt = now
                exception.decidedBy = op
            }
        case let .exceptionRejected(id, op, reason):
            updateException(id) { $0.state = .rejected; $0.resolution = .rejected(reason: reason); $0.resolvedAt = now; $0.decidedBy = op }
        case let .exceptionDefaulted(id, option):
            updateException(id) { exception in
                exception.state = .defaulted
                exception.resolution = .action(exception.options.indices.contains(option - 1) ? exception.options[option - 1].action : .none)
                exception.resolvedAt = now
                exception.decidedBy = event.by
            }
        case let .decisionUndone(id, op):
            guard var decision = lastDecisions[op], decision.id == id else { return }
            decision.undone = true
            lastDecisions[op] = decision
            switch decision.kind {
            case let .approved(exception, _), let .rejected(exception):
                // Back in the queue with the time it had left when it was decided.
                updateException(exception) { exception in
                    exception.state = .escalated
                    exception.deadline = exception.deadline.map { $0 + (now - decision.at) }
                    exception.resolution = nil
                    exception.resolvedAt = nil
                    exception.decidedBy = nil
                }
            case let .pinned(order, _):
                orders[order]?.pinnedRider = decision.orders[order]?.pinnedRider
            }
        case .checkpoint, .etaRetrained:
            break  // the core's own bookkeeping: it changes nothing in the world
        }
    }

    /// Changes the rider where it is stored: a copy taken out and written back moved the whole rider twice and
    /// counted every reference it holds up and down, at every position a phone sends.
    private mutating func updateRider(_ id: String, _ change: (inout Rider) -> Void) {
        guard riders.contains(id) else { return }
        change(&riders[id]!)
    }

    private mutating func updateException(_ id: String, _ change: (inout ExceptionCase) -> Void) {
        guard var exception = exceptions[id] else { return }
        let wasClosed = !exception.isPending && exception.resolvedAt != nil
        change(&exception)
        exceptions[id] = exception
        if exception.isPending { pendingCaseIDs.insert(id) } else { pendingCaseIDs.remove(id) }
        if !wasClosed, !exception.isPending, exception.resolvedAt != nil { closedCaseIDs.append(id) }
    }

    /// Takes a finished order's parcel off the rider who reported it and off the rider who had it on board, when
    /// a feed says another rider finished it.
    private mutating func unloadEverywhere(_ order: Order, holder: String?, reporter: String) {
        unload(order, from: reporter)
        if let holder, holder != reporter { unload(order, from: holder) }
    }

    private mutating func unload(_ order: Order, from riderID: String) {
        updateRider(riderID) { rider in
            guard let index = rider.onBoard.firstIndex(of: order.id) else { return }
            rider.onBoard.remove(at: index)
            rider.loadParcels -= order.parcels
            rider.loadKg = max(0, rider.loadKg - order.kg)
        }
    }

    /// Removes a visited stop; a rider whose route is now empty is idle.
    private mutating func removeStop(order: String, kind: Stop.Kind, from riderID: String) {
        guard let index = routes[riderID]?.stops.firstIndex(where: { $0.order == order && $0.kind == kind }) else { return }
        changeStops(of: riderID) { $0.remove(at: index) }
        if routes[riderID]?.stops.isEmpty ?? false { updateRider(riderID) { if $0.status == .driving { $0.status = .idle } } }
    }

    /// Takes a finished order off every route that holds it: the delivery stop, and a pickup stop a feed never
    /// reported (a delivery without its pickup), also on the rider it was assigned to if another delivered it.
    private mutating func removeFinished(_ order: Order, deliveredBy riderID: String) {
        removeStop(order: order.id, kind: .delivery, from: riderID)
        for holder in Set([riderID, order.rider].compactMap { $0 }) where routes[holder]?.stops.contains(where: { $0.order == order.id }) ?? false {
            removeStops(of: order.id, from: holder)
            if routes[holder]?.stops.isEmpty ?? false { updateRider(holder) { if $0.status == .driving { $0.status = .idle } } }
        }
    }

    private mutating func removeStops(of order: String, from riderID: String) {
        changeStops(of: riderID) { $0.removeAll { $0.order == order } }
    }
}
