extension RemedyPlanner {
    /// The decisions that take back an operator's decision (already found undoable by `World.undoRefusal`): each
    /// order it moved goes back to the rider that had it, each window it moved back to what it was, and each
    /// route it changed is planned again in its old order (stops done since are left out; stops added since keep
    /// their place after them), re-timed from now.
    func reversal(of decision: OperatorDecision, in world: World, now: Instant, because: String) -> DecisionDraft {
        var draft = DecisionDraft(world, now: now)
        for (id, before) in decision.orders.sorted(by: { $0.key < $1.key }) {
            guard let order = draft.world.orders[id], !order.status.isFinal else { continue }
            if order.window != before.window { draft.add(.orderUpdated(order: id, changes: OrderChanges(window: before.window))) }
            guard order.rider != before.rider else { continue }
            switch (order.rider, before.rider) {
            case let (now?, then?): draft.add(.orderReassigned(order: id, from: now, to: then, reason: because))
            case let (nil, then?): draft.add(.orderAssigned(order: id, rider: then, reason: because))
            case (_?, nil): draft.add(.orderUnassigned(order: id, reason: because))
            case (nil, nil): break
            }
        }
        var riders = Set(decision.routes.keys)
        for id in decision.orders.keys { if let rider = draft.world.orders[id]?.rider { riders.insert(rider) } }
        for id in riders.sorted() {
            guard let rider = draft.world.riders[id] else { continue }
            let current = draft.world.routes[id]?.stops ?? []
            let live = { (stop: Stop) in
                guard let order = draft.world.orders[stop.order], order.rider == id, !order.status.isFinal else { return false }
                return stop.kind == .delivery || order.status == .assigned
            }
            var stops = (decision.routes[id] ?? []).filter(live)
            let kept = Set(stops.map { StopKey(order: $0.order, kind: $0.kind) })
            stops += current.filter { !kept.contains(StopKey(order: $0.order, kind: $0.kind)) && live($0) }
            // Orders handed back to this rider whose stops were on another route: at the end, pickup first.
            let placed = Set(stops.map { StopKey(order: $0.order, kind: $0.kind) })
            for (orderID, before) in decision.orders.sorted(by: { $0.key < $1.key }) where before.rider == id {
                for kind in [Stop.Kind.pickup, .delivery] where !placed.contains(StopKey(order: orderID, kind: kind)) {
                    let stop = Stop(order: orderID, kind: kind, eta: now)
                    if live(stop) { stops.append(stop) }
                }
            }
            let costBefore = planner.evaluator.evaluate(current, rider: rider, from: planner.start(of: rider, now: now, in: draft.world), now: now, in: draft.world).cost
            let timed = planner.evaluator.evaluate(stops, rider: rider, from: planner.start(of: rider, now: now, in: draft.world), now: now, in: draft.world)
            draft.add(.routePlanned(rider: id, stops: zip(stops, timed.etas).map { Stop(order: $0.order, kind: $0.kind, eta: $1) },
                                    trigger: because, costBefore: costBefore, costAfter: timed.cost))
        }
        return draft
    }
}

/// A stop by what it is, whatever its time.
private struct StopKey: Hashable {
    var order: String
    var kind: Stop.Kind
}
