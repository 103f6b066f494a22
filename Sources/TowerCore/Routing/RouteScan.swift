/// One walk over a base route, kept so that the cost of inserting one delivery at any position can be
/// found from the insertion point on, instead of re-walking the whole route.
///
/// After the inserted stop, the candidate is walked only until its service time at some stop equals the
/// base route's: from there on everything (km, lateness, end time) is the base route's, taken from the tables.
/// Loads after a delivery only fall, so feasibility is a prefix maximum and a suffix maximum.
struct RouteScan {
    let stops: [StopInfo]
    let start: RouteEvaluator.Start
    /// State when leaving towards stop p (p = 0…n; p = n is the end of the route).
    private var departTime: [Instant] = []
    private var position: [GeoPoint] = []
    private var km: [Double] = []
    private var lateness: [Double] = []
    private var dropCosts: [Double] = []
    private var parcels: [Int] = []
    private var kg: [Double] = []
    private var serviceStart: [Instant] = []
    private var prefixMaxParcels: [Int] = []
    private var prefixMaxKg: [Double] = []
    private var suffixMaxParcels: [Int] = []
    private var suffixMaxKg: [Double] = []
    private var endTime: Instant
    /// How many stops this scan walked (the rest it took from the route it was derived from).
    private(set) var walkedStops = 0

    init(_ stops: [StopInfo], start: RouteEvaluator.Start, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) {
        self.stops = stops
        self.start = start
        endTime = start.time
        departTime.reserveCapacity(stops.count + 1)
        walk(from: 0, state: WalkState(time: start.time, here: start.origin, km: 0, late: 0, drops: 0, parcels: start.parcels, kg: start.kg),
             profile: profile, travel: travel, conditions: conditions)
    }

    /// The scan of `route`'s stops with `pickup` inserted before stop `p`, derived from the route's own scan: the
    /// stops before `p` are the route's as they are; after the pickup the walk goes on only until a stop's service
    /// starts when it does in the route. From there on every time, lateness and drop price is the route's, the
    /// distance differs by the detour and the load by the pickup's parcels, so a route with slack in it is not
    /// walked whole again for every place its new pickup could go (an insertion search tries most of them).
    init(_ route: RouteScan, inserting pickup: StopInfo, at p: Int, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) {
        var stops = route.stops
        stops.insert(pickup, at: p)
        self.stops = stops
        start = route.start
        endTime = route.endTime
        departTime.reserveCapacity(stops.count + 1)
        departTime += route.departTime[..<p]; position += route.position[..<p]; km += route.km[..<p]; lateness += route.lateness[..<p]
        dropCosts += route.dropCosts[..<p]; parcels += route.parcels[..<p]; kg += route.kg[..<p]; serviceStart += route.serviceStart[..<p]
        let state = WalkState(time: route.departTime[p], here: route.position[p], km: route.km[p], late: route.lateness[p], drops: route.dropCosts[p],
                              parcels: route.parcels[p], kg: route.kg[p])
        walk(from: p, state: state, profile: profile, travel: travel, conditions: conditions, inStepWith: (route, pickup))
    }

    /// Where a walk stands when it leaves towards a stop.
    private struct WalkState {
        var time: Instant, here: GeoPoint, km: Double, late: Double, drops: Double, parcels: Int, kg: Double
    }

    /// Walks `stops` from `first` on, filling the tables; with `inStepWith` (the route this scan adds a pickup to),
    /// stops once a stop after the pickup starts its service when the route's does and takes the rest from it.
    private mutating func walk(from first: Int, state: WalkState, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions,
                               inStepWith base: (route: RouteScan, pickup: StopInfo)? = nil) {
        var s = state
        let n = stops.count
        var index = first
        while index < n {
            let info = stops[index]
            walkedStops += 1
            departTime.append(s.time); position.append(s.here); km.append(s.km); lateness.append(s.late); dropCosts.append(s.drops)
            parcels.append(s.parcels); kg.append(s.kg)
            s.km += travel.roadKm(from: s.here, to: info.location, in: conditions)
            s.time = s.time + Int64(travel.travelSeconds(from: s.here, to: info.location, vehicle: profile.vehicle, departing: s.time, in: conditions))
            s.here = info.location
            s.time = RouteEvaluator.serviceStart(info, reached: s.time, profile: profile, routeStart: start.time, conditions: conditions)
            serviceStart.append(s.time)
            if info.kind == .pickup {
                s.parcels += info.parcels; s.kg += info.kg
                s.time = s.time + RouteEvaluator.pickupSeconds
            } else {
                if s.time > info.windowEnd { s.late += Double(s.time - info.windowEnd) / 60 * info.latePerMinute + info.latePenalty }
                s.drops += RouteEvaluator.dropCost(info, profile: profile, at: s.time, conditions: conditions)
                s.parcels -= info.parcels; s.kg -= info.kg
                s.time = s.time + info.serviceSeconds
            }
            index += 1
            // Stop `index - 1` of this scan is the route's stop `index - 2` once past the pickup.
            if let (route, pickup) = base, index - 1 > first, s.time == route.departTime[index - 1] {
                let r = index - 1
                let extraKm = s.km - route.km[r], extraLate = s.late - route.lateness[r], extraDrops = s.drops - route.dropCosts[r]
                for q in r...route.stops.count {
                    departTime.append(route.departTime[q]); position.append(route.position[q]); km.append(route.km[q] + extraKm)
                    lateness.append(route.lateness[q] + extraLate); dropCosts.append(route.dropCosts[q] + extraDrops)
                    parcels.append(route.parcels[q] + pickup.parcels); kg.append(route.kg[q] + pickup.kg)
                    if q < route.stops.count { serviceStart.append(route.serviceStart[q]) }
                }
                endTime = route.endTime
                finishLoads()
                return
            }
        }
        departTime.append(s.time); position.append(s.here); km.append(s.km); lateness.append(s.late); dropCosts.append(s.drops)
        parcels.append(s.parcels); kg.append(s.kg)
        endTime = s.time
        finishLoads()
    }

