/// What a message to a customer is about. The raw values are the `kind` of `customer.notified` and the keys of
/// the policy file's `[templates]`.
public enum NoticeKind: String, CaseIterable, Sendable, Codable {
    /// The ETA now misses the window: here is the new one.
    case delayed
    /// The window has passed: the order is on its way, expected around the ETA.
    case late
    /// The rider is a few minutes away.
    case arrivingSoon = "arriving_soon"
    /// Nobody could take the parcel: the next attempt's window.
    case failedAttempt = "failed_attempt"
    /// The core moved the order to another slot.
    case rescheduled
    /// No rider can bring the order in the window the customer was last told: they will be contacted for a new time.
    case cannotDeliver = "cannot_deliver"
    /// An attempt failed and no rider can try again in the window the customer was last told: they will be contacted
    /// for a new time. (`cannotDeliver` would tell them the order "cannot come", though a rider came.)
    case cannotRetry = "cannot_retry"
}
