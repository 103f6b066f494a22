extension World {
    /// Whether `event` can be applied to this world: ids it names exist, time does not run backwards,
    /// its id is new, and what it describes fits the state. Throws the first reason it cannot.
    public func check(_ event: Event) throws(EventError) {
        if event.isCoreDecision ? decisionIDs[event.id] != nil : inputIDs[event.id] != nil {
            throw EventError(field: "id", reason: "duplicate event id \"\(event.id)\"")
        }
        if event.type.origin != .input, !event.isCoreDecision {
            throw EventError(field: "type", reason: "\(event.type) is written by the core itself, never taken as input"
                + (event.type == .orderAssigned || event.type == .orderReassigned ? " (to put an order on a rider, send order.pinned)" : ""))
        }
        if let clock, event.at < clock {
            throw EventError(field: "at", reason: "time goes backwards: \(ISOTime.format(event.at, offsetSeconds: utcOffsetSeconds)) is before the last event at \(ISOTime.format(clock, offsetSeconds: utcOffsetSeconds))")
        }
        if !event.isCoreDecision, let refusal = InputTimes.refusal(of: event) { throw refusal }
        switch event.body {
        case .sessionStarted:
            // It names the day, its clock's offset and the ETA model its journal goes on under: a second one (a line
            // posted mid-day, the first line of another journal followed as a feed) would rename the day under the
            // core and leave a journal no restart can resume.
            if eventCounts[EventType.sessionStarted.rawValue] != nil {
                throw EventError(field: "type", reason: "the day is open already (\"\(name)\"): session.started comes once, first in a journal")
            }
        case let .zoneDefined(zone):
            try requireFreeOrSame(zones[zone.id] == nil, "zone", zone.id)
        case let .hubDefined(hub):
            try requireZone(hub.zone, field: "zone")
            try requireInside(hub.location, field: "lat")
        case let .riderRegistered(profile):
            try requireHub(profile.hub, field: "hub")
            try requireZone(profile.zone, field: "zone")
        case let .channelsDefined(terms):
            for zone in terms.ownFleetZones.sorted() { try requireZone(zone, field: "own_fleet_zones") }
            for rate in terms.thirdPartyRates where rate.zone != "*" { try requireZone(rate.zone, field: "rates_3pl") }
        case let .orderCreated(order):
            if orders.contains(order.id) { throw EventError(field: "order", reason: "order \"\(order.id)\" already exists") }
            try requireZone(order.zone, field: "zone")
            try requireInside(order.drop, field: "lat")
            if let pinned = order.pinnedRider { try requireRider(pinned, field: "pin_rider") }
            switch order.pickup {
            case let .hub(hub): try requireHub(hub, field: "pickup_hub")
            case let .point(point): try requireInside(point, field: "pickup_lat")
            }
        case let .orderUpdated(id, changes):
            let order = try requireOrder(id)
            if order.status.isFinal { throw EventError(field: "order", reason: "order \"\(id)\" is already \(order.status.rawValue)") }
            if let drop = changes.drop { try requireInside(drop, field: "lat") }
            if let ready = changes.readyAt {
                if let end = changes.window?.end ?? orders.withValue(id, { $0.window.end }), ready >= end {
                    throw EventError(field: "ready_at", reason: "the parcel would be ready only after its window closes")
                }
                if order.status == .pickedUp { throw EventError(field: "ready_at", reason: "order \"\(id)\" is already picked up") }
            }
        case let .orderPinned(id, riderID):
            let order = try requireOrder(id)
            if order.status.isFinal { throw EventError(field: "order", reason: "order \"\(id)\" is already \(order.status.rawValue)") }
            try requireRider(riderID)
            if order.status == .pickedUp, let holder = order.rider, holder != riderID {
                throw EventError(field: "order", reason: "order \"\(id)\" is already on board with \(holder)")
            }
        case let .orderCancelled(id, _):
            let order = try requireOrder(id)
            if order.status.isFinal { throw EventError(field: "order", reason: "order \"\(id)\" is already \(order.status.rawValue)") }
        case let .shiftStarted(rider), let .shiftEnded(rider), let .riderBreakdown(rider, _), let .riderRecovered(rider):
            try requireRider(rider)
        case let .riderPosition(rider, position):
            try requireRider(rider)
            try requireInside(position, field: "lat")
        case let .pickupDone(rider, order), let .deliveryDone(rider, order), let .deliveryFailed(rider, order, _),
             let .stopArrived(rider, order, _):
            try requireRider(rider)
            try requireOrder(order)
        case let .trafficIncident(_, zone, _, _, _):
            try requireZone(zone, field: "zone")
        case let .orderAssigned(order, rider, _):
            try requireLive(try requireOrder(order))
            try requireRider(rider)
        case let .orderReassigned(order, from, to, _):
            try requireLive(try requireOrder(order))
            try requireRider(from, field: "from")
            try requireRider(to, field: "to")
        case let .orderUnassigned(order, _):
            try requireOrder(order)
        case let .routePlanned(rider, stops, _, _, _):
            try requireRider(rider)
            for (index, stop) in stops.enumerated() where !orders.contains(stop.order) {
                throw EventError(field: "stops[\(index)].order", reason: "unknown order \"\(stop.order)\"")
            }
        case let .customerNotified(order, _, _, _):
            try requireOrder(order)
        case let .exceptionRaised(id, _, _, _):
            if exceptions.contains(id) { throw EventError(field: "exception", reason: "exception \"\(id)\" already raised") }
        case let .exceptionAutoResolved(id, _, _):
            try requirePendingException(id)
        case let .exceptionEscalated(id, _, _, _, _, covering):
            let exception = try requirePendingException(id)
            for (index, order) in covering.enumerated() {
                if !orders.contains(order) { throw EventError(field: "covering[\(index)]", reason: "unknown order \"\(order)\"") }
                if order == exception.subject { throw EventError(field: "covering[\(index)]", reason: "\"\(order)\" is the case's own subject") }
            }
        case let .exceptionApproved(id, option, _):
            let exception = try requireEscalated(id)
            if option > exception.options.count {
                throw EventError(field: "option", reason: "exception \"\(id)\" has \(exception.options.count) options")
            }
        case let .exceptionRejected(id, _, _):
            try requireEscalated(id)
        case let .exceptionDefaulted(id, option):
            let exception = try requireEscalated(id)
            if option > exception.options.count {
                throw EventError(field: "option", reason: "exception \"\(id)\" has \(exception.options.count) options")
            }
        case let .decisionUndone(id, op):
            if let refusal = undoRefusal(of: id, by: op, at: event.at) { throw EventError(field: "decision", reason: refusal) }
        case .checkpoint, .etaRetrained:
            break
        }
    }

    private func requireFreeOrSame(_ free: Bool, _ what: String, _ id: String) throws(EventError) {
        if !free { throw EventError(field: what, reason: "\(what) \"\(id)\" is already defined") }
    }

    private func requireZone(_ id: String, field: String) throws(EventError) {
        if zones[id] == nil { throw EventError(field: field, reason: "unknown zone \"\(id)\"") }
    }

    private func requireHub(_ id: String, field: String) throws(EventError) {
        if hubs[id] == nil { throw EventError(field: field, reason: "unknown hub \"\(id)\"") }
    }

    // The lookups below read a rider or an order where it is stored: each is a large value, and every input names
    // one or two, so a copy of each was a tenth of a replay.
    private func requireRider(_ id: String, field: String = "rider") throws(EventError) {
        if !riders.contains(id) { throw EventError(field: field, reason: "unknown rider \"\(id)\"") }
    }

    /// What the checks read of an order: its status and who carries it.
    private typealias OrderFacts = (id: String, status: OrderStatus, rider: String?)

    @discardableResult
    private func requireOrder(_ id: String) throws(EventError) -> OrderFacts {
        guard let facts = orders.withValue(id, { (id: $0.id, status: $0.status, rider: $0.rider) }) else {
            throw EventError(field: "order", reason: "unknown order \"\(id)\"")
        }
        return facts
    }

    private func requireLive(_ order: OrderFacts) throws(EventError) {
        if order.status.isFinal { throw EventError(field: "order", reason: "order \"\(order.id)\" is already \(order.status.rawValue)") }
    }

    @discardableResult
    private func requirePendingException(_ id: String) throws(EventError) -> ExceptionCase {
        guard let exception = exceptions[id] else { throw EventError(field: "exception", reason: "unknown exception \"\(id)\"") }
        guard exception.isPending else {
            throw EventError(field: "exception", reason: "exception \"\(id)\" is already \(exception.state.rawValue)")
        }
        return exception
    }

    /// A case waiting for a supervisor: decisions on anything else are refused, so re-sent approvals are harmless.
    @discardableResult
    private func requireEscalated(_ id: String) throws(EventError) -> ExceptionCase {
        let exception = try requirePendingException(id)
        guard exception.state == .escalated else {
            throw EventError(field: "exception", reason: "exception \"\(id)\" is not waiting for a decision")
        }
        return exception
    }

    private func requireInside(_ point: GeoPoint, field: String) throws(EventError) {
        if let bounds, !bounds.contains(point) {
            throw EventError(field: field, reason: "(\(point.lat), \(point.lon)) is outside the city's area")
        }
    }
}
