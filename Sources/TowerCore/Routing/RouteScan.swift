/// One walk over a base route, kept so that the cost of inserting one delivery at any position can be
/// found from the insertion point on, instead of re-walking the whole route.
///
/// After the inserted stop, the candidate is walked only until its service time at some stop equals the
/// base route's: from there on everything (km, lateness, end time) is the base route's, taken from the tables.
/// Loads after a delivery only fall, so feasibility is a prefix maximum and a suffix maximum.
struct RouteScan {
    /// The route's stops (a derived scan's base route, without its pickup: see `stop(_:)`).
    private let routeStops: [StopInfo]
    /// A derived scan's pickup and the place it was inserted at.
    private let inserted: (stop: StopInfo, at: Int)?
    let start: RouteEvaluator.Start
    /// The stops of this scan.
    let count: Int
    /// The walk's own tables, for positions `from` on (up to `joined - 1`, or to `count`): the state when leaving
    /// towards stop p; `serviceStart` for stops `from` on.
    private var departTime: [Instant] = []
    private var position: [GeoPoint] = []
    private var km: [Double] = []
    private var lateness: [Double] = []
    private var dropCosts: [Double] = []
    private var parcels: [Int] = []
    private var kg: [Double] = []
    private var serviceStart: [Instant] = []
    /// Seconds waited at each own stop before its service (a delivery reached before its window opens), and the
    /// seconds a stop could start later before its lateness grew: none for a delivery (every minute of its wait
    /// costs, see `RouteEvaluator.waitingShare`; stored as the negative seconds since the plan), `Int64.max` for a
    /// pickup.
    private var waited: [Int64] = []
    private var slack: [Int64] = []
    /// From each own position to the route's end: the seconds waited, and the least slack (`Int64.max` when no
    /// delivery is left).
    private var waitedFrom: [Int64] = []
    private var slackFrom: [Int64] = []
    /// Loads' maxima over positions 0…p and p…count, for the positions of the own tables.
    private var prefixMaxParcels: [Int] = []
    private var prefixMaxKg: [Double] = []
    private var suffixMaxParcels: [Int] = []
    private var suffixMaxKg: [Double] = []
    /// Where the own tables begin: 0 for a whole walk, the pickup's place for a derived scan.
    private let from: Int
    /// A derived scan's base (a whole walk): positions before `from` are the base's, and from `joined` on (once
    /// the walk was back in step) position p is the base's p − 1 with the detour's extras and the pickup's load.
    private let base: Tables?
    private var joined: Int?
    private var extraKm = 0.0, extraLate = 0.0, extraDrops = 0.0
    private var endTime: Instant
    /// A whole walk's tables, for the scans derived from it.
    private var shared: Tables?
    /// How many stops this scan walked (the rest it took from the route it was derived from).
    private(set) var walkedStops = 0

    /// A whole walk's tables, shared by the scans derived from it (no copy of them per derived scan).
    private final class Tables {
        let departTime: [Instant], position: [GeoPoint], km: [Double], lateness: [Double], dropCosts: [Double]
        let parcels: [Int], kg: [Double], serviceStart: [Instant]
        let waited: [Int64], slack: [Int64], waitedFrom: [Int64], slackFrom: [Int64]
        let prefixMaxParcels: [Int], prefixMaxKg: [Double], suffixMaxParcels: [Int], suffixMaxKg: [Double]
        /// Range maxima of the loads (`maxParcels[k][i]`: over positions i ..< i + 2^k), made when first asked for
        /// (only a derived scan back in step before a capacity check reaches past it asks).
        private lazy var maxParcels: [[Int]] = Tables.sparse(parcels)
        private lazy var maxKg: [[Double]] = Tables.sparse(kg)

        init(_ scan: RouteScan) {
            departTime = scan.departTime; position = scan.position; km = scan.km; lateness = scan.lateness; dropCosts = scan.dropCosts
            parcels = scan.parcels; kg = scan.kg; serviceStart = scan.serviceStart
            waited = scan.waited; slack = scan.slack; waitedFrom = scan.waitedFrom; slackFrom = scan.slackFrom
            prefixMaxParcels = scan.prefixMaxParcels; prefixMaxKg = scan.prefixMaxKg
            suffixMaxParcels = scan.suffixMaxParcels; suffixMaxKg = scan.suffixMaxKg
        }

