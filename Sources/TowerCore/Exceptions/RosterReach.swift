/// What today's roster could ever carry, whatever the riders' routes: for each kind of rider still to work today
/// (channel, skills, room), the latest end of shift among them, so whether one of them could take an order at some
/// point of the day.
///
/// An order none could take is one that no waiting will place: nobody with the skill, the room or a shift that
/// reaches its window, or only channels the rules keep out. The detector raises it at once, however far off its
/// window, so a person (and, if nobody answers, the customer) hears of it hours before the window, not two hours
/// before its end. What may change during the day counts as able: a rider broken down may recover, and a full 3PL
/// wave may free a slot. The roster is read once per scan into its few distinct kinds, so each order costs a
/// handful of comparisons at any fleet size.
struct RosterReach {
    private struct Kind: Hashable {
        var channel: Channel
        var skills: Set<Skill>
        var parcels: Int
        var kg: Double
    }

    /// Each kind's latest end of shift.
    private let shiftEnds: [(kind: Kind, end: Instant)]

    /// The riders in `world` who can still take new work at `now`: not gone home, and not ending their shift within
    /// half an hour. These and `canEverTake`'s checks are `InsertionPlanner.unfit`'s, read per kind of rider rather
    /// than per rider; a rule added there belongs here too.
    init(_ world: borrowing World, now: Instant) {
        var latest: [Kind: Instant] = [:]
        for id in world.riderIDs {
            guard let (kind, end) = world.riders.withValue(id, { rider -> (Kind, Instant)? in
                let p = rider.profile
                guard rider.status != .shiftEnded, p.shift.end > now + 1800 else { return nil }
                return (Kind(channel: p.channel, skills: p.skills, parcels: p.capacityParcels, kg: p.capacityKg), p.shift.end)
            }) ?? nil else { continue }
            latest[kind] = max(latest[kind] ?? end, end)
        }
        shiftEnds = latest.map { ($0.key, $0.value) }
    }

    /// Whether a rider of the roster could ever take `order` today: a channel the rules that hold all day allow (no
    /// wave load is read: a full wave may free a slot), the skills, the room, and a shift that reaches its window.
    /// The rules are read last, once per channel, and only for a kind that could carry the order: most orders are
    /// settled by the first kind (a scan asks about every order waiting for a rider, tens of thousands in a large
    /// city's morning).
    func canEverTake(_ order: Order, in world: World) -> Bool {
        var refused: [Channel: Bool] = [:]
        for (kind, end) in shiftEnds where order.requiredSkills.isSubset(of: kind.skills) && order.parcels <= kind.parcels
            && order.kg <= kind.kg && order.window.start <= end + RouteEvaluator.shiftGrace {
            let no = refused[kind.channel]
                ?? (world.channels.refusal(of: kind.channel, for: order, waveLoad: [], utcOffsetSeconds: world.utcOffsetSeconds) != nil)
            if !no { return true }
            refused[kind.channel] = no
        }
        return false
    }
}
