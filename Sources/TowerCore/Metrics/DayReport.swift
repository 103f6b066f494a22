/// What one journal says about its day, gathered in one replay: the run's figures, the KPIs through the day,
/// every exception and decision, and each rider's 06:00 plan against what it did.
public struct DayReport: Sendable {
    /// A delivery the 06:00 plan gave a rider, and what became of it.
    public struct PlannedStop: Sendable {
        public var order: String
        public var plannedETA: Instant
        /// Who delivered it, when, and whether inside its window; nil while not delivered.
        public var deliveredBy: String?
        public var deliveredAt: Instant?
        public var late: Bool
    }

    public struct RiderDay: Sendable {
        public var id: String
        public var channel: Channel
        public var planned: [PlannedStop] = []
        /// Deliveries it made that the 06:00 plan gave to someone else or that arrived later.
        public var added: [(order: String, at: Instant, late: Bool)] = []
        public var delivered = 0
        public var late = 0
        public var failed = 0
        public var km = 0.0
        /// Share of its time on shift spent with work on its route.
        public var utilisation = 0.0
    }

    /// An exception or a decision on it, for the timeline.
    public struct Moment: Sendable {
        public var at: Instant
        public var exception: String
        public var kind: ExceptionKind
        public var subject: String
        public var what: Step
        public var by: String
        public var text: String
    }

    /// What happened to a case at a moment; the raw values are the journal's words.
    public enum Step: String, Sendable {
        case raised, autoResolved = "auto_resolved", escalated, approved, rejected, defaulted

        /// Decided by a person, or by nobody deciding before the deadline.
        public var isPeople: Bool { self == .approved || self == .rejected || self == .defaulted }
    }

    public var journal: String
    public var world: World
    public var run: RunReport
    public var trend: KPITrend
    public var moments: [Moment] = []
    public var riders: [RiderDay] = []
    public var firstEvent: Instant?
    public var events = 0
    /// A last line cut short (a writer stopped mid-line, or is writing it now): left out of the report.
    public var tornLastLine: Int?

    /// Replays `journal` once, each event checked as a replay checks it, and gathers the report.
    public init(journal path: String, planLock: Instant? = nil, failedCost: Double = RunReport.failedDeliveryCost) throws {
        journal = path
        var world = World()
        var trend: KPITrend?
        var moments: [Moment] = []
        var events = 0
        var first: Instant?, latest: Instant?
        let summary = try JournalReader.read(path: path) { number, line in
            guard case let .event(event, _) = line else {
                if case let .bad(error) = line { throw ToolError("\(path) line \(number): \(error)") }
                return true
            }
            // Checked as a replay checks it: a journal edited or spliced (a line repeated, lines out of order) would
            // otherwise be reported as if the day had happened so.
            do { try World.checkAndReplay(event, into: &world) } catch {
                throw ToolError("\(path) line \(number): \(error) (the journal is damaged here)")
            }
            events += 1
            first = first ?? event.at
            latest = max(latest ?? event.at, event.at)  // checkpoints too: a simulated day's last says how far it played
            if trend == nil, case .routePlanned = event.body {
                // The first plan marks the plan lock when the caller does not know it.
                trend = KPITrend(planLock: planLock ?? event.at)
            }
            trend?.note(event, world: world)
            func moment(_ id: String, _ what: Step, _ text: String) {
                guard let e = world.exceptions[id] else { return }  // applied events only name cases they raised
                moments.append(Moment(at: event.at, exception: id, kind: e.kind, subject: e.subject, what: what, by: event.by, text: text))
            }
            switch event.body {
            case let .exceptionRaised(id, _, _, detail): moment(id, .raised, detail)
            case let .exceptionAutoResolved(id, action, rule): moment(id, .autoResolved, "\(action.description): \(rule)")
            case let .exceptionEscalated(id, options, _, _, reason, _): moment(id, .escalated, "\(options.count) options: \(reason)")
            case let .exceptionApproved(id, option, op): moment(id, .approved, "\(op) chose option \(option): \(world.exceptions[id]?.resolution?.text ?? "")")
            case let .exceptionRejected(id, op, reason): moment(id, .rejected, "\(op): \(reason)")
            case let .exceptionDefaulted(id, option): moment(id, .defaulted, option == 0 ? "no one decided; default none" : "no one decided; option \(option)")
            default:
                break
            }
            return true
        }
        tornLastLine = summary.tornLastLine
        let finalTrend = trend ?? KPITrend(planLock: planLock ?? first ?? Instant(seconds: 0))
        let end = world.clock ?? first ?? Instant(seconds: 0)
        self.world = world
        self.trend = finalTrend
        self.moments = moments
        self.events = events
        firstEvent = first
        run = RunReport(world: world, recorder: finalTrend.recorder, policy: "", seed: world.seed ?? 0, failedCost: failedCost, playedTo: latest)
        riders = DayReport.riderDays(world: world, recorder: finalTrend.recorder, end: end)
    }

    private static func riderDays(world: World, recorder: KPIRecorder, end: Instant) -> [RiderDay] {
        var days: [String: RiderDay] = [:]
        for id in world.riderIDs {
            guard let rider = world.riders[id] else { continue }
            var day = RiderDay(id: id, channel: rider.profile.channel)
            day.delivered = rider.delivered; day.failed = rider.failed; day.km = rider.kmDriven
            day.utilisation = RunReport.utilisation(of: rider, recorder: recorder, end: end)
            days[id] = day
        }
        for id in world.orderIDs {
            guard let order = world.orders[id] else { continue }
            let done = order.status == .delivered ? order.completedAt : nil
            let late = done.map { order.isLate(deliveredAt: $0) } ?? false
            if let planned = recorder.plannedRider[id], let eta = recorder.firstETA[id] {
                days[planned]?.planned.append(PlannedStop(order: id, plannedETA: eta, deliveredBy: done == nil ? nil : order.rider,
                                                          deliveredAt: done, late: late))
            }
            if let done, let rider = order.rider {
                if late { days[rider]?.late += 1 }
                if recorder.plannedRider[id] != rider { days[rider]?.added.append((id, done, late)) }
            }
        }
        return world.riderIDs.compactMap { days[$0] }
    }
}