        private static func sparse<T: Comparable>(_ values: [T]) -> [[T]] {
            var levels = [values]
            var width = 1
            while width * 2 <= values.count {
                let below = levels[levels.count - 1]
                levels.append((0...(values.count - width * 2)).map { max(below[$0], below[$0 + width]) })
                width *= 2
            }
            return levels
        }

        /// The largest load over positions `a` through `b` (a ≤ b).
        func loadMax(_ a: Int, _ b: Int) -> (parcels: Int, kg: Double) {
            if a == b { return (parcels[a], kg[a]) }
            var level = 0
            while 1 << (level + 1) <= b - a + 1 { level += 1 }
            let other = b - (1 << level) + 1
            return (max(maxParcels[level][a], maxParcels[level][other]), max(maxKg[level][a], maxKg[level][other]))
        }
    }

    init(_ stops: [StopInfo], start: RouteEvaluator.Start, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) {
        routeStops = stops
        inserted = nil
        self.start = start
        count = stops.count
        from = 0
        base = nil
        endTime = start.time
        departTime.reserveCapacity(stops.count + 1)
        walk(from: 0, state: WalkState(time: start.time, here: start.origin, km: 0, late: 0, drops: 0, parcels: start.parcels, kg: start.kg),
             profile: profile, travel: travel, conditions: conditions)
        shared = Tables(self)
    }

    /// The scan of `route`'s stops with `pickup` inserted before stop `p`, derived from the route's own scan (a
    /// whole walk): the stops before `p` are the route's as they are; after the pickup the walk goes on only until
    /// a stop's service starts when it does in the route. From there on every time, lateness and drop price is
    /// the route's, the distance differs by the detour and the load by the pickup's parcels, so a route with slack
    /// in it is not walked whole again for every place its new pickup could go (an insertion search tries most of
    /// them); neither is it copied: what the derived scan did not walk it reads from the route's.
    init(_ route: RouteScan, inserting pickup: StopInfo, at p: Int, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) {
        precondition(route.base == nil && route.inserted == nil, "a scan is derived from a whole walk")
        routeStops = route.routeStops
        inserted = (pickup, p)
        start = route.start
        count = route.count + 1
        from = p
        let tables = route.shared!
        base = tables
        endTime = route.endTime
        let state = WalkState(time: tables.departTime[p], here: tables.position[p], km: tables.km[p], late: tables.lateness[p],
                              drops: tables.dropCosts[p], parcels: tables.parcels[p], kg: tables.kg[p])
        walk(from: p, state: state, profile: profile, travel: travel, conditions: conditions)
    }


    /// The scan's stop `k`.
    @inline(__always) func stop(_ k: Int) -> StopInfo {
        guard let inserted else { return routeStops[k] }
        return k < inserted.at ? routeStops[k] : k == inserted.at ? inserted.stop : routeStops[k - 1]
    }

    /// The scan's stops.
    var stops: [StopInfo] {
        guard let inserted else { return routeStops }
        var all = routeStops
        all.insert(inserted.stop, at: inserted.at)
        return all
    }

    // The tables by position, wherever they are kept (see `from`, `base` and `joined`).
    @inline(__always) private func tail(_ p: Int) -> Bool { joined.map { p >= $0 } ?? false }
    @inline(__always) private func departure(_ p: Int) -> Instant {
        p < from ? base!.departTime[p] : tail(p) ? base!.departTime[p - 1] : departTime[p - from]
    }
    @inline(__always) private func place(_ p: Int) -> GeoPoint {
        p < from ? base!.position[p] : tail(p) ? base!.position[p - 1] : position[p - from]
    }
    @inline(__always) private func distance(_ p: Int) -> Double {
        p < from ? base!.km[p] : tail(p) ? base!.km[p - 1] + extraKm : km[p - from]
    }
    @inline(__always) private func late(_ p: Int) -> Double {
        p < from ? base!.lateness[p] : tail(p) ? base!.lateness[p - 1] + extraLate : lateness[p - from]
    }
    @inline(__always) private func drops(_ p: Int) -> Double {
        p < from ? base!.dropCosts[p] : tail(p) ? base!.dropCosts[p - 1] + extraDrops : dropCosts[p - from]
    }
    @inline(__always) private func service(_ k: Int) -> Instant {
        k < from ? base!.serviceStart[k] : tail(k) ? base!.serviceStart[k - 1] : serviceStart[k - from]
    }

