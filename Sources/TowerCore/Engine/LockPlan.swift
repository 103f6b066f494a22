/// The day's plan at the lock (`Dispatcher.planDay`), worked out in a draft of the world: the orders due, most
/// urgent first, each by cheapest insertion; then the routes they went into re-sequenced.
///
/// A large plan is split by hub (`EngineSettings.planSplitFrom`), an hour of windows at a time: each hub's orders
/// (those picked up there) go into its own riders' routes, the hubs planned at once on every core, each in a draft of
/// its own; then the orders a hub could not take, or could take only by bringing a delivery late, go to the border
/// pass, in the draft that holds every hub's plan: each is offered to the other hubs' riders first, and searched
/// among every rider when none of them keeps every window. The hubs share the 3PL's waves, so each plans within a
/// share of the room left in each wave, by its 3PL riders, and the border pass has what they left. Each hub's work
/// depends only on its inputs, and the drafts are merged in hub order, so a split plan is the same whichever core
/// planned which hub.
struct LockPlan: Sendable {
    let planner: InsertionPlanner
    let time: Instant
    /// The work clock (see `Dispatcher.workClock`) and when the insertions stop on it (nil: no budget).
    let clock: @Sendable () -> UInt64
    let insertionsEnd: UInt64?

    typealias Ranked = (rank: Int, order: Order)

    /// An order given a rider, with its place in the whole plan's order (most urgent first).
    struct Placement: Sendable {
        let rank: Int
        let order: String
        let rider: String
        let reason: String
    }

    /// What the plan decided.
    struct Outcome: Sendable {
        /// In the plan's order (most urgent first).
        var placed: [Placement] = []
        /// Orders no rider asked could take, with the riders priced.
        var unplaced: [(order: String, tried: [String])] = []
        /// Orders the budget left unplanned (see `EngineSettings.planBudget`).
        var cut: [Order] = []
        /// Each rider whose route changed: its cost before the first insertion into it and after the last.
        var changed: [String: (before: Double, after: Double)] = [:]

        mutating func add(_ other: Outcome) {
            placed += other.placed
            unplaced += other.unplaced
            cut += other.cut
            for (id, cost) in other.changed { changed[id] = (changed[id]?.before ?? cost.before, cost.after) }
        }
    }

    /// One hub's share of a split plan: its riders and the orders picked up there (unpinned).
    struct Part: Sendable {
        var riders: Set<String> = []
        var orders: [Ranked] = []
    }

    /// Plans `orders` (most urgent first) into `world`: split by hub when `split` and more than one hub has riders,
    /// else in one pass over the whole city. A split plan goes through the day an hour of windows' ends at a time
    /// (`slice`): each hour's orders by hub, then its border pass, so an order its hub can keep only late is offered
    /// to the neighbouring hubs before their riders fill with the later hours' orders.
    func run(_ orders: [Order], in world: inout World, split: Bool) -> Outcome {
        let ranked = orders.enumerated().map { Ranked(rank: $0.offset, order: $0.element) }
        let hubs = split ? Self.hubRiders(in: world) : []
        guard hubs.count > 1 else { return insert(ranked, into: &world).outcome }
        var outcome = Outcome()
        var from = 0
        while from < ranked.count {
            let hour = ranked[from].order.window.end.seconds / Self.slice
            var to = from + 1
            while to < ranked.count, ranked[to].order.window.end.seconds / Self.slice == hour { to += 1 }
            outcome.add(splitPass(ranked[from..<to], hubs: hubs, in: &world))
            from = to
        }
        outcome.placed.sort { $0.rank < $1.rank }
        return outcome
    }

    /// The span of windows' ends a split plan takes at a time.
    static let slice: Int64 = 3600

