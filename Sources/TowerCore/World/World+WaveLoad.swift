extension World {
    /// Puts an order in the world and keeps the 3PL's wave counts (`thirdPartyWaveLoad`) and the scans' index of
    /// live orders (`dueOrders`) with it. Every change of an order's rider, status or window, in `apply` or in a
    /// draft, goes through here.
    public mutating func putOrder(_ order: Order) {
        if waveLoad.count != channels.thirdPartyWaves.count { recountWaves() }  // never index past the waves
        let old = orders[order.id]
        if let old, let wave = thirdPartyWave(of: old) { waveLoad[wave] -= 1 }
        dueOrders.update(from: old, to: order)
        orders[order.id] = order
        if let new = thirdPartyWave(of: order) { waveLoad[new] += 1 }
        if order.status == .open, order.rider == nil { unassignedOrderIDs.insert(order.id) } else { unassignedOrderIDs.remove(order.id) }
    }

    /// The 3PL wave an order counts in: given to a 3PL rider, not cancelled, its window starting in a wave.
    func thirdPartyWave(of order: Order) -> Int? {
        guard !channels.thirdPartyWaves.isEmpty, order.status != .cancelled, let rider = order.rider,
              riders[rider]?.profile.channel == .thirdParty else { return nil }
        return channels.wave(of: order, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// Counts the waves again from every order: when the waves, the clock's offset or a rider's channel change.
    mutating func recountWaves() {
        var load = [Int](repeating: 0, count: channels.thirdPartyWaves.count)
        for order in orders.values { if let wave = thirdPartyWave(of: order) { load[wave] += 1 } }
        waveLoad = load
    }

    /// How many orders the 3PL holds in each of its waves: orders given to a 3PL rider and not cancelled, by the
    /// wave of their window's start. `excluding` leaves one order out (the one being placed).
    public func thirdPartyWaveLoad(excluding excluded: String? = nil) -> [Int] {
        guard waveLoad.count == channels.thirdPartyWaves.count else {
            var recount = self
            recount.recountWaves()
            return recount.thirdPartyWaveLoad(excluding: excluded)
        }
        guard let excluded, let order = orders[excluded], let wave = thirdPartyWave(of: order) else { return waveLoad }
        var load = waveLoad
        load[wave] -= 1
        return load
    }
}