    /// The largest load over positions 0…j and over j…count (j at least `from`).
    @inline(__always) private func loadMaxima(_ j: Int) -> (before: (parcels: Int, kg: Double), after: (parcels: Int, kg: Double)) {
        guard let base, let joined, j >= joined else {
            return ((prefixMaxParcels[j - from], prefixMaxKg[j - from]), (suffixMaxParcels[j - from], suffixMaxKg[j - from]))
        }
        let pickup = inserted!.stop
        let last = prefixMaxParcels.count - 1
        let range = base.loadMax(joined - 1, j - 1)
        return ((max(prefixMaxParcels[last], range.parcels + pickup.parcels), max(prefixMaxKg[last], range.kg + pickup.kg)),
                (base.suffixMaxParcels[j - 1] + pickup.parcels, base.suffixMaxKg[j - 1] + pickup.kg))
    }

    /// Where a walk stands when it leaves towards a stop.
    private struct WalkState {
        var time: Instant, here: GeoPoint, km: Double, late: Double, drops: Double, parcels: Int, kg: Double
    }

    /// Walks the stops from `first` on, filling the own tables; a derived scan stops once a stop after the pickup
    /// starts its service when the base route's does, and reads the rest from the base.
    private mutating func walk(from first: Int, state: WalkState, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) {
        var s = state
        var index = first
        while index < count {
            let info = stop(index)
            walkedStops += 1
            departTime.append(s.time); position.append(s.here); km.append(s.km); lateness.append(s.late); dropCosts.append(s.drops)
            parcels.append(s.parcels); kg.append(s.kg)
            s.km += travel.roadKm(from: s.here, to: info.location, in: conditions)
            s.time = s.time + Int64(travel.travelSeconds(from: s.here, to: info.location, vehicle: profile.vehicle, departing: s.time, in: conditions))
            s.here = info.location
            let reached = s.time
            s.time = RouteEvaluator.serviceStart(info, reached: s.time, profile: profile, routeStart: start.time, conditions: conditions)
            serviceStart.append(s.time)
            waited.append(s.time - reached)
            slack.append(info.kind == .delivery ? info.plannedAt - s.time : .max)
            if info.kind == .pickup {
                s.parcels += info.parcels; s.kg += info.kg
                s.time = s.time + RouteEvaluator.pickupSeconds
            } else {
                s.late += RouteEvaluator.lateness(info, servedAt: s.time)
                s.drops += RouteEvaluator.dropCost(info, profile: profile, at: s.time, conditions: conditions)
                s.parcels -= info.parcels; s.kg -= info.kg
                s.time = s.time + info.serviceSeconds
            }
            index += 1
            // Stop `index - 1` of this scan is the route's stop `index - 2` once past the pickup.
            if let base, index - 1 > first, s.time == base.departTime[index - 1] {
                let r = index - 1
                extraKm = s.km - base.km[r]; extraLate = s.late - base.lateness[r]; extraDrops = s.drops - base.dropCosts[r]
                joined = index
                finishLoads()
                return
            }
        }
        departTime.append(s.time); position.append(s.here); km.append(s.km); lateness.append(s.late); dropCosts.append(s.drops)
        parcels.append(s.parcels); kg.append(s.kg)
        endTime = s.time
        finishLoads()
    }

    /// How much later, at least, a leg driven from `leaving` ends when it is left `push` seconds later, `arriving` at
    /// the latest: as much, unless the speed rises on the way (an hour's factor rising, an incident in `ending`
    /// ending), which shortens the push at most by the ratio of the speeds, and by a second for the leg's rounding.
    @inline(__always)
    static func pushKept(_ push: Int64, leaving: Instant, arriving: Instant, offset: Int64, ending: [(until: Instant, slowdown: Double)]) -> Int64 {
        let ratio = speedRiseKept(from: leaving, to: arriving, offset: offset, ending: ending)
        guard ratio < 1 else { return push }
        return max(0, Int64((Double(push) * ratio).rounded(.down)) - 1)
    }