    /// One slice of a split plan: each hub's orders among its riders, the hubs at once, each in a draft of `world`;
    /// the drafts merged into `world` in hub order; then the border pass over the whole city.
    private func splitPass(_ orders: ArraySlice<Ranked>, hubs: [(hub: String, riders: Set<String>)], in world: inout World) -> Outcome {
        let (parts, unhubbed) = Self.parts(of: orders, hubs: hubs)
        let shares = Self.thirdPartyShares(of: parts, in: world)
        let start = world
        let everyone = Set(start.riderIDs)
        let drafts = ParallelMap.map(count: parts.count, minimumPerChunk: 1) { index -> (pass: Pass, world: World) in
            var draft = start
            draft.channels.thirdPartyWaves = shares[index]
            draft.narrowCandidates(to: parts[index].riders)
            let pass = insert(parts[index].orders, into: &draft, excluding: everyone.subtracting(parts[index].riders), lateToBorder: true)
            return (pass, draft)
        }
        var outcome = Outcome()
        var border = unhubbed
        var hubOf: [Int: Set<String>] = [:]
        for (draft, part) in zip(drafts, parts) {
            for id in draft.pass.outcome.changed.keys.sorted() { world.setRoute(draft.world.routes[id], of: id) }
            for placed in draft.pass.outcome.placed { world.putOrder(draft.world.orders[placed.order]!) }
            outcome.add(draft.pass.outcome)
            border += draft.pass.border
            for item in draft.pass.border { hubOf[item.rank] = part.riders }
        }
        border.sort { $0.rank < $1.rank }
        outcome.add(insert(border, into: &world, elsewhereFirst: { hubOf[$0.rank] }).outcome)
        return outcome
    }

    /// A pass's decisions, and (with `lateToBorder`) the orders it left for the border pass.
    struct Pass: Sendable {
        var outcome = Outcome()
        var border: [Ranked] = []
    }

    /// Inserts `orders` into `world` one by one, in the order given, each at the cheapest place the candidate search
    /// finds among the riders not `excluded`; once the insertions' time is spent the rest are cut. With
    /// `lateToBorder` an order no rider asked can take, or that every one would bring late, is left for the border
    /// pass instead. `elsewhereFirst` gives the riders an order is first searched without (at the border pass, its
    /// hub's, which found only late places for it): the place found without them is taken when it brings nothing
    /// late, else the order is searched again among every rider. (A search among every rider asks the order's hub
    /// first, all of whose riders stand there at the lock: at the border its hub's full routes, the dearest to price,
    /// would be priced again before a neighbouring hub's rider is asked.)
    func insert(_ orders: [Ranked], into world: inout World, excluding excluded: Set<String> = [], lateToBorder: Bool = false,
                elsewhereFirst: (Ranked) -> Set<String>? = { _ in nil }) -> Pass {
        var pass = Pass()
        let bases = RouteBases()
        for (index, item) in orders.enumerated() {
            if let insertionsEnd, clock() >= insertionsEnd {
                pass.outcome.cut += orders[index...].map(\.order)
                break
            }
            let order = item.order
            let away = elsewhereFirst(item).map { hub in excluded.union(hub) }.map { asked in
                (asked: asked, allocation: planner.allocation(of: order, in: world, now: time, excluding: asked, wanted: Self.elsewhereCandidates, bases: bases))
            }
            let (asked, allocation) = if let away, let best = away.allocation.best, !Self.bringsLate(best, in: world) {
                away
            } else {
                (excluded, planner.allocation(of: order, in: world, now: time, excluding: excluded, bases: bases))
            }
            guard let insertion = allocation.best, !(lateToBorder && Self.bringsLate(insertion, in: world)) else {
                if lateToBorder { pass.border.append(item) } else { pass.outcome.unplaced.append((order.id, allocation.tried)) }
                continue
            }
            let reason = "06:00 plan: " + planner.reason(for: order, allocation: allocation, chosen: insertion, at: time, in: world,
                                                         excluding: asked, bases: bases)
            world.setRoute(Route(stops: insertion.stops, plannedAt: time), of: insertion.rider)
            var assigned = order
            assigned.status = .assigned
            assigned.rider = insertion.rider
            world.putOrder(assigned)
            pass.outcome.changed[insertion.rider] = (pass.outcome.changed[insertion.rider]?.before ?? insertion.costBefore, insertion.costAfter)
            pass.outcome.placed.append(Placement(rank: item.rank, order: order.id, rider: insertion.rider, reason: reason))
        }
        return pass
    }

