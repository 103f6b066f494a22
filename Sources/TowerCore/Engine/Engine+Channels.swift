extension Engine {
    /// Why each channel cannot take `order` by the rules, e.g. `own: zone jacarepagua is outside the own fleet's
    /// zones; 3pl: 3PL wave 06:00–11:00 is full (80/80)`; empty when the rules allow every channel.
    func channelRefusals(of order: Order) -> String {
        let load = world.thirdPartyWaveLoad(excluding: order.id)
        return Channel.allCases.compactMap { channel in
            world.channelRefusal(channel, for: order, waveLoad: load).map { "\(channel.rawValue): \($0)" }
        }.joined(separator: "; ")
    }

    /// When the rules leave `order` to the 3PL alone and its wave is full, frees a slot: of the 3PL's orders in that
    /// wave not yet collected and not pinned, the one another channel takes at the least extra cost moves there.
    /// Returns whether a slot was freed. Greedy first-come placement fills waves with orders that had other options;
    /// this gives the slot back to the order that has none. Not in static mode, which keeps the plan as made.
    func freeThirdPartySlot(for order: Order, at time: Instant) -> Bool {
        guard settings.mode != .static, world.channelRefusal(.own, for: order) != nil, world.channelRefusal(.gig, for: order) != nil,
              let wave = world.channels.wave(of: order, utcOffsetSeconds: world.utcOffsetSeconds) else { return false }
        let load = world.thirdPartyWaveLoad(excluding: order.id)
        guard wave < load.count, Double(load[wave]) >= world.channels.thirdPartyWaves[wave].value else { return false }
        var best: (order: String, from: String, insertion: InsertionPlanner.Insertion)?
        for id in world.orderIDs {
            guard let held = world.orders[id], held.status == .assigned, held.pinnedRider == nil, let rider = held.rider,
                  world.riders[rider]?.profile.channel == .thirdParty, world.channels.wave(of: held, utcOffsetSeconds: world.utcOffsetSeconds) == wave,
                  let holder = world.riders[rider], !planner.isFrozen(id, on: holder, in: world),
                  let insertion = planner.bestInsertion(of: held, in: world, now: time, among: [.own, .gig]),
                  insertion.delta < best?.insertion.delta ?? .infinity else { continue }
            best = (id, rider, insertion)
        }
        guard let best, let holder = world.riders[best.from] else { return false }
        let reason = "frees a 3PL wave slot for \(order.id), which only the 3PL may take"
        let before = planner.retimed(holder, in: world, now: time).cost
        decide(.orderReassigned(order: best.order, from: best.from, to: best.insertion.rider, reason: reason), at: time)
        decide(.routePlanned(rider: best.insertion.rider, stops: best.insertion.stops, trigger: reason,
                             costBefore: best.insertion.costBefore, costAfter: best.insertion.costAfter), at: time)
        let after = planner.retimed(world.riders[best.from]!, in: world, now: time)
        decide(.routePlanned(rider: best.from, stops: after.stops, trigger: reason, costBefore: before, costAfter: after.cost), at: time)
        return true
    }
}
