import Foundation

/// Turns remedies into the core's decisions against the current world, and measures what each would change.
///
/// A remedy is re-planned whenever it is carried out (at once, on approval, or at the deadline), so an option
/// approved ten minutes after it was offered acts on the world as it is then; when it no longer makes sense
/// (the order was picked up, the rider broke down), `decisions` says why and nothing is done.
public struct RemedyPlanner: Sendable {
    public let planner: InsertionPlanner
    public let policy: Policy

    public init(planner: InsertionPlanner, policy: Policy) {
        self.planner = planner
        self.policy = policy
    }

    /// What a remedy would do, priced.
    public struct Outcome: Sendable {
        public var remedy: Remedy
        public var bodies: [EventBody]
        /// Change in the planner's cost of the routes it touches (plus unassigned orders at an hour's lateness).
        public var costDelta: Double
        /// Deliveries among those it touches predicted past the window their customer booked, before and after
        /// (moving a window never makes a delivery on time).
        public var lateBefore: Int
        public var lateAfter: Int
        /// Whether none of the case's own orders is late afterwards and no other order becomes late.
        public var keepsWindows: Bool
        public var notified: Int
        public var touchesCritical: Bool
        /// Orders it moves, reschedules or notifies, and riders whose whole route it acts on: two actions on
        /// the same one conflict.
        public var touched: Set<String>
        public var summary: String
    }

    // MARK: Candidates

    /// The concrete remedies the policy allows for a case, in the policy's order.
    public func candidates(for kind: ExceptionKind, subject: String, in world: World, now: Instant) -> [Remedy] {
        let order = world.orders[subject]
        let rider = order?.rider ?? (world.riders[subject] != nil ? subject : nil)
        var remedies: [Remedy] = []
        for action in policy.rule(kind).actions {
            switch action {
            case .reassign, .handoff:
                guard let order, let target = bestTarget(for: order, handoff: action == .handoff, in: world, now: now) else { continue }
                remedies.append(Remedy(action, order.id, target: target))
            case .makeRoom:
                guard let order, let room = room(for: order, in: world, now: now) else { continue }
                remedies.append(Remedy(action, order.id, target: room.placed.rider))
            case .nextSlot, .notify, .returnToHub:
                if let order { remedies.append(Remedy(action, order.id)) }
            case .retry:
                if let order, order.status == .failed { remedies.append(Remedy(action, order.id)) }
            case .reassignAll, .resequence, .notifyLate, .askRider:
                if let rider { remedies.append(Remedy(action, rider)) }
            case .handoffZone:
                if world.zones[subject] != nil { remedies.append(Remedy(action, subject)) }
            case .none:
                remedies.append(.none)
            case .waive, .cannotDeliver:
                continue  // the desk offers these on an order no rider can take (`ExceptionDesk`); no policy lists them
            }
        }
        // Doing nothing is always an option, ranked by the same rule as the rest.
        if !remedies.contains(.none) { remedies.append(.none) }
        return remedies
    }

    /// The rider with the cheapest room for `order`: of its own channel (own fleet when it has no rider yet), or,
    /// for a handoff, of the other channels.
    private func bestTarget(for order: Order, handoff: Bool, in world: World, now: Instant) -> String? {
        guard order.status != .pickedUp, !order.status.isFinal else { return nil }
        let channel = order.rider.flatMap { world.riders[$0]?.profile.channel } ?? .own
        let channels = handoff ? Channel.everyone.subtracting([channel]) : [channel]
        return planner.bestInsertion(of: order, in: world, now: now, among: channels, excluding: Set(order.rider.map { [$0] } ?? []))?.rider
    }

    // MARK: Pricing

    /// Drafts `remedy` for the case about `subject` (an order, a rider or a zone) and prices it. Throws when it
    /// cannot be done now.
    /// `covering`: the other orders of the case, which `waive` places and `cannotDeliver` tells about too.
    public func outcome(of remedy: Remedy, about subject: String, covering: [String] = [], in world: World, now: Instant,
                        because: String) throws(ToolError) -> Outcome {
        let draft = try decisions(for: remedy, covering: covering, in: world, now: now, because: because)
        return priced([(remedy, draft)], about: subject, in: world, now: now)[0]
    }