    /// The share of a push kept at least through the rises in speed between two instants: the hours' factors rising
    /// (see `keptAcross`) and incidents in `ending` ending.
    @inline(__always)
    static func speedRiseKept(from start: Instant, to end: Instant, offset: Int64, ending: [(until: Instant, slowdown: Double)]) -> Double {
        var ratio = 1.0
        let local = start.seconds + offset
        let first = local - (local >= 0 ? local / 86400 : (local - 86399) / 86400) * 86400
        var boundary = (first / 3600 + 1) * 3600
        while boundary - first <= end - start {
            ratio *= RouteScan.keptAcross[Int(boundary / 3600) % 24]
            boundary += 3600
        }
        for incident in ending where incident.until > start && incident.until <= end { ratio *= incident.slowdown }
        return ratio
    }

    /// For each hour of the day, the share of a push kept at least by a leg crossing into it from the hour before:
    /// the ratio of the two hours' speeds where the speed rises (see `TravelModel.hourFactor`), else all of it.
    private static let keptAcross: [Double] = (0..<24).map { hour in
        let travel = TravelModel()
        let before = travel.hourFactor(secondOfDay: (hour + 23) % 24 * 3600), after = travel.hourFactor(secondOfDay: hour * 3600)
        return after > before ? before / after : 1
    }

    /// Serves a stop whose service starts at `time`: a pickup's minute at the hub, or a delivery's lateness, price
    /// and service time. Returns when the stop is left.
    @inline(__always)
    private static func serve(_ info: StopInfo, from time: Instant, profile: RiderProfile, conditions: TravelConditions,
                              lateness: inout Double, dropped: inout Double) -> Instant {
        if info.kind == .pickup { return time + RouteEvaluator.pickupSeconds }
        lateness += RouteEvaluator.lateness(info, servedAt: time)
        dropped += RouteEvaluator.dropCost(info, profile: profile, at: time, conditions: conditions)
        return time + info.serviceSeconds
    }

    /// How much more lateness costs at a delivery with `slack` in the tables when it is served `push` seconds later.
    @inline(__always) private static func lateness(of info: StopInfo, slack: Int64, pushedBy push: Int64) -> Double {
        guard push > 0, slack < push else { return 0 }
        let time = info.plannedAt - slack
        return RouteEvaluator.lateness(info, servedAt: time + push) - RouteEvaluator.lateness(info, servedAt: time)
    }

    /// The loads' prefix and suffix maxima over the own tables, once the loads are known (a derived scan's from
    /// the base's at its ends).
    private mutating func finishLoads() {
        let walked = waited.count
        waitedFrom = [Int64](repeating: 0, count: walked + 1)
        slackFrom = [Int64](repeating: .max, count: walked + 1)
        if let base, let joined { waitedFrom[walked] = base.waitedFrom[joined - 1]; slackFrom[walked] = base.slackFrom[joined - 1] }
        for i in stride(from: walked - 1, through: 0, by: -1) {
            waitedFrom[i] = waitedFrom[i + 1] + waited[i]
            slackFrom[i] = min(slackFrom[i + 1], slack[i])
        }
        let n = parcels.count
        prefixMaxParcels = parcels; prefixMaxKg = kg
        if let base {
            prefixMaxParcels[0] = max(prefixMaxParcels[0], base.prefixMaxParcels[from]); prefixMaxKg[0] = max(prefixMaxKg[0], base.prefixMaxKg[from])
        }
        for i in stride(from: 1, to: n, by: 1) {
            prefixMaxParcels[i] = max(prefixMaxParcels[i], prefixMaxParcels[i - 1]); prefixMaxKg[i] = max(prefixMaxKg[i], prefixMaxKg[i - 1])
        }
        suffixMaxParcels = parcels; suffixMaxKg = kg
        if let base, let joined {
            let pickup = inserted!.stop
            suffixMaxParcels[n - 1] = max(suffixMaxParcels[n - 1], base.suffixMaxParcels[joined - 1] + pickup.parcels)
            suffixMaxKg[n - 1] = max(suffixMaxKg[n - 1], base.suffixMaxKg[joined - 1] + pickup.kg)
        }
        for i in stride(from: n - 2, through: 0, by: -1) {
            suffixMaxParcels[i] = max(suffixMaxParcels[i], suffixMaxParcels[i + 1]); suffixMaxKg[i] = max(suffixMaxKg[i], suffixMaxKg[i + 1])
        }
    }

