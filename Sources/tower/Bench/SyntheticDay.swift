import Foundation
import TowerCore

/// A whole day of a large generated city as a feed, written without the planner: each rider loads its share of the
/// orders at shift start, reports its position every minute and delivers them evenly through its shift. Used to
/// measure ingestion, replay and memory at scale. Nothing is assigned or pinned: a feed may not send the core's own
/// decisions (assignments, routes), and a pin would have the core place the order; the pickups the feed reports put
/// the parcels on board, and the core routes each one to its door.
struct SyntheticDay {
    let scenario: Scenario

    /// Writes the feed to `path` and returns the number of events.
    func write(to path: String) throws -> Int {
        try? FileManager.default.removeItem(atPath: path)
        let writer = try JournalWriter(path: path, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: .batch)
        var count = 0
        func emit(_ body: EventBody, at time: Instant) throws {
            count += 1
            try writer.append(Event(id: "b\(count)", at: time, by: "feed", body: body))
            try writer.endStep()
        }
        for event in CitySimulation(scenario: scenario, seed: 0).knownEvents() {
            count += 1
            try writer.append(Event(id: "b\(count)", at: event.at, by: "feed", body: event.body))
            try writer.endStep()
        }
        let riders = scenario.riders.map(\.profile)
        var share = [[Order]](repeating: [], count: riders.count)
        for (index, order) in scenario.orders.enumerated() { share[index % riders.count].append(order) }
        for index in share.indices { share[index].sort { $0.window.start < $1.window.start } }
        let hubs = Dictionary(uniqueKeysWithValues: scenario.hubs.map { ($0.id, $0.location) })
        // Minute by minute, every rider on shift reports; deliveries are spread evenly over the shift.
        var delivered = [Int](repeating: 0, count: riders.count)
        var minute = scenario.planLock
        while minute <= scenario.dayEnd {
            for (index, rider) in riders.enumerated() {
                let orders = share[index]
                if minute == rider.shift.start {
                    try emit(.shiftStarted(rider: rider.id), at: minute)
                    for order in orders { try emit(.pickupDone(rider: rider.id, order: order.id), at: minute) }
                }
                guard minute >= rider.shift.start, minute < rider.shift.end else {
                    if minute == rider.shift.end { try emit(.shiftEnded(rider: rider.id), at: minute) }
                    continue
                }
                let progress = Double(minute - rider.shift.start) / Double(rider.shift.end - rider.shift.start)
                let due = min(orders.count, Int(progress * Double(orders.count + 1)))
                let target = delivered[index] < orders.count ? orders[delivered[index]].drop : hubs[rider.hub]!
                let from = delivered[index] > 0 ? orders[delivered[index] - 1].drop : hubs[rider.hub]!
                try emit(.riderPosition(rider: rider.id, position: from.interpolated(to: target, fraction: 0.5)), at: minute)
                while delivered[index] < due {
                    try emit(.deliveryDone(rider: rider.id, order: orders[delivered[index]].id), at: minute)
                    delivered[index] += 1
                }
            }
            minute = minute + 60
        }
        writer.close()
        return count
    }
}

/// Peak resident memory of this process so far, in bytes (Linux `VmHWM`).
func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
          let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kilobytes * 1024
}
