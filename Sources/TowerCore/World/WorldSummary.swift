import Foundation

/// The plain-text summary that `simulate` and `replay` print, so their outputs compare line by line.
public enum WorldSummary {
    public static func lines(_ world: World) -> [String] {
        let offset = world.utcOffsetSeconds
        var byStatus: [OrderStatus: Int] = [:]
        var late = 0
        var deliveredOnTime = 0
        for order in world.orders.values {
            byStatus[order.status, default: 0] += 1
            if order.status == .delivered, let done = order.completedAt {
                if order.isLate(deliveredAt: done) { late += 1 } else { deliveredOnTime += 1 }
            }
        }
        let delivered = byStatus[.delivered] ?? 0
        let decisions = world.eventCounts.filter { EventType(rawValue: $0.key)?.origin == .decision }.values.reduce(0, +)
        let riders = world.riders.values
        let onShift = riders.filter { [.idle, .driving, .brokenDown].contains($0.status) }.count
        let km = riders.reduce(0) { $0 + $1.kmDriven }
        let clock = world.clock.map { ISOTime.format($0, offsetSeconds: offset) } ?? "-"
        var lines = [
            "world: \(world.name.isEmpty ? "(unnamed)" : world.name)\(world.seed.map { ", seed \($0)" } ?? ""), clock \(clock)",
            "events: \(world.eventCount) (\(world.eventCount - decisions) inputs, \(decisions) decisions), last seq \(world.lastSeq)",
            "orders: \(world.orders.count) created, \(delivered) delivered, \(byStatus[.failed] ?? 0) failed, "
                + "\(byStatus[.cancelled] ?? 0) cancelled, \((byStatus[.assigned] ?? 0) + (byStatus[.pickedUp] ?? 0)) in progress, "
                + "\(byStatus[.open] ?? 0) without a rider yet",
            "riders: \(world.riders.count) registered, \(onShift) on shift, \(riders.filter { $0.status == .brokenDown }.count) broken down, "
                + String(format: "%.1f km driven", km),
        ]
        if delivered > 0 {
            lines.append(String(format: "on time: %.1f%% of deliveries (%d late against the booked window)", Double(deliveredOnTime) / Double(delivered) * 100, late))
        }
        lines.append("exceptions: \(world.exceptions.count) raised, \(world.exceptions.values.filter(\.isPending).count) pending; "
            + "\(world.notificationsSent) customer notifications")
        return lines
    }
}
