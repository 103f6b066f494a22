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

    init(_ stops: [StopInfo], start: RouteEvaluator.Start, profile: RiderProfile, travel: TravelModel, conditions: TravelConditions) {
        self.stops = stops
        self.start = start
        let n = stops.count
        departTime.reserveCapacity(n + 1)
        var time = start.time, here = start.origin, distance = 0.0, late = 0.0, drops = 0.0, p = start.parcels, w = start.kg
        for info in stops {
            departTime.append(time); position.append(here); km.append(distance); lateness.append(late); dropCosts.append(drops)
            parcels.append(p); kg.append(w)
            distance += travel.roadKm(from: here, to: info.location, in: conditions)
            time = time + Int64(travel.travelSeconds(from: here, to: info.location, vehicle: profile.vehicle, departing: time, in: conditions))
            here = info.location
            time = RouteEvaluator.serviceStart(info, reached: time, profile: profile, routeStart: start.time, conditions: conditions)
            serviceStart.append(time)
            if info.kind == .pickup {
                p += info.parcels; w += info.kg
                time = time + RouteEvaluator.pickupSeconds
            } else {
                if time > info.windowEnd { late += Double(time - info.windowEnd) / 60 * info.latePerMinute + info.latePenalty }
                drops += RouteEvaluator.dropCost(info, profile: profile, at: time, conditions: conditions)
                p -= info.parcels; w -= info.kg
                time = time + info.serviceSeconds
            }
        }
        departTime.append(time); position.append(here); km.append(distance); lateness.append(late); dropCosts.append(drops)
        parcels.append(p); kg.append(w)
        endTime = time
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