    /// Drafts and prices each of `remedies` that can be done now (the others are left out), all on one baseline:
    /// late deliveries are counted over every route and order any of them touches, so "late 3→2" of one option
    /// and "late 3→3" of another compare like with like.
    public func outcomes(of remedies: [Remedy], about subject: String, in world: World, now: Instant, because: String) -> [Outcome] {
        var drafts: [(Remedy, DecisionDraft)] = []
        for remedy in remedies where !drafts.contains(where: { $0.0 == remedy }) {
            if let draft = try? decisions(for: remedy, in: world, now: now, because: because) { drafts.append((remedy, draft)) }
        }
        return priced(drafts, about: subject, in: world, now: now)
    }

    /// What each draft acts on, and its price against the baseline of everything any of them touches.
    private func priced(_ drafts: [(Remedy, DecisionDraft)], about subject: String, in world: World, now: Instant) -> [Outcome] {
        let subjects = orders(about: subject, in: world, now: now)
        var scopeRiders: Set<String> = []
        var scopeOrders = subjects
        var effects: [(riders: Set<String>, acted: Set<String>, notified: Int, moved: Int)] = []
        for (remedy, draft) in drafts {
            let effect = effect(of: remedy, draft: draft, subjects: subjects, in: world, now: now)
            effects.append(effect)
            scopeRiders.formUnion(effect.riders)
            scopeOrders.formUnion(effect.acted.filter { world.orders[$0] != nil })
        }
        for rider in scopeRiders { scopeOrders.formUnion((world.routes[rider]?.stops ?? []).map(\.order)) }
        let before = price(riders: scopeRiders, orders: scopeOrders, in: world, promisesFrom: world, now: now)
        return zip(drafts, effects).map { item, effect in
            let (remedy, draft) = item
            let after = price(riders: scopeRiders, orders: scopeOrders, in: draft.world, promisesFrom: world, now: now)
            // Windows kept: none of the case's own orders is late afterwards, and no other order becomes late.
            let keeps = after.late.isSubset(of: before.late.subtracting(subjects))
            let critical = subjects.union(effect.acted).contains { world.orders[$0]?.tier == .critical }
            let movedCost = Double(effect.moved) * policy.movedPromiseCost
            var outcome = Outcome(remedy: remedy, bodies: draft.bodies, costDelta: after.cost - before.cost + movedCost, lateBefore: before.late.count,
                                  lateAfter: after.late.count, keepsWindows: keeps, notified: effect.notified, touchesCritical: critical,
                                  touched: effect.acted, summary: "")
            outcome.summary = describe(remedy, outcome: outcome, in: world, about: subject)
            return outcome
        }
    }

    /// The riders whose routes a draft changes (or whose case it is), what it acts on, how many customers it
    /// tells, and how many windows it moves with less notice than the policy's.
    private func effect(of remedy: Remedy, draft: DecisionDraft, subjects: Set<String>, in world: World,
                        now: Instant) -> (riders: Set<String>, acted: Set<String>, notified: Int, moved: Int) {
        var riders: Set<String> = []
        var acted: Set<String> = []
        var notified = 0
        var movedWithoutNotice = 0
        for body in draft.bodies {
            if case let .orderUpdated(order, changes) = body, changes.window != nil, let booked = world.orders[order]?.booked,
               booked.end - now < policy.promiseNotice {
                movedWithoutNotice += 1
            }
            switch body {
            case let .routePlanned(rider, _, _, _, _): riders.insert(rider)
            case let .orderReassigned(order, from, to, _): acted.insert(order); riders.formUnion([from, to])
            case let .orderAssigned(order, rider, _): acted.insert(order); riders.insert(rider)
            case let .orderUnassigned(order, _), let .orderUpdated(order, _): acted.insert(order)
            case let .customerNotified(order, _, _, _): acted.insert(order); notified += 1
            default: break
            }
        }
        switch remedy.kind {
        case .askRider, .reassignAll, .resequence, .notifyLate:
            riders.insert(remedy.subject)
            acted.insert(remedy.subject)
        case .handoffZone:
            acted.insert(remedy.subject)
        case .none:
            break
        default:
            if let rider = world.orders[remedy.subject]?.rider { riders.insert(rider) }
        }
        for id in subjects { if let rider = world.orders[id]?.rider { riders.insert(rider) } }
        return (riders, acted, notified, movedWithoutNotice)
    }

