/// Arrival times along a rider's route from the learned ETA model: each leg's travel at its P50, with a spread
/// from the model's own P10–P90 for that leg, and each stop's dwell, waiting at the door when early as riders do.
///
/// A traffic incident the core knows of is one of the model's inputs: the slowdown in force where the leg's
/// midpoint lies when the rider sets off.
struct LearnedRouteTimes {
    let model: ETAModel
    /// Standard deviations in a P10–P90 span of a normal distribution.
    static let spanInSigmas = 2 * RiskModel.z90

    /// P50 arrival at each stop (when service can begin), its standard deviation in seconds (with `floor` added for
    /// the door), and when the rider reaches the stop, before any wait for its window or its parcel.
    func walk(_ infos: [StopInfo], route: [Stop], rider: Rider, from start: RouteEvaluator.Start, world: World,
              floor: Double) -> (etas: [Instant], sigmas: [Double], arrivals: [Instant]) {
        let dwellSpread = (model.dwell.quantiles[2] - model.dwell.quantiles[0]) / LearnedRouteTimes.spanInSigmas
        var time = start.time
        var position = start.origin
        var variance = 0.0
        var index = rider.delivered + rider.failed
        var etas: [Instant] = [], sigmas: [Double] = [], arrivals: [Instant] = []
        for info in infos {
            guard let order = world.orders[route[info.ref].order] else {  // resolved stops always have their order
                etas.append(time); sigmas.append((variance + floor * floor).squareRoot()); arrivals.append(time); continue
            }
            if info.kind == .delivery { index += 1 }
            let row = HistoryRow(line: 0, order: order.id, rider: rider.id, channel: rider.profile.channel.rawValue, zone: order.zone,
                                 from: position, to: info.location, departedAt: time, arrivedAt: nil, completedAt: nil,
                                 stopIndex: max(1, index), parcels: order.parcels, outcome: "", utcOffsetSeconds: world.utcOffsetSeconds,
                                 windowStart: order.window.start, windowEnd: order.window.end, tier: order.tier.rawValue,
                                 slowdown: world.slowdownOfLeg(from: position, to: info.location, departing: time))
            let predicted = model.predict(row)
            let travel = predicted.travel[1]
            let legSigma = (predicted.travel[2] - predicted.travel[0]) / LearnedRouteTimes.spanInSigmas
            variance += legSigma * legSigma
            time = time + Int64(travel.rounded())
            position = info.location
            arrivals.append(time)
            // As the travel model's: a delivery's ETA is when service can begin, at the window's opening if early.
            if info.kind == .delivery { time = max(time, info.windowStart) }
            if let ready = info.readyAt { time = max(time, ready) }
            etas.append(time)
            sigmas.append((variance + floor * floor).squareRoot())
            if info.kind == .pickup {
                time = time + RouteEvaluator.pickupSeconds
            } else {
                time = time + Int64(predicted.dwell.rounded())
                let dwellSigma = dwellSpread * predicted.dwell
                variance += dwellSigma * dwellSigma
            }
        }
        return (etas, sigmas, arrivals)
    }
}