    /// Riders an order is searched for among the other hubs' at the border pass: they stand at a few hubs at the lock,
    /// so a hub's first few priced tell what it has.
    static let elsewhereCandidates = 4

    /// Whether the insertion brings a delivery late that its rider's route in `world` delivers on time (the order
    /// itself, or one it pushes past its window).
    private static func bringsLate(_ insertion: InsertionPlanner.Insertion, in world: World) -> Bool {
        func late(_ stops: [Stop]) -> Int {
            stops.count { stop in stop.kind == .delivery && stop.eta > world.orders.withValue(stop.order, { $0.window.end }) ?? stop.eta }
        }
        return late(insertion.stops) > late(world.routes[insertion.rider]?.stops ?? [])
    }

    /// The riders of each hub, in hub id order (hubs with riders only).
    static func hubRiders(in world: World) -> [(hub: String, riders: Set<String>)] {
        var byHub: [String: Set<String>] = [:]
        for id in world.riderIDs {
            guard let hub = world.riders.withValue(id, { $0.profile.hub }), world.hubs[hub] != nil else { continue }
            byHub[hub, default: []].insert(id)
        }
        return byHub.keys.sorted().map { ($0, byHub[$0]!) }
    }

    /// The hubs' parts of `orders` (hubs with orders only), and the orders of no part: pinned to a rider, or picked up
    /// elsewhere than a hub with riders.
    static func parts(of orders: ArraySlice<Ranked>, hubs: [(hub: String, riders: Set<String>)]) -> (parts: [Part], rest: [Ranked]) {
        var parts = hubs.map { Part(riders: $0.riders) }
        let index = Dictionary(uniqueKeysWithValues: hubs.enumerated().map { ($1.hub, $0) })
        var rest: [Ranked] = []
        for item in orders {
            guard item.order.pinnedRider == nil, case let .hub(hub) = item.order.pickup, let part = index[hub] else { rest.append(item); continue }
            parts[part].orders.append(item)
        }
        return (parts.filter { !$0.orders.isEmpty }, rest)
    }

    /// Each part's 3PL waves: what each wave holds now, plus a share of the room left in it, by the part's 3PL
    /// riders (rounded down, so the parts together never fill a wave past its capacity).
    static func thirdPartyShares(of parts: [Part], in world: World) -> [[ChannelTerms.Band]] {
        let waves = world.channels.thirdPartyWaves
        let load = world.thirdPartyWaveLoad()
        let counts = parts.map { part in part.riders.filter { world.riders.withValue($0, { $0.profile.channel }) == .thirdParty }.count }
        let total = counts.reduce(0, +)
        return counts.map { count in
            waves.indices.map { wave in
                var band = waves[wave]
                let room = max(0, band.value - Double(load[wave]))
                band.value = Double(load[wave]) + (total == 0 ? 0 : (room * Double(count) / Double(total)).rounded(.down))
                return band
            }
        }
    }

    /// Each changed rider's route re-sequenced (`InsertionPlanner.improved`), on every core, in the order given; a rider
    /// reached once `end` has passed on the work clock keeps its route as inserted.
    func resequenced(_ riders: [String], in world: World, until end: UInt64?) -> [(stops: [Stop], cost: Double)?] {
        ParallelMap.map(count: riders.count, minimumPerChunk: 8) { index in
            guard end.map({ clock() < $0 }) ?? true, let rider = world.riders[riders[index]], let stops = world.routes[rider.id]?.stops else { return nil }
            return planner.improved(stops, of: rider, now: time, in: world)
        }
    }
}