    /// The base route's own cost (the formula of `costWithDelivery`). Unless drops are priced by the hour (gig
    /// surge), an insertion into the base almost never costs less: leaving later never arrives earlier and the road
    /// distance obeys the triangle inequality, so an insertion search may skip a base whose cost already loses.
    /// (Not never: a leg's speed is its zone's, so a delivery that splits a leg through a slow zone into legs
    /// through faster ones can bring the stops after it forward. The search may then miss that place, rarely.)
    func baseCost(profile: RiderProfile) -> Double {
        RouteScan.cost(end: endTime, start: start.time, km: distance(count), drops: drops(count), late: late(count), profile: profile)
    }

    /// Whether the base route already ends past the shift's grace: then so does every insertion into it.
    func endsTooLate(profile: RiderProfile) -> Bool { endTime > profile.shift.end + RouteEvaluator.shiftGrace }

    private static func cost(end: Instant, start: Instant, km: Double, drops: Double, late: Double, profile: RiderProfile) -> Double {
        let hours = Double(end - start) / 3600
        let overtime = max(0, Double(end - profile.shift.end) / 3600)
        return hours * profile.costPerHour + km * profile.costPerKm + drops + late + overtime * profile.costPerHour * 2
    }

    /// Whether the loads leave room for `delivery` placed before stop `j` (with its pickup where the scan has it).
    private func loadsAllow(_ delivery: StopInfo, at j: Int, profile: RiderProfile) -> Bool {
        let loads = loadMaxima(j)
        return loads.before.parcels <= profile.capacityParcels && loads.before.kg <= profile.capacityKg + 1e-9
            && loads.after.parcels - delivery.parcels <= profile.capacityParcels && loads.after.kg - delivery.kg <= profile.capacityKg + 1e-9
    }