    /// The orders a case is about: its order, the orders on its rider's route, or its zone's orders that wait
    /// for a rider and are due within the capacity horizon.
    private func orders(about subject: String, in world: World, now: Instant) -> Set<String> {
        if world.orders[subject] != nil { return [subject] }
        if let route = world.routes[subject] { return Set(route.stops.map(\.order)) }
        guard world.zones[subject] != nil else { return [] }
        return Set(world.unassignedOrderIDs.filter { id in
            guard let order = world.orders[id] else { return false }
            return order.zone == subject && order.window.end > now && order.window.end <= now + policy.thresholds.capacityHorizon
        })
    }

    /// The cost of `riders`' routes and which of `orders` miss the windows their customers booked (in `promises`).
    private func price(riders: Set<String>, orders: Set<String>, in world: World, promisesFrom promises: World, now: Instant) -> (cost: Double, late: Set<String>) {
        var cost = 0.0
        var late: Set<String> = []
        var placed: Set<String> = []
        for id in riders.sorted() {
            guard let rider = world.riders[id] else { continue }
            let timed = planner.retimed(rider, in: world, now: now)
            cost += timed.cost
            for stop in timed.stops where stop.kind == .delivery {
                placed.insert(stop.order)
                guard let booked = promises.orders[stop.order]?.booked, let order = world.orders[stop.order] else { continue }
                if orders.contains(stop.order), stop.eta > booked.end { late.insert(stop.order) }
                // The route's cost counts lateness against the window as it stands; where the core moved it, count
                // it against the booked one instead, so moving a window never looks like a saving.
                if order.window.end != booked.end {
                    cost += RemedyPlanner.lateness(stop.eta, end: booked.end, tier: order.tier)
                        - RemedyPlanner.lateness(stop.eta, end: order.window.end, tier: order.tier)
                }
            }
        }
        for id in orders where !placed.contains(id) {
            guard let order = world.orders[id], order.status == .open || order.status == .failed else { continue }
            // Not delivered is no better than delivered late: priced as a delivery at the end of the horizon
            // against the booked window, and never below an hour's lateness.
            let booked = promises.orders[id]?.booked ?? order.booked
            cost += max(RemedyPlanner.unplacedCost(order.tier),
                        RemedyPlanner.lateness(now + RemedyPlanner.unplacedHorizon, end: booked.end, tier: order.tier))
            // Left failed, an order is never tried again: a failed delivery, at the policy's price of one.
            if order.status == .failed { cost += policy.movedPromiseCost }
            late.insert(id)
        }
        return (cost, late)
    }

    /// The planner's price of delivering at `eta` against a window ending at `end` (see `RouteEvaluator`).
    static func lateness(_ eta: Instant, end: Instant, tier: Tier) -> Double {
        eta > end ? Double(eta - end) / 60 * RouteEvaluator.latenessPerMinute(tier) + RouteEvaluator.latePenalty(tier) : 0
    }

    /// How far ahead an order left without a rider is priced as delivered (see `price`).
    static let unplacedHorizon: Int64 = 4 * 3600

    /// What leaving an order without a rider costs in a comparison: an hour's lateness at its tier.
    public static func unplacedCost(_ tier: Tier) -> Double {
        RouteEvaluator.latePenalty(tier) + 60 * RouteEvaluator.latenessPerMinute(tier)
    }

