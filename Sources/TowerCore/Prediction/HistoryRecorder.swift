import Foundation

/// Turns a day's events into delivery history: one CSV row per delivery attempt, in the format the ETA model
/// learns from (documented in sample-data/README.md).
///
/// Travel is from the rider's previous stop (or shift start) to the door; dwell is from arrival to completion.
public struct HistoryRecorder: Sendable {
    public static let header = "order_id,rider_id,channel,zone,from_lat,from_lon,lat,lon,departed_at,arrived_at,completed_at,stop_index,parcels,outcome,weekday,tier,window_start,window_end,slowdown"

    /// A rider's leg under way: where and when it began.
    struct Leg: Sendable {
        var departedAt: Instant
        var from: GeoPoint
        var stopIndex: Int
    }

    /// The legs under way, by rider.
    private var legsUnderWay: [String: Leg] = [:]
    /// The visits so far.
    public private(set) var visits: [HistoryRow] = []

    /// Whether `visits` keeps the rows (a history file does; a live learner only needs each one once).
    private let keepsVisits: Bool

    public init(keepsVisits: Bool = true) { self.keepsVisits = keepsVisits }

    /// Notes an event applied to `world` (call after it was applied).
    /// - Returns: the visit it completed, if it ended a delivery attempt.
    @discardableResult
    public mutating func note(_ event: Event, world: World) -> HistoryRow? {
        var visit: HistoryRow?
        switch event.body {
        case let .shiftStarted(rider):
            if let position = world.riders[rider]?.position { legsUnderWay[rider] = Leg(departedAt: event.at, from: position, stopIndex: 0) }
        case let .pickupDone(rider, _):
            restart(rider, at: event.at, world: world, countsAsStop: false)
        case let .deliveryDone(rider, order), let .deliveryFailed(rider, order, _):
            if let leg = legsUnderWay[rider], let record = world.orders[order], let arrived = record.arrivedAt,
               var row = row(of: leg, rider: rider, to: record, world: world) {
                row.arrivedAt = arrived
                row.completedAt = event.at
                row.outcome = record.status == .delivered ? "delivered" : "failed"
                if keepsVisits { visits.append(row) }
                visit = row
            }
            restart(rider, at: event.at, world: world, countsAsStop: true)
        default:
            break
        }
        return visit
    }

    /// The leg `rider` is on, toward the first stop of its route when that is a delivery: the row it will be, with
    /// nothing known after its departure; nil when the rider is on no leg or its next stop is not a delivery.
    public func legUnderWay(of rider: String, world: World) -> HistoryRow? {
        guard let leg = legsUnderWay[rider], let next = world.routes[rider]?.stops.first, next.kind == .delivery,
              let record = world.orders[next.order] else { return nil }
        return row(of: leg, rider: rider, to: record, world: world)
    }

    /// The row of `leg` to `record`'s door, its times after departure and its outcome not yet set.
    private func row(of leg: Leg, rider: String, to record: Order, world: World) -> HistoryRow? {
        guard let profile = world.riders[rider]?.profile else { return nil }
        return HistoryRow(line: visits.count + 2, order: record.id, rider: rider, channel: profile.channel.rawValue, zone: record.zone,
                          from: leg.from, to: record.drop, departedAt: leg.departedAt, arrivedAt: nil, completedAt: nil,
                          stopIndex: leg.stopIndex + 1, parcels: record.parcels, outcome: "", utcOffsetSeconds: world.utcOffsetSeconds,
                          windowStart: record.window.start, windowEnd: record.window.end, tier: record.tier.rawValue,
                          slowdown: world.slowdownOfLeg(from: leg.from, to: record.drop, departing: leg.departedAt))
    }

    private mutating func restart(_ rider: String, at time: Instant, world: World, countsAsStop: Bool) {
        guard let position = world.riders[rider]?.position else { return }
        let index = (legsUnderWay[rider]?.stopIndex ?? 0) + (countsAsStop ? 1 : 0)
        legsUnderWay[rider] = Leg(departedAt: time, from: position, stopIndex: index)
    }
}
