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

    init(at: Instant, delivered: Int, late: Int, failed: Int, unassigned: Int, km: Double, onTimeRate: Double, firstAttemptRate: Double,
         etaAccuracyRate: Double, planVariance: Double, resolutionMedianSeconds: Double, resolved: Int, costPerDelivery: Double) {
        self.at = at
        self.delivered = delivered; self.late = late; self.failed = failed; self.unassigned = unassigned; self.km = km
        self.onTimeRate = onTimeRate; self.firstAttemptRate = firstAttemptRate; self.etaAccuracyRate = etaAccuracyRate
        self.planVariance = planVariance; self.resolutionMedianSeconds = resolutionMedianSeconds; self.resolved = resolved
        self.costPerDelivery = costPerDelivery
    }

    /// Whether a figure has anything to count yet: a rate over deliveries (on time, ETA accuracy, plan variance,
    /// cost per delivery) from the first delivery, the first-attempt rate from the first attempt, the resolution
    /// median from the first resolved case. Before that a figure is shown as "—", never as 0.
    public var countsDeliveries: Bool { delivered > 0 }
    public var countsAttempts: Bool { delivered + failed > 0 }
    public var countsResolutions: Bool { resolved > 0 }

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
    /// The figures kept event by event (not encoded: a decoded trend counts its world again at its first event).
    private var tally: KPITally?
    /// The tally's last sample and the journal position it counted to: encoded, so a board's copy of the core's
    /// trend shows the core's figures in its first frame rather than counting the whole world for it.
    private var latest: (seq: Int64, sample: KPISample)?

    private enum CodingKeys: String, CodingKey { case recorder, samples, nextSample, latestSeq, latestSample }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        recorder = try container.decode(KPIRecorder.self, forKey: .recorder)
        samples = try container.decode([KPISample].self, forKey: .samples)
        nextSample = try container.decode(Instant.self, forKey: .nextSample)
        if let seq = try container.decodeIfPresent(Int64.self, forKey: .latestSeq),
           let sample = try container.decodeIfPresent(KPISample.self, forKey: .latestSample) {
            latest = (seq, sample)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(recorder, forKey: .recorder)
        try container.encode(samples, forKey: .samples)
        try container.encode(nextSample, forKey: .nextSample)
        try container.encodeIfPresent(latest?.seq, forKey: .latestSeq)
        try container.encodeIfPresent(latest?.sample, forKey: .latestSample)
    }

    public init(planLock: Instant) {
        recorder = KPIRecorder(planLock: planLock)
        nextSample = planLock
    }

    /// Notes an event after `world` applied it; takes the samples whose time the event reaches.
    public mutating func note(_ event: Event, world: World) {
        // A checkpoint is where the core stood, not something that happened: samples fall on the day's own events,
        // wherever a stop put one.
        if !event.isCheckpoint { recorder.note(event) }
        if tally?.follows(event, in: world) == true {
            tally!.note(event, world: world, recorder: recorder)
        } else {
            tally = KPITally(world: world, recorder: recorder)
        }
        if world.clock != nil { latest = (world.lastSeq, tally!.sample(world: world)) }
        guard !event.isCheckpoint, event.at >= nextSample else { return }
        let sample = current(world: world)
        while event.at >= nextSample {
            var copy = sample
            copy.at = nextSample
            samples.append(copy)
            nextSample = nextSample + KPITrend.interval
        }
    }

    /// The KPIs of `world` now: from the tally when it has followed this world to its last event (or, decoded, from
    /// its last sample when the world is where that was taken), else counted.
    public func current(world: World) -> KPISample {
        if let tally, tally.seq == world.lastSeq, world.clock != nil { return tally.sample(world: world) }
        if let latest, latest.seq == world.lastSeq, world.clock != nil { return latest.sample }
        return KPISample(at: world.clock ?? nextSample, report: RunReport(world: world, recorder: recorder, policy: "", seed: 0))
    }

    /// The sample about `seconds` before the last one (for a trend arrow), if the run is that old.
    public func sample(before seconds: Int64) -> KPISample? {
        guard let last = samples.last else { return nil }
        return samples.last { $0.at <= last.at - seconds }
    }
}