    /// What the route costs with `info` inserted before stop `j` (j = count: at the end), at least, from the two legs
    /// it adds: the stops after it are pushed as late as the first of them is, less the waiting on the way, and less
    /// what a rising speed takes off a push (`pushKept`); a falling speed only lengthens it, as a leg left later never
    /// arrives earlier. While the speeds hold it is the place's cost. It drives no leg after the two, so an insertion
    /// search walks a place to the route's end (`costWithDelivery`, a derived scan for a pickup) only while this bound
    /// can still win. Nil when even this ends past the shift's grace, or a delivery's loads rule the place out (as
    /// they do `costWithDelivery`'s); minus infinity (no bound) when the place brings the stops after it forward. The
    /// walk is cut short once what it has added exceeds `bound`: the result is then above `bound`, not the whole of it.
    func leastCost(with info: StopInfo, at j: Int, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions,
                   bound: Double = .infinity) -> Double? {
        guard info.kind == .pickup || loadsAllow(info, at: j, profile: profile) else { return nil }
        let here = place(j)
        var time = departure(j) + Int64(travel.travelSeconds(from: here, to: info.location, vehicle: profile.vehicle, departing: departure(j), in: conditions))
        var driven = distance(j) + travel.roadKm(from: here, to: info.location, in: conditions)
        time = RouteEvaluator.serviceStart(info, reached: time, profile: profile, routeStart: start.time, conditions: conditions)
        var lateness = late(count), dropped = drops(count)
        time = RouteScan.serve(info, from: time, profile: profile, conditions: conditions, lateness: &lateness, dropped: &dropped)
        var end = time
        if j < count {
            // What the place adds at least, the stops after it as they are (their distance, lateness and end).
            let least = RouteScan.cost(end: endTime, start: start.time, km: distance(count), drops: dropped, late: lateness, profile: profile)
            if least > bound { return least }
            let next = stop(j)
            driven += travel.roadKm(from: info.location, to: next.location, in: conditions) + distance(count) - distance(j + 1)
            time = time + Int64(travel.travelSeconds(from: info.location, to: next.location, vehicle: profile.vehicle, departing: time, in: conditions))
            var push = RouteEvaluator.serviceStart(next, reached: time, profile: profile, routeStart: start.time, conditions: conditions) - service(j)
            // A leg split through a faster zone can bring the stops after it forward: then this is no bound.
            if push < 0 { return -.infinity }
            // The tables read directly (the loop runs for every place priced): own stops, then a derived scan's base's.
            let joinedAt = joined ?? .max, tailWaited = base?.waited ?? [], tailSlack = base?.slack ?? []
            let tailWaitedFrom = base?.waitedFrom ?? [], tailSlackFrom = base?.slackFrom ?? []
            let offset = Int64(conditions.utcOffsetSeconds), ending = conditions.incidents.map { (until: $0.until, slowdown: $0.slowdown) }
            var k = j
            while push > 0 {
                // Once no stop from here on has less time to spare than the push (no delivery is left), none costs
                // more (a push only shrinks from here): the route's end keeps the push less every wait and rise in
                // speed on the way, and a second a leg for the rounding.
                if push <= (k < joinedAt ? slackFrom[k - from] : tailSlackFrom[k - 1]) {
                    guard k + 1 < count else { break }
                    let waits = k + 1 < joinedAt ? waitedFrom[k + 1 - from] : tailWaitedFrom[k]
                    let ratio = RouteScan.speedRiseKept(from: departure(k + 1), to: endTime + push, offset: offset, ending: ending)
                    push = ratio < 1 ? Int64((Double(push) * ratio).rounded(.down)) - Int64(count - k) - waits : push - waits
                    break
                }
                let spare = k < joinedAt ? slack[k - from] : tailSlack[k - 1]
                if spare < push {
                    lateness += RouteScan.lateness(of: stop(k), slack: spare, pushedBy: push)
                    let sofar = RouteScan.cost(end: endTime, start: start.time, km: driven, drops: dropped, late: lateness, profile: profile)
                    if sofar > bound { return sofar }
                }
                k += 1
                guard k < count else { break }
                let waited = k < joinedAt ? waited[k - from] : tailWaited[k - 1]
                let kept = RouteScan.pushKept(push, leaving: departure(k), arriving: service(k) - waited + push, offset: offset, ending: ending)
                push = max(0, kept - waited)
            }
            end = endTime + max(0, push)
        }
        guard end <= profile.shift.end + RouteEvaluator.shiftGrace else { return nil }
        return RouteScan.cost(end: end, start: start.time, km: driven, drops: dropped, late: lateness, profile: profile)
    }

    /// The cost of the base route with `delivery` inserted before stop `j` (j = n: at the end), or nil if infeasible.
    /// A derived scan prices places after its pickup (j > the pickup's place).
    func costWithDelivery(_ delivery: StopInfo, at j: Int, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) -> Double? {
        guard loadsAllow(delivery, at: j, profile: profile) else { return nil }
        var time = departure(j), here = place(j), driven = distance(j), lateness = late(j), dropped = drops(j)
        func visit(_ info: StopInfo) {
            driven += travel.roadKm(from: here, to: info.location, in: conditions)
            time = time + Int64(travel.travelSeconds(from: here, to: info.location, vehicle: profile.vehicle, departing: time, in: conditions))
            here = info.location
        }
        visit(delivery)
        time = RouteEvaluator.serviceStart(delivery, reached: time, profile: profile, routeStart: start.time, conditions: conditions)
        time = RouteScan.serve(delivery, from: time, profile: profile, conditions: conditions, lateness: &lateness, dropped: &dropped)
        var end = time
        var k = j
        while k < count {
            let info = stop(k)
            visit(info)
            time = RouteEvaluator.serviceStart(info, reached: time, profile: profile, routeStart: start.time, conditions: conditions)
            if time == service(k) {
                // Back in step with the base route: the rest is the base route's.
                driven += distance(count) - distance(k + 1)
                lateness += late(count) - late(k)
                dropped += drops(count) - drops(k)
                end = endTime
                break
            }
            time = RouteScan.serve(info, from: time, profile: profile, conditions: conditions, lateness: &lateness, dropped: &dropped)
            end = time
            k += 1
        }
        if end > profile.shift.end + RouteEvaluator.shiftGrace { return nil }
        return RouteScan.cost(end: end, start: start.time, km: driven, drops: dropped, late: lateness, profile: profile)
    }
}
