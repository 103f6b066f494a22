extension World {
    /// Why the channel rules keep `channel` from taking `order` now, or nil when they allow it.
    public func channelRefusal(_ channel: Channel, for order: Order, waveLoad: [Int]? = nil) -> String? {
        channels.refusal(of: channel, for: order, waveLoad: waveLoad ?? thirdPartyWaveLoad(excluding: order.id), utcOffsetSeconds: utcOffsetSeconds)
    }
}
