/// What became of one POST.
public enum DeliveryResult: Equatable, Sendable {
    /// The endpoint took it (2xx).
    case delivered(status: Int)
    /// Worth trying again: no connection, a timeout, 408, 429 or 5xx.
    case retry(String)
    /// Trying again will not help: any other 4xx. The message goes to the dead-letter file at once.
    case refused(String)

    /// The result an HTTP status stands for.
    public static func of(status: Int) -> DeliveryResult {
        switch status {
        case 200..<300: return .delivered(status: status)
        case 408, 429, 500...: return .retry("HTTP \(status)")
        default: return .refused("HTTP \(status)")
        }
    }
}

/// Sends one message to the webhook. The HTTP client lives with the command-line tool; tests use fakes.
public protocol WebhookTransport {
    /// POSTs `body` (one JSON object) with `key` as its idempotency key, blocking until the answer.
    func post(_ body: [UInt8], key: String) -> DeliveryResult
}

/// How often and how patiently a message is tried.
public struct RetryPolicy: Sendable {
    /// Tries before a message goes to the dead-letter file.
    public var attempts: Int
    /// The wait after the first failure; it doubles after each failure, up to `maxDelay`.
    public var firstDelay: Double
    public var maxDelay: Double

    /// The default keeps trying for about an hour (1, 2, 4 … 300 s apart): an endpoint's outage of minutes delays
    /// messages, it does not lose them. Past that they wait in the dead-letter file for `tower outbox retry`.
    public init(attempts: Int = 20, firstDelay: Double = 1, maxDelay: Double = 300) {
        self.attempts = attempts; self.firstDelay = firstDelay; self.maxDelay = maxDelay
    }

    /// The wait after the `failures`-th failure.
    public func delay(after failures: Int) -> Double {
        min(maxDelay, firstDelay * Double(1 << min(max(0, failures - 1), 30)))
    }
}