    /// One action's outcome over several cases' subjects, as a case standing for them offers it (the orders one scan
    /// finds no rider can take, put to a person as one case): `outcome` and `others` (the same action for each other
    /// subject) summed: cost, deliveries late before and after, customers told, what they act on.
    func together(_ outcome: Outcome, with others: [Outcome], in world: World) -> Outcome {
        var sum = outcome
        for other in others {
            sum.bodies += other.bodies
            sum.costDelta += other.costDelta
            sum.lateBefore += other.lateBefore
            sum.lateAfter += other.lateAfter
            sum.keepsWindows = sum.keepsWindows && other.keepsWindows
            sum.notified += other.notified
            sum.touchesCritical = sum.touchesCritical || other.touchesCritical
            sum.touched.formUnion(other.touched)
        }
        sum.summary = describe(sum.remedy, outcome: sum, in: world)
        return sum
    }

    private func describe(_ remedy: Remedy, outcome: Outcome, in world: World, about subject: String? = nil) -> String {
        var what = remedy.words
        // No detector looks at a failed order again: doing nothing about one leaves it undelivered for the day, and
        // "keep watching" would promise what nothing does.
        if remedy.kind == .none, let subject, world.orders[subject]?.status == .failed { what = "leave it failed: not tried again today" }
        if remedy.kind == .handoff, let channel = remedy.target.flatMap({ world.riders[$0]?.profile.channel.rawValue }) { what += " (\(channel))" }
        if remedy.kind == .makeRoom {
            let moves = outcome.bodies.compactMap { body -> String? in
                guard case let .orderReassigned(order, _, to, _) = body else { return nil }
                return "\(order) to \(to)"
            }
            what += " (moving " + moves.joined(separator: ", ") + ")"
        }
        if remedy.kind == .waive {
            if let target = remedy.target, let channel = world.riders[target]?.profile.channel.rawValue {
                what = "put \(remedy.subject) on \(target) (\(channel)), waiving the channel rules"
            }
            let others = outcome.bodies.compactMap { body -> String? in
                guard case let .orderAssigned(order, rider, _) = body, order != remedy.subject else { return nil }
                return "\(order) on \(rider)"
            }
            if !others.isEmpty { what += " (and " + others.joined(separator: ", ") + ")" }
        }
        var impact = String(format: "cost %+.2f ", outcome.costDelta) + world.costUnit + ", late \(outcome.lateBefore)→\(outcome.lateAfter)"
        if outcome.notified > 0 { impact += ", \(outcome.notified) notified" }
        return "\(what) (\(impact))"
    }

    // MARK: Drafting

