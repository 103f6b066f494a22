/// What the exception desk asked of people over a day, hour by hour (local time), from the world a run leaves:
/// cases raised, resolved by the core, escalated to a person and defaulted at their deadline; and the two checks on
/// the queue's honesty: first options dominated by another option (as late or later and as costly or costlier), and
/// deadline defaults that spent above the cost limit nobody approved.
public struct QueueFigures: Sendable {
    public struct Hour: Sendable, Equatable {
        public var hour: Int
        public var raised = 0
        public var resolvedByCore = 0
        public var escalated = 0
        public var defaulted = 0
    }

    /// Hours from the first to the last with a case raised, each with its counts (by the hour a case was raised,
    /// and for defaults the hour of the deadline).
    public private(set) var hours: [Hour] = []
    public private(set) var raised = 0
    public private(set) var resolvedByCore = 0
    public private(set) var escalated = 0
    public private(set) var defaulted = 0
    public private(set) var dominatedFirstOptions = 0
    public private(set) var defaultsAboveLimit = 0

    public init(world: World, costLimit: Double) {
        var byHour: [Int: Hour] = [:]
        func hour(of time: Instant) -> Int { ISOTime.secondOfDay(time, offsetSeconds: world.utcOffsetSeconds) / 3600 }
        for exception in world.exceptions.values {
            let raisedHour = hour(of: exception.raisedAt)
            byHour[raisedHour, default: Hour(hour: raisedHour)].raised += 1
            raised += 1
            if exception.state == .autoResolved {
                byHour[raisedHour]!.resolvedByCore += 1
                resolvedByCore += 1
            }
            guard !exception.options.isEmpty else { continue }
            byHour[raisedHour]!.escalated += 1
            escalated += 1
            if let first = exception.options.first, exception.options.dropFirst().contains(where: { first.isDominated(by: $0) }) {
                dominatedFirstOptions += 1
            }
            if exception.state == .defaulted, let resolved = exception.resolvedAt {
                let resolvedHour = hour(of: resolved)
                byHour[resolvedHour, default: Hour(hour: resolvedHour)].defaulted += 1
                defaulted += 1
                if let taken = exception.options.first(where: { $0.action == exception.resolution?.remedy }), taken.costDelta > costLimit {
                    defaultsAboveLimit += 1
                }
            }
        }
        if let first = byHour.keys.min(), let last = byHour.keys.max() {
            hours = (first...last).map { byHour[$0] ?? Hour(hour: $0) }
        }
    }

    /// The most escalations raised in one hour.
    public var peakEscalationsPerHour: Int { hours.map(\.escalated).max() ?? 0 }
    /// Escalations per hour over the hours from the first case to the last.
    public var meanEscalationsPerHour: Double { hours.isEmpty ? 0 : Double(escalated) / Double(hours.count) }
    /// The share of cases the core closed on its own.
    public var resolvedByCoreShare: Double { raised == 0 ? 0 : Double(resolvedByCore) / Double(raised) }
}
