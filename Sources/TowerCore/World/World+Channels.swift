extension World {
    /// How many orders the 3PL holds in each of its waves: orders given to a 3PL rider and not cancelled, by the
    /// wave of their window's start. `excluding` leaves one order out (the one being placed).
    public func thirdPartyWaveLoad(excluding excluded: String? = nil) -> [Int] {
        guard !channels.thirdPartyWaves.isEmpty else { return [] }
        var load = [Int](repeating: 0, count: channels.thirdPartyWaves.count)
        for (id, order) in orders where id != excluded && order.status != .cancelled {
            guard let rider = order.rider, riders[rider]?.profile.channel == .thirdParty,
                  let wave = channels.wave(of: order, utcOffsetSeconds: utcOffsetSeconds) else { continue }
            load[wave] += 1
        }
        return load
    }

    /// Why the channel rules keep `channel` from taking `order` now, or nil when they allow it.
    public func channelRefusal(_ channel: Channel, for order: Order, waveLoad: [Int]? = nil) -> String? {
        channels.refusal(of: channel, for: order, waveLoad: waveLoad ?? thirdPartyWaveLoad(excluding: order.id), utcOffsetSeconds: utcOffsetSeconds)
    }
}