    /// The decisions that carry out `remedy` now, drafted on a copy of `world`; throws why it cannot be done.
    /// `covering`: the case's other orders, which `waive` places and `cannotDeliver` tells about too.
    func decisions(for remedy: Remedy, covering: [String] = [], in world: World, now: Instant, because: String) throws(ToolError) -> DecisionDraft {
        var draft = DecisionDraft(world, now: now)
        let s = remedy.subject
        switch remedy.kind {
        case .reassign, .handoff, .waive:
            let order = try liveOrder(s, in: world)
            guard order.status != .pickedUp else { throw ToolError("\(s) is already on board with \(order.rider ?? "its rider")") }
            guard let target = remedy.target, let rider = world.riders[target] else { throw ToolError("unknown rider \(remedy.target ?? "")") }
            guard order.rider != target else { throw ToolError("\(s) is already with \(target)") }
            try move(order, to: rider, in: &draft, because: because, underRules: remedy.kind != .waive)
            // A waiver places the case's other orders nobody could take too, each on the rider fit to carry it at the
            // least cost as things then stand, its channel's rule waived; one that no rider can carry even so stays.
            for id in remedy.kind == .waive ? covering : [] {
                guard let other = draft.world.orders[id], other.awaitsRider,
                      let insertion = planner.allocation(of: other, in: draft.world, now: now, underRules: false).best else { continue }
                assign(id, by: insertion, in: &draft, because: because + Self.waiving(insertion.rider, other, in: draft.world))
            }
        case .cannotDeliver:
            // The customers of the case's orders that still wait for a rider and that nobody can take as things are now,
            // about the window each was last told (the booked one, or the slot a failed attempt was moved to).
            for id in [s] + covering {
                guard let order = world.orders[id], order.awaitsRider,
                      planner.bestInsertion(of: order, in: world, now: now) == nil else { continue }
                // After a failed attempt a rider did come: the customer hears that, not that the order cannot come.
                let kind: NoticeKind = order.status == .failed ? .cannotRetry : .cannotDeliver
                draft.add(.customerNotified(order: id, kind: kind,
                                            message: message(kind, order: order, window: order.promised, eta: nil, world: world), window: nil))
            }
            guard !draft.bodies.isEmpty else { throw ToolError("a rider can take \(s) now, or it is already delivered, failed for good or cancelled") }
        case .makeRoom:
            let order = try liveOrder(s, in: world)
            guard order.status == .open, order.rider == nil else { throw ToolError("\(s) is not waiting for a rider") }
            guard let target = remedy.target, let rider = world.riders[target] else { throw ToolError("unknown rider \(remedy.target ?? "")") }
            // Carried out later than drafted (on approval, at the deadline), the order may fit somewhere as things are
            // by then (a rider came on, an order was cancelled): placed there inside its booked window, as the room
            // would have placed it, it goes there and nobody's orders move for it.
            if let fits = planner.bestInsertion(of: order, in: world, now: now),
               fits.stops.contains(where: { $0.order == s && $0.kind == .delivery && $0.eta <= order.booked.end }) {
                assign(s, by: fits, in: &draft, because: because + "; it fits as things are, nothing moved")
                break
            }
            if let why = planner.refusal(rider, order, now: now, in: world) { throw ToolError("\(target) cannot take \(s) now: \(why)") }
            guard let room = room(for: order, on: [target], in: world, now: now) else {
                throw ToolError("\(target)'s orders cannot go to other riders to make room for \(s)")
            }
            for (displaced, insertion) in room.moved {
                draft.add(.orderReassigned(order: displaced, from: target, to: insertion.rider, reason: because))
                draft.add(.routePlanned(rider: insertion.rider, stops: insertion.stops, trigger: because,
                                        costBefore: insertion.costBefore, costAfter: insertion.costAfter))
            }
            assign(s, by: room.placed, in: &draft, because: because)
        case .reassignAll:
            let rider = try onDuty(s, in: world)
            let unpicked = (world.routes[s]?.stops ?? []).filter { $0.kind == .pickup && world.orders[$0.order]?.status == .assigned }
            guard !unpicked.isEmpty else { throw ToolError("\(s) has no orders left to hand over") }
            for stop in unpicked {
                guard let order = draft.world.orders[stop.order] else { continue }
                if let insertion = planner.bestInsertion(of: order, in: draft.world, now: now, excluding: [s]) {
                    draft.add(.orderReassigned(order: order.id, from: s, to: insertion.rider, reason: because))
                    draft.add(.routePlanned(rider: insertion.rider, stops: insertion.stops, trigger: because,
                                            costBefore: insertion.costBefore, costAfter: insertion.costAfter))
                } else {
                    draft.add(.orderUnassigned(order: order.id, reason: because + "; no other rider can take it"))
                }
            }
            replan(rider.id, in: &draft, because: because)
        case .resequence:
            let rider = try onDuty(s, in: world)
            let stops = world.routes[s]?.stops ?? []
            let before = planner.retimed(rider, in: world, now: now).cost
            guard let better = RouteImprover(evaluator: planner.evaluator).improve(
                stops, rider: rider, start: planner.start(of: rider, now: now, in: world),
                frozen: planner.frozenPrefix(of: rider, route: stops), now: now, in: world) else {
                throw ToolError("no better order of \(s)'s stops")
            }
            draft.add(.routePlanned(rider: s, stops: better.stops, trigger: because, costBefore: before, costAfter: better.cost))
        case .retry:
            let order = try liveOrder(s, in: world)
            guard order.status == .failed else { throw ToolError("\(s) has no failed attempt to try again") }
            guard now < order.window.end else { throw ToolError("the window of \(s) has closed") }
            // Only a rider back at the door before the window ends: a retry past it breaks the promise without
            // telling the customer a new one (`next_slot` does that). The planner's choice when it is in time, else
            // the cheapest in time of each channel's best (the choice may be a rider who would come late for less).
            let eta = { (insertion: InsertionPlanner.Insertion) in insertion.stops.first { $0.order == s && $0.kind == .delivery }?.eta }
            let inTime = { (insertion: InsertionPlanner.Insertion) in eta(insertion).map { $0 <= order.window.end } ?? false }
            let allocation = planner.allocation(of: order, in: world, now: now)
            let chosen = allocation.best.flatMap { inTime($0) ? $0 : nil }
                ?? allocation.byChannel.values.filter(inTime).min { ($0.delta, $0.rider) < ($1.delta, $1.rider) }
            guard let insertion = chosen, let eta = eta(insertion) else {
                throw ToolError("no rider can be back at \(s) before its window ends at \(ISOTime.clock(order.window.end, offsetSeconds: world.utcOffsetSeconds))")
            }
            assign(s, by: insertion, in: &draft, because: because)
            // "We will try again between 11:04-12:00": from now to the end of the same window (before `eta`).
            let told = TimeWindow(start: max(order.window.start, now), end: order.window.end)
            draft.add(.customerNotified(order: s, kind: .failedAttempt, message: message(.failedAttempt, order: order, window: told, eta: eta, world: world),
                                        window: told))
        case .nextSlot:
            let order = try liveOrder(s, in: world)
            let slot = nextSlot(after: order, now: now)
            draft.add(.orderUpdated(order: s, changes: OrderChanges(window: slot)))
            // A 3PL order not collected yet whose new slot falls in a full wave leaves the 3PL: the wave's limit
            // holds for moved orders as for new ones. (One already in the courier's van stays there.)
            if order.status == .assigned, let holder = order.rider, world.riders[holder]?.profile.channel == .thirdParty,
               let moved = draft.world.orders[s], let full = draft.world.channelRefusal(.thirdParty, for: moved) {
                draft.add(.orderUnassigned(order: s, reason: because + "; " + full))
                replan(holder, in: &draft, because: because)
            }
            if let updated = draft.world.orders[s], updated.status == .failed || updated.status == .open {
                if let insertion = planner.bestInsertion(of: updated, in: draft.world, now: now) {
                    assign(s, by: insertion, in: &draft, because: because)
                } else if updated.status == .open {
                    // Nobody to bring it then either: "now planned for 11:00-13:00" would be an empty promise. The order
                    // keeps its window and waits; a case with nothing else to do goes to a person (`ExceptionDesk`).
                    throw ToolError("no rider can take \(s) in the next slot (\(window(slot, world))) either")
                } else if !RosterReach(draft.world, now: now).canEverTake(updated, in: draft.world) {
                    // After a failed attempt, "we will try again between 18:00-20:00" when nobody on today's roster
                    // could ever come then is as empty: the case goes to a person, who can still find a rider, and
                    // the customer is told it cannot come if nobody does.
                    throw ToolError("no rider on today's roster can take \(s) in the next slot (\(window(slot, world)))")
                } else {
                    // After a failed attempt the customer is told something either way, and the old window is over
                    // or nearly: the new slot, and the parcel waits for a rider as a new order does (tried at every
                    // retry as room frees).
                    draft.add(.orderUnassigned(order: s, reason: because + "; no rider can take it now, retrying every 5 minutes"))
                }
            } else if let rider = order.rider {
                replan(rider, in: &draft, because: because)
            }
            let kind: NoticeKind = order.status == .failed ? .failedAttempt : .rescheduled
            draft.add(.customerNotified(order: s, kind: kind, message: message(kind, order: order, window: slot, eta: nil, world: world), window: slot))
        case .notify:
            let order = try liveOrder(s, in: world)
            guard let eta = eta(of: order, in: world, now: now) else { throw ToolError("\(s) has no rider, so no ETA to tell") }
            guard let body = notice(order, eta: eta, in: world, now: now) else {
                throw ToolError("the customer of \(s) was promised \(window(order.promised, world)) and the ETA fits it")
            }
            draft.add(body)
        case .notifyLate:
            let rider = try onDuty(s, in: world)
            for stop in planner.retimed(rider, in: world, now: now).stops where stop.kind == .delivery {
                if let order = world.orders[stop.order], let body = notice(order, eta: stop.eta, in: world, now: now) { draft.add(body) }
            }
            guard !draft.bodies.isEmpty else { throw ToolError("every customer of \(s) is within the window they were told") }
        case .askRider:
            // A call: anyone who has worked today can take it, a rider whose shift ended with parcels too.
            guard let rider = world.riders[s] else { throw ToolError("unknown rider \(s)") }
            guard rider.status != .offShift else { throw ToolError("\(s) has not started a shift") }
        case .handoffZone:
            // In the day's order (the first placed takes the room), among the orders waiting for a rider.
            for id in world.ordersToScan(endingBy: now + policy.thresholds.capacityHorizon) where world.unassignedOrderIDs.contains(id) {
                guard let order = draft.world.orders[id], order.zone == s, order.status == .open, order.rider == nil,
                      order.window.end > now, order.window.end <= now + policy.thresholds.capacityHorizon,
                      let insertion = planner.bestInsertion(of: order, in: draft.world, now: now, among: [.thirdParty, .gig]) else { continue }
                assign(id, by: insertion, in: &draft, because: because)
            }
            guard !draft.bodies.isEmpty else { throw ToolError("no 3PL or gig rider can take \(s)'s waiting orders") }
        case .returnToHub, .none:
            break
        }
        return draft
    }