    /// The loads' prefix and suffix maxima, once the loads are known.
    private mutating func finishLoads() {
        let n = stops.count
        prefixMaxParcels = parcels; prefixMaxKg = kg
        for i in stride(from: 1, through: n, by: 1) {
            prefixMaxParcels[i] = max(prefixMaxParcels[i], prefixMaxParcels[i - 1]); prefixMaxKg[i] = max(prefixMaxKg[i], prefixMaxKg[i - 1])
        }
        suffixMaxParcels = parcels; suffixMaxKg = kg
        for i in stride(from: n - 1, through: 0, by: -1) {
            suffixMaxParcels[i] = max(suffixMaxParcels[i], suffixMaxParcels[i + 1]); suffixMaxKg[i] = max(suffixMaxKg[i], suffixMaxKg[i + 1])
        }
    }

    /// The base route's own cost (the formula of `costWithDelivery`). Unless drops are priced by the hour (gig
    /// surge), an insertion into the base almost never costs less: leaving later never arrives earlier and the road
    /// distance obeys the triangle inequality, so an insertion search may skip a base whose cost already loses.
    /// (Not never: a leg's speed is its zone's, so a delivery that splits a leg through a slow zone into legs
    /// through faster ones can bring the stops after it forward. The search may then miss that place, rarely.)
    func baseCost(profile: RiderProfile) -> Double {
        RouteScan.cost(end: endTime, start: start.time, km: km[stops.count], drops: dropCosts[stops.count], late: lateness[stops.count], profile: profile)
    }

    /// Whether the base route already ends past the shift's grace: then so does every insertion into it.
    func endsTooLate(profile: RiderProfile) -> Bool { endTime > profile.shift.end + RouteEvaluator.shiftGrace }

    private static func cost(end: Instant, start: Instant, km: Double, drops: Double, late: Double, profile: RiderProfile) -> Double {
        let hours = Double(end - start) / 3600
        let overtime = max(0, Double(end - profile.shift.end) / 3600)
        return hours * profile.costPerHour + km * profile.costPerKm + drops + late + overtime * profile.costPerHour * 2
    }

    /// The cost of the base route with `delivery` inserted before stop `j` (j = n: at the end), or nil if infeasible.
    func costWithDelivery(_ delivery: StopInfo, at j: Int, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) -> Double? {
        guard prefixMaxParcels[j] <= profile.capacityParcels, prefixMaxKg[j] <= profile.capacityKg + 1e-9,
              suffixMaxParcels[j] - delivery.parcels <= profile.capacityParcels, suffixMaxKg[j] - delivery.kg <= profile.capacityKg + 1e-9
        else { return nil }
        var time = departTime[j], here = position[j], distance = km[j], late = lateness[j], drops = dropCosts[j]
        func visit(_ info: StopInfo) {
            distance += travel.roadKm(from: here, to: info.location, in: conditions)
            time = time + Int64(travel.travelSeconds(from: here, to: info.location, vehicle: profile.vehicle, departing: time, in: conditions))
            here = info.location
        }
        visit(delivery)
        time = RouteEvaluator.serviceStart(delivery, reached: time, profile: profile, routeStart: start.time, conditions: conditions)
        if time > delivery.windowEnd { late += Double(time - delivery.windowEnd) / 60 * delivery.latePerMinute + delivery.latePenalty }
        drops += RouteEvaluator.dropCost(delivery, profile: profile, at: time, conditions: conditions)
        time = time + delivery.serviceSeconds
        var end = time
        var k = j
        while k < stops.count {
            let info = stops[k]
            visit(info)
            time = RouteEvaluator.serviceStart(info, reached: time, profile: profile, routeStart: start.time, conditions: conditions)
            if time == serviceStart[k] {
                // Back in step with the base route: the rest is the base route's.
                distance += km[stops.count] - km[k + 1]
                late += lateness[stops.count] - lateness[k]
                drops += dropCosts[stops.count] - dropCosts[k]
                end = endTime
                break
            }
            if info.kind == .pickup {
                time = time + RouteEvaluator.pickupSeconds
            } else {
                if time > info.windowEnd { late += Double(time - info.windowEnd) / 60 * info.latePerMinute + info.latePenalty }
                drops += RouteEvaluator.dropCost(info, profile: profile, at: time, conditions: conditions)
                time = time + info.serviceSeconds
            }
            end = time
            k += 1
        }
        if end > profile.shift.end + RouteEvaluator.shiftGrace { return nil }
        return RouteScan.cost(end: end, start: start.time, km: distance, drops: drops, late: late, profile: profile)
    }
}
