import Foundation

/// A day in a city, as loaded from a scenario folder: the setting, the riders, the orders and the script.
public struct Scenario: Sendable {
    public var name: String
    public var city: String
    /// Local midnight of the scenario's day.
    public var day: Instant
    public var utcOffsetSeconds: Int
    /// The city's time zone (`time_zone` in scenario.json, an IANA name such as `Europe/London`), when its clocks
    /// change in the year: the scenario run on another day (`on`, `shifted`) takes that day's offset, so its hours
    /// stay the city's. Nil: `utcOffsetSeconds` on every day.
    public var timeZone: String?
    public var planLock: Instant
    public var dayStart: Instant
    public var dayEnd: Instant
    /// Who is out when the rider knocks (see `AbsenceModel`).
    public var absence: AbsenceModel
    /// Seconds between position reports of a moving rider.
    public var positionInterval: Int
    public var zones: [Zone]
    public var hubs: [Hub]
    public var riders: [ScenarioRider]
    public var orders: [Order]
    public var disruptions: [Disruption]
    /// The currency costs are in (`currency` in scenario.json, e.g. BRL); empty when the scenario does not say.
    public var currency = ""
    /// The delivery history the scenario's ETA model learns from at start (`eta_history` in scenario.json, a path
    /// relative to the folder); nil: no learned model unless one is given (`--eta-model`).
    public var etaHistory: String?
    /// How long before its window opens an order is planned (`plan_horizon_min` in scenario.json); nil: the whole
    /// day is planned at the lock (see `EngineSettings.planHorizon`).
    public var planHorizon: Int64?
    /// Seconds of work the 06:00 plan may take (`plan_budget_s` in scenario.json; see `EngineSettings.planBudget`).
    public var planBudget: Double = Scenario.defaultPlanBudget
    public static let defaultPlanBudget: Double = 60
    /// How many orders the 06:00 plan must have to be split by hub (`plan_split_orders` in scenario.json, 0: never;
    /// see `EngineSettings.planSplitFrom`).
    public var planSplitFrom: Int? = EngineSettings.defaultPlanSplitFrom
    /// What the 3PL and gig channels charge and the channel rules (`channels.json`); nil: the riders' own prices.
    public var channels: ChannelTerms?

    /// The latest time an event of this day may carry: the day's end and a margin for the evening's stragglers.
    /// Later times (a clock gone wrong, a hostile line dated 2099) are refused, so no line can make the core
    /// catch up through years of ticks.
    public var latestEventTime: Instant { dayEnd + 6 * 3600 }

    /// The UTC offset of time zone `zone` at `instant` (nil for a zone the system does not know).
    public static func offset(zone: String, at instant: Instant) -> Int? {
        TimeZone(identifier: zone)?.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.seconds)))
    }

    /// `HH:MM` on the scenario's day as an instant.
    public func time(_ secondOfDay: Int) -> Instant { day + Int64(secondOfDay) }
}

/// A rider in a scenario: its profile, and how fast it really is (known to the simulation only).
public struct ScenarioRider: Sendable {
    public var profile: RiderProfile
    /// Speed multiplier of this rider against the travel model (1 = as expected).
    public var pace: Double
    /// The id of the phone this rider carries (riders.csv's optional `device` column): its OsmAnd positions are
    /// this rider's.
    public var device: String?

    public init(profile: RiderProfile, pace: Double, device: String? = nil) {
        self.profile = profile
        self.pace = pace
        self.device = device
    }
}

/// Something the scenario makes happen at a time.
public struct Disruption: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// Traffic in a zone slows to `slowdown` of normal until `until`.
        case traffic(zone: String, slowdown: Double, until: Instant, note: String)
        /// These riders are stuck (no progress) for `minutes`, and their zone slows down.
        case jam(riders: [String], minutes: Int, slowdown: Double, note: String)
        /// A rider's vehicle breaks down for `minutes`.
        case breakdown(rider: String, minutes: Int)
        /// A rider stops making progress for `minutes` without saying why.
        case stall(rider: String, minutes: Int)
        /// The customer cancels the order.
        case cancel(order: String, reason: String)
        /// The customer of this order will not be there at the first attempt.
        case absent(order: String)
    }

    public var at: Instant
    public var kind: Kind
    /// Where it was written, for messages.
    public var source: String
}

extension EngineSettings {
    /// The settings a day of `scenario` runs under: its lock, plan horizon, budget and split, and the latest time an input
    /// may carry.
    public init(scenario: Scenario, mode: Mode, policy: Policy) {
        self.init(planLock: scenario.planLock, mode: mode, policy: policy, latestEventTime: scenario.latestEventTime)
        planHorizon = scenario.planHorizon
        planBudget = scenario.planBudget
        planSplitFrom = scenario.planSplitFrom
    }
}
