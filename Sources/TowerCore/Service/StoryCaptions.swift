/// The day told in captions for a demo audience, made from the events as the core commits them (never from a
/// script of times): the plan locked, a rider who stops, a jam or an accident, a critical order arriving or at
/// risk, what the core did about those itself, and what it asked a person. Text from feeds and scenarios (notes,
/// details, names) is cleaned.
public struct StoryCaptions: Sendable {
    public struct Caption: Sendable, Equatable {
        public var at: Instant
        public var text: String
    }

    public private(set) var captions: [Caption] = []
    /// How long a caption stays on screen, in simulated seconds, unless a newer one replaces it.
    public static let shown: Int64 = 20 * 60
    private var planLocked = false
    /// Riders and critical orders already captioned (their cases' outcomes are told too), and incidents by note.
    private var followed: Set<String> = []
    private var incidents: [String: Int] = [:]

    public init() {}

    /// The caption on screen at `now`: the latest, while it is fresh.
    public func current(at now: Instant) -> Caption? {
        guard let last = captions.last, now - last.at <= Self.shown, now >= last.at else { return nil }
        return last
    }

    /// A session opened just after the plan lock (the demo plays up to it before its board opens): the plan's
    /// caption, which no event will bring now.
    public mutating func begin(world: World, at now: Instant, planLock: Instant) {
        guard !planLocked, now >= planLock, now - planLock < 60, world.routes.values.contains(where: { !$0.stops.isEmpty }) else { return }
        planLocked = true
        captions.append(Caption(at: now, text: ISOTime.clock(now, offsetSeconds: world.utcOffsetSeconds) + "  " + Self.planText(world)))
    }

    private static func planText(_ world: World) -> String {
        "The plan is locked: the core routes the \(world.orders.count) orders known so far across own fleet, 3PL and gig riders."
    }

    public mutating func note(_ event: Event, world: World) {
        // Called for every event the core commits: nothing is formatted unless a caption is made.
        func say(_ text: String) {
            captions.append(Caption(at: event.at, text: ISOTime.clock(event.at, offsetSeconds: world.utcOffsetSeconds) + "  " + TextSanitizer.clean(text)))
        }
        func zoneName(_ id: String) -> String { world.zones[id]?.name ?? id }
        switch event.body {
        case .routePlanned where event.isCoreDecision && !planLocked:
            planLocked = true
            say(Self.planText(world))
        case let .trafficIncident(_, zone, slowdown, _, note):
            let what = note.isEmpty ? "Traffic" : note
            // One incident in several zones (a jam across the city) is one caption, naming every zone.
            if let index = incidents[what], index == captions.count - 1, captions[index].at == event.at {
                captions[index].text += ", " + TextSanitizer.clean(zoneName(zone))
            } else {
                say("\(what): speeds down to \(Int((slowdown * 100).rounded()))% in \(zoneName(zone))")
                incidents[what] = captions.count - 1
            }
        case let .orderCreated(order) where order.tier == .critical:
            guard planLocked else { return }  // known before the day started: not news
            followed.insert(order.id)
            say("A critical order arrives: \(order.id), to be delivered by \(ISOTime.clock(order.booked.end, offsetSeconds: world.utcOffsetSeconds)).")
        case let .exceptionRaised(id, kind, subject, detail):
            let rider = kind == .riderStalled || kind == .riderBreakdown
            if rider, !followed.contains(subject) {
                followed.insert(subject)
                say("\(subject) has stopped (\(detail)); the core opens case \(id).")
            } else if world.orders[subject]?.tier == .critical, !followed.contains("risk " + subject) {
                followed.insert("risk " + subject)
                followed.insert(subject)
                say("The critical order \(subject) is at risk: \(detail).")
            }
        case let .exceptionAutoResolved(id, action, _):
            guard let exception = world.exceptions[id], followed.contains(exception.subject), action != .none else { return }
            say("The core decides \(id) itself, under the policy: \(action.words).")
        case let .exceptionEscalated(id, options, _, _, reason, _):
            let about = world.exceptions[id].map { " (\($0.kind.words) \($0.subject))" } ?? ""
            say("The core asks a supervisor to decide \(id)\(about) from \(options.count) options: \(reason).")
        case let .exceptionApproved(id, option, op):
            say("\(op) approves option \(option) of \(id).")
        case let .exceptionDefaulted(id, option):
            say(option == 0 ? "No one decided \(id) in time: nothing is done, as the policy says."
                : "No one decided \(id) in time: the policy's default, option \(option), is taken.")
        default:
            break
        }
    }
}