    /// Gives an order without a rider (open, or back from a failed attempt) to the insertion's rider, on its route.
    private func assign(_ order: String, by insertion: InsertionPlanner.Insertion, in draft: inout DecisionDraft, because: String) {
        draft.add(.orderAssigned(order: order, rider: insertion.rider, reason: because))
        draft.add(.routePlanned(rider: insertion.rider, stops: insertion.stops, trigger: because,
                                costBefore: insertion.costBefore, costAfter: insertion.costAfter))
    }

    /// `underRules` false: the channel rules that keep the rider's channel from the order are waived (`waive`), and
    /// the reason journaled names the rule.
    private func move(_ order: Order, to rider: Rider, in draft: inout DecisionDraft, because: String, underRules: Bool = true) throws(ToolError) {
        let now = draft.now
        if let why = planner.refusal(rider, order, now: now, in: draft.world, underRules: underRules) {
            throw ToolError("\(rider.id) cannot take \(order.id) now: \(why)")
        }
        let because = underRules ? because : because + Self.waiving(rider.id, order, in: draft.world)
        guard let insertion = planner.bestInsertion(of: order, into: rider, in: draft.world, now: now, conditions: TravelConditions(draft.world)) else {
            throw ToolError("\(rider.id) has no room for \(order.id)")
        }
        if let from = order.rider {
            draft.add(.orderReassigned(order: order.id, from: from, to: rider.id, reason: because))
        } else {
            draft.add(.orderAssigned(order: order.id, rider: rider.id, reason: because))
        }
        draft.add(.routePlanned(rider: rider.id, stops: insertion.stops, trigger: because, costBefore: insertion.costBefore, costAfter: insertion.costAfter))
        if let from = order.rider { replan(from, in: &draft, because: because) }
    }

