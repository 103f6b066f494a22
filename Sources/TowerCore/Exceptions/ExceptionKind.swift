/// What kind of trouble an exception reports. The raw values are the policy file's section names and the
/// `kind` field of `exception.raised`.
public enum ExceptionKind: String, CaseIterable, Sendable, Codable {
    /// The predicted arrival misses the window the customer was promised.
    case predictedLate = "predicted_late"
    /// The window has closed and the order is not delivered.
    case lateNow = "late_now"
    /// A rider on duty with stops ahead has made no progress for a while.
    case riderStalled = "rider_stalled"
    /// A rider is far from the straight path between its last stop and its next one.
    case offRoute = "off_route"
    /// A rider is outside every zone its work is in.
    case geofenceExit = "geofence_exit"
    case failedAttempt = "failed_attempt"
    /// A rider on shift has sent no position for a while.
    case riderOffline = "rider_offline"
    case riderBreakdown = "rider_breakdown"
    /// No rider can take an order.
    case unassignedOrder = "unassigned_order"
    /// The orders due soon in a zone need more room than the riders on shift there have left.
    case capacityShortfall = "capacity_shortfall"
    /// A critical order has waited for a rider.
    case criticalWaiting = "critical_waiting"
    case cancelledAfterPickup = "cancelled_after_pickup"
    /// The feed says something impossible (delivered twice, delivered before it was picked up) or leaves parcels
    /// nowhere (a shift ended with parcels on board).
    case contradictoryEvent = "contradictory_event"

    /// Kinds raised by a scan of the live state (the others are raised by the event that shows them), and
    /// closed by the next scan that no longer sees them.
    public var isScanned: Bool {
        switch self {
        case .failedAttempt, .riderBreakdown, .cancelledAfterPickup, .contradictoryEvent: return false
        default: return true
        }
    }

    /// The kind in plain words, for people ("predicted late").
    public var words: String { rawValue.replacingOccurrences(of: "_", with: " ") }
}
