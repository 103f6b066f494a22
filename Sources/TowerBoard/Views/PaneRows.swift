import TowerCore

/// What each pane lists, in its order, built from the snapshot and the model alone (filters and sorts): a pure
/// function, run before anything is drawn, so the panes draw these rows and the model's keys move over the same ones.
public struct PaneRows: Sendable {
    public var lanes: [String] = []
    public var atRisk: [Outlook.AtRisk] = []
    public var exceptions: [ExceptionCase] = []

    public init() {}

    public static func build(_ snapshot: BoardSnapshot, model: BoardModel) -> PaneRows {
        var rows = PaneRows()
        rows.lanes = lanes(snapshot, model)
        rows.atRisk = atRisk(snapshot, model)
        rows.exceptions = exceptions(snapshot.world, model)
        return rows
    }

    /// Riders on shift or with stops, filtered and sorted as the pane is.
    static func lanes(_ snapshot: BoardSnapshot, _ model: BoardModel) -> [String] {
        let world = snapshot.world
        let shown = world.riderIDs.filter { id in
            guard let rider = world.riders[id], rider.status != .offShift || !(world.routes[id]?.stops.isEmpty ?? true) else { return false }
            let p = rider.profile
            return model.filters[.lanes]?.keeps([id, p.name, p.zone, p.hub, p.channel.rawValue, p.vehicle.rawValue, rider.status.rawValue]) ?? true
        }
        return (model.sorts[.lanes] ?? PaneSort()).apply(shown, pane: .lanes) { column, id -> PaneSort.Key? in
            guard let rider = world.riders[id] else { return nil }
            switch column {
            case .late: return .number(Double(snapshot.outlook.lanes[id]?.lateCount ?? 0))
            case .load: return .number(Double(rider.loadParcels) / Double(max(1, rider.profile.capacityParcels)))
            case .channel: return .text(rider.profile.channel.rawValue)
            case .status: return .text(rider.status.rawValue)
            default: return nil
            }
        }
    }

    /// The outlook's orders at risk, filtered and sorted as the pane is.
    static func atRisk(_ snapshot: BoardSnapshot, _ model: BoardModel) -> [Outlook.AtRisk] {
        let world = snapshot.world
        let shown = snapshot.outlook.atRisk.filter { item in
            guard let filter = model.filters[.atRisk] else { return true }
            let zone = world.orders[item.order]?.zone ?? ""
            let channel = item.rider.flatMap { world.riders[$0]?.profile.channel.rawValue } ?? ""
            return filter.keeps([item.order, item.rider ?? "", zone, channel, item.tier.rawValue])
        }
        return (model.sorts[.atRisk] ?? PaneSort()).apply(shown, pane: .atRisk) { column, item -> PaneSort.Key? in
            switch column {
            case .due: return .number(Double(item.window.end.seconds))
            case .order: return .text(item.order)
            case .rider: return .text(item.rider ?? "~")
            default: return nil
            }
        }
    }

    /// Whether the exception queue's filter keeps a case.
    static func keeps(_ exception: ExceptionCase, _ model: BoardModel) -> Bool {
        model.filters[.exceptions]?.keeps([exception.id, exception.kind.rawValue, exception.subject, exception.detail, exception.state.rawValue]
                                                  + exception.covering) ?? true
    }

    /// Cases waiting for a decision first (the nearest deadline first), then open ones by age; filtered and sorted
    /// as the pane is.
    static func exceptions(_ world: World, _ model: BoardModel) -> [ExceptionCase] {
        let queue = world.pendingCaseIDs.compactMap { world.exceptions[$0] }.sorted {
            ($0.state == .escalated ? 0 : 1, $0.deadline ?? $0.raisedAt, $0.id) < ($1.state == .escalated ? 0 : 1, $1.deadline ?? $1.raisedAt, $1.id)
        }
        let kept = queue.filter { keeps($0, model) }
        return (model.sorts[.exceptions] ?? PaneSort()).apply(kept, pane: .exceptions) { column, exception -> PaneSort.Key? in
            switch column {
            case .raised: return .number(Double(exception.raisedAt.seconds))
            case .kind: return .text(exception.kind.rawValue)
            case .subject: return .text(exception.subject)
            default: return nil
            }
        }
    }
}
