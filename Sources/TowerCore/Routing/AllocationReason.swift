extension InsertionPlanner {
    /// Why this rider: the chosen channel's marginal cost and whether the delivery keeps its window, and the best
    /// of each other channel beside it (or why a channel could not take it), e.g.
    /// `own R14 +1.09, on time; next: 3pl R22 +4.20, wave slot 7.51, on time; gig: none can take it (critical)` (a
    /// 3PL rider's cost and, when its wave is filling, what the slot it takes was counted at). Another channel's
    /// best is the one the search that chose found (`allocation`, which prices each allowed channel's nearest
    /// riders); a channel whose riders it asked and none could take the order is said so (`gig: none of the 4
    /// asked can take it`); a channel it asked none of (a pinned order's search asks its rider only) is searched
    /// on its own, over fewer candidates, among the riders the search could ask (all but `excluded`). (Searching on
    /// for a channel whose nearest riders all had no room was a quarter of the whole day's plan at 2,000 riders:
    /// riders with no room are the dearest to price.) `world` is the one the search priced in (the plan being
    /// built, at the lock).
    func reason(for order: Order, allocation: Allocation, chosen: Insertion, at time: Instant, in world: World,
                excluding excluded: Set<String> = [], bases: RouteBases? = nil) -> String {
        func fit(_ insertion: Insertion) -> String {
            guard let eta = insertion.stops.first(where: { $0.order == order.id && $0.kind == .delivery })?.eta else { return "" }
            return eta <= order.window.end ? "on time" : "late by \(Int((Double(eta - order.window.end) / 60).rounded())) min"
        }
        func describe(_ insertion: Insertion) -> String {
            let channel = world.riders[insertion.rider]?.profile.channel
            // A 3PL rider is chosen by its cost and the wave slot it takes: say both, or a dearer rider chosen over a
            // cheaper 3PL one reads as a mistake (a slot worth less than a cent, in a wave with room, says nothing).
            let slot = channel == .thirdParty && allocation.slotValue >= 0.005 ? String(format: ", wave slot %.2f", allocation.slotValue) : ""
            return "\(channel?.rawValue ?? "?") \(insertion.rider) \(String(format: "%+.2f", insertion.delta))\(slot), \(fit(insertion))"
        }
        let chosenChannel = world.riders[chosen.rider]?.profile.channel
        var others: [String] = []
        var asked: [Channel: Int] = [:]
        for id in allocation.tried { if let channel = world.riders.withValue(id, { $0.profile.channel }) { asked[channel, default: 0] += 1 } }
        for channel in Channel.allCases where channel != chosenChannel {
            if let best = allocation.byChannel[channel] {
                others.append(describe(best))
            } else if let count = asked[channel] {
                others.append("\(channel.rawValue): none of the \(count) asked can take it")
            } else if let best = self.allocation(of: order, in: world, now: time, among: [channel], excluding: excluded,
                                            wanted: Self.reasonCandidates, bases: bases).best {
                others.append(describe(best))
            } else {
                let rule = world.channelRefusal(channel, for: order).map { " (\($0))" } ?? ""
                others.append("\(channel.rawValue): none can take it\(rule)")
            }
        }
        let pinned = order.pinnedRider == chosen.rider ? "pinned by the dispatcher; " : ""
        return pinned + describe(chosen) + (others.isEmpty ? "" : "; next: " + others.joined(separator: "; "))
    }

    /// Riders of a channel priced for the reason text when the search that chose found none of that channel.
    static let reasonCandidates = 3
}
