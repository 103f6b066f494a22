import Foundation

/// Turns a day's events into delivery history: one CSV row per delivery attempt, in the format the ETA model
/// learns from (documented in sample-data/README.md).
///
/// Travel is from the rider's previous stop (or shift start) to the door; dwell is from arrival to completion.
public struct HistoryRecorder {
    public static let header = "order_id,rider_id,channel,zone,from_lat,from_lon,lat,lon,departed_at,arrived_at,completed_at,stop_index,parcels,outcome,weekday,tier,window_start,window_end"

    private struct Leg {
        var departedAt: Instant
        var from: GeoPoint
        var stopIndex: Int
    }

    private var legs: [String: Leg] = [:]
    public private(set) var rows: [String] = []

    public init() {}

    /// Notes an event applied to `world` (call after it was applied).
    public mutating func note(_ event: Event, world: World) {
        switch event.body {
        case let .shiftStarted(rider):
            if let position = world.riders[rider]?.position { legs[rider] = Leg(departedAt: event.at, from: position, stopIndex: 0) }
        case let .pickupDone(rider, _):
            restart(rider, at: event.at, world: world, countsAsStop: false)
        case let .deliveryDone(rider, order), let .deliveryFailed(rider, order, _):
            if let leg = legs[rider], let record = world.orders[order], let profile = world.riders[rider]?.profile,
               let arrived = record.arrivedAt {
                let outcome = record.status == .delivered ? "delivered" : "failed"
                let offset = world.utcOffsetSeconds
                let time = { (instant: Instant) in ISOTime.format(instant, offsetSeconds: offset) }
                rows.append([record.id, rider, profile.channel.rawValue, record.zone,
                             coordinate(leg.from.lat), coordinate(leg.from.lon), coordinate(record.drop.lat), coordinate(record.drop.lon),
                             time(leg.departedAt), time(arrived), time(event.at), String(leg.stopIndex + 1), String(record.parcels),
                             outcome, String(ISOTime.weekday(event.at, offsetSeconds: offset)), record.tier.rawValue,
                             time(record.window.start), time(record.window.end)].joined(separator: ","))
            }
            restart(rider, at: event.at, world: world, countsAsStop: true)
        default:
            break
        }
    }

    private mutating func restart(_ rider: String, at time: Instant, world: World, countsAsStop: Bool) {
        guard let position = world.riders[rider]?.position else { return }
        let index = (legs[rider]?.stopIndex ?? 0) + (countsAsStop ? 1 : 0)
        legs[rider] = Leg(departedAt: time, from: position, stopIndex: index)
    }

    private func coordinate(_ value: Double) -> String { String(format: "%.6f", value) }
}