    /// What a reason adds when `rider` takes `order` with its channel's rule waived: the rule, in words (nothing when
    /// the rules allow it as things are now).
    static func waiving(_ rider: String, _ order: Order, in world: World) -> String {
        guard let channel = world.riders[rider]?.profile.channel, let rule = world.channelRefusal(channel, for: order) else { return "" }
        return "; waiving the channel rule (\(channel.rawValue): \(rule))"
    }

    /// Re-times a rider's route in the draft after stops left it or a window moved.
    private func replan(_ riderID: String, in draft: inout DecisionDraft, because: String) {
        guard let rider = draft.world.riders[riderID] else { return }
        let before = draft.world.routes[riderID].map { route in
            planner.evaluator.evaluate(route.stops, rider: rider, from: planner.start(of: rider, now: draft.now, in: draft.world), now: draft.now, in: draft.world).cost
        } ?? 0
        let after = planner.retimed(rider, in: draft.world, now: draft.now)
        draft.add(.routePlanned(rider: riderID, stops: after.stops, trigger: because, costBefore: before, costAfter: after.cost))
    }

    private func liveOrder(_ id: String, in world: World) throws(ToolError) -> Order {
        guard let order = world.orders[id] else { throw ToolError("unknown order \(id)") }
        guard !order.status.isFinal else { throw ToolError("\(id) is already \(order.status.rawValue)") }
        return order
    }

