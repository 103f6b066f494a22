/// The KPIs at one moment of a run.
public struct KPISample: Sendable, Equatable, Codable {
    public var at: Instant
    public var delivered: Int
    public var late: Int
    public var failed: Int
    public var unassigned: Int
    public var km: Double
    public var onTimeRate: Double
    public var firstAttemptRate: Double
    /// Deliveries within ±10 minutes of the last ETA given.
    public var etaAccuracyRate: Double
    /// Share of the 06:00 plan's deliveries done by another rider.
    public var planVariance: Double
    public var resolutionMedianSeconds: Double
    /// Cases resolved so far (the median above means nothing while this is 0).
    public var resolved: Int
    public var costPerDelivery: Double

    public init(at: Instant, report: RunReport) {
        self.at = at
        delivered = report.delivered; late = report.late; failed = report.failed
        unassigned = report.unassigned; km = report.km
        onTimeRate = report.onTimeRate; firstAttemptRate = report.firstAttemptRate; etaAccuracyRate = report.etaAccuracyRate
        planVariance = report.planVariance; resolutionMedianSeconds = report.resolution.all.median
        resolved = report.resolution.all.count
        costPerDelivery = report.costPerDelivery["all"] ?? 0
    }
}

/// The KPIs through a run: sampled every `interval` of simulated time from the plan lock, for the board's trends
/// and sparklines. Fed every committed event, like the engine's observer sees them.
public struct KPITrend: Sendable, Codable {
    public static let interval: Int64 = 15 * 60

    public private(set) var recorder: KPIRecorder
    public private(set) var samples: [KPISample] = []
    private var nextSample: Instant

    public init(planLock: Instant) {
        recorder = KPIRecorder(planLock: planLock)
        nextSample = planLock
    }

    /// Notes an event after `world` applied it; takes the samples whose time the event reaches.
    public mutating func note(_ event: Event, world: World) {
        // A checkpoint is where the core stood, not something that happened: samples fall on the day's own events,
        // wherever a stop put one.
        guard !event.isCheckpoint else { return }
        recorder.note(event)
        guard event.at >= nextSample else { return }
        let sample = current(world: world)
        while event.at >= nextSample {
            var copy = sample
            copy.at = nextSample
            samples.append(copy)
            nextSample = nextSample + KPITrend.interval
        }
    }

    /// The KPIs of `world` now.
    public func current(world: World) -> KPISample {
        KPISample(at: world.clock ?? nextSample, report: RunReport(world: world, recorder: recorder, policy: "", seed: 0))
    }

    /// The sample about `seconds` before the last one (for a trend arrow), if the run is that old.
    public func sample(before seconds: Int64) -> KPISample? {
        guard let last = samples.last else { return nil }
        return samples.last { $0.at <= last.at - seconds }
    }
}
