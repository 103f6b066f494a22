/// Whether a simulated customer is at the door: the simulation's one model of why first attempts fail.
///
/// A customer is out with the scenario's base chance when the rider comes within the window they were last told
/// (`Order.promised`); outside it (late past it, or early) they are `outsideFactor` times as likely to be out; a
/// message in the hour before the knock (a new window, "arriving soon") makes them `warnedFactor` times as likely.
/// Each attempt's draw is fixed by the seed and the order, so the same customers are the absent-prone ones under
/// every policy: only when the rider comes and what the customer was told differ.
public struct AbsenceModel: Sendable, Equatable {
    public var baseRate: Double
    public var outsideFactor: Double
    public var warnedFactor: Double
    /// How recent a message must be to count as a warning.
    public static let warningLead: Int64 = 3600

    public init(baseRate: Double, outsideFactor: Double = 3, warnedFactor: Double = 0.5) {
        self.baseRate = baseRate; self.outsideFactor = outsideFactor; self.warnedFactor = warnedFactor
    }

    /// The chance that the customer of `order` is out when the rider knocks at `now`.
    public func probability(_ order: Order, at now: Instant) -> Double {
        var p = baseRate
        if now > order.promised.end || now < order.promised.start { p *= outsideFactor }
        if let told = order.notifiedAt, now - told <= AbsenceModel.warningLead { p *= warnedFactor }
        return min(1, p)
    }
}