    private func onDuty(_ id: String, in world: World) throws(ToolError) -> Rider {
        guard let rider = world.riders[id] else { throw ToolError("unknown rider \(id)") }
        guard rider.status == .idle || rider.status == .driving || rider.status == .brokenDown else {
            throw ToolError("\(id) is \(rider.status.rawValue.replacingOccurrences(of: "_", with: " "))")
        }
        return rider
    }

    // MARK: Customer messages

    /// The predicted arrival of an order on its rider's route.
    func eta(of order: Order, in world: World, now: Instant) -> Instant? {
        guard let riderID = order.rider, let rider = world.riders[riderID] else { return nil }
        return planner.retimed(rider, in: world, now: now).stops.first { $0.order == order.id && $0.kind == .delivery }?.eta
    }

    /// A message giving the customer a new window around `eta`, or nil when the ETA fits what they were told.
    func notice(_ order: Order, eta: Instant, in world: World, now: Instant) -> EventBody? {
        guard eta > order.promised.end || eta < order.promised.start - 3600 else { return nil }
        let step: Int64 = 300
        let start = Instant(seconds: (eta.seconds - 15 * 60) / step * step)
        let end = Instant(seconds: (eta.seconds + 15 * 60 + step - 1) / step * step)
        let window = TimeWindow(start: max(start, now), end: end)
        let kind: NoticeKind = now >= order.window.end ? .late : .delayed
        return .customerNotified(order: order.id, kind: kind, message: message(kind, order: order, window: window, eta: eta, world: world), window: window)
    }

    /// The delivery slot after an order's window: as long as the window (at least an hour), starting on the
    /// half hour at least 30 minutes from now and not before the window's end.
    func nextSlot(after order: Order, now: Instant) -> TimeWindow {
        let length = max(3600, order.window.end - order.window.start)
        let half: Int64 = 1800
        let soonest = Instant(seconds: ((now + half).seconds + half - 1) / half * half)
        // Nobody was in, and the window the customer booked still has an hour or more after the soonest slot: come
        // back later inside it ("we will try again between 11:30 and 13:00"), so the promise is kept if they are in
        // then; only when too little of it is left does the next slot start where it ends.
        if order.status == .failed, soonest >= order.booked.start, order.booked.end - soonest >= Self.retryWithinBooked {
            return TimeWindow(start: soonest, end: order.booked.end)
        }
        let start = max(soonest, order.window.end)
        return TimeWindow(start: start, end: start + length)
    }

    /// The least of the booked window that must be left for a failed attempt to be tried again inside it.
    static let retryWithinBooked: Int64 = 3600

    func message(_ kind: NoticeKind, order: Order, window: TimeWindow?, eta: Instant?, world: World) -> String {
        let template = policy.templates[kind] ?? Policy.standard.templates[kind] ?? "{order}: {window}"
        return Template.render(template) { field in
            switch field {
            case .order: return order.id
            case .customer: return order.customerName.isEmpty ? "there" : order.customerName
            case .window: return window.map { self.window($0, world) } ?? "-"
            case .eta: return eta.map { ISOTime.clock($0, offsetSeconds: world.utcOffsetSeconds) } ?? "-"
            case .reason: return order.failureReason?.rawValue.replacingOccurrences(of: "_", with: " ") ?? "-"
            }
        }
    }

    private func window(_ window: TimeWindow, _ world: World) -> String {
        ISOTime.clock(window.start, offsetSeconds: world.utcOffsetSeconds) + "-" + ISOTime.clock(window.end, offsetSeconds: world.utcOffsetSeconds)
    }
}
