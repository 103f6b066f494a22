import Foundation

/// A delivery history whose travel times are known without their noise, to score a learner against the noise floor
/// (the error of a model that knew the true expected time of every leg) rather than only against a baseline.
///
/// The city's travel time for a leg is a product of effects a learner has to find, several of them interactions a
/// linear model on one-hot features cannot express: each zone's speed (taken where the leg's midpoint lies, not at
/// the door) with its own rush-hour profile (zone × hour); a parking overhead per zone at the door; long legs faster
/// on arterial roads except in the rush hours (distance × hour); weekday and weekend; the channel's vehicle; each
/// rider's pace, and in the zones a rider does not know, slower (rider × zone). The noise is heavy-tailed (a
/// Student t with 3 degrees of freedom on the log time, median 0, so the noise-free time is each leg's median), and
/// from `closureDay` on the busiest zone's speed is halved (a road closure nobody announced). Service time at the door grows
/// with parcels, by zone and rider, with log-normal noise. Everything comes from the seed.
public struct SyntheticHistory: Sendable {
    public struct Settings: Sendable {
        public var seed: UInt64 = 1
        public var days = 60
        public var riders = 30
        public var zones = 8
        /// The first day (0-based) of the closure; nil for none.
        public var closureDay: Int? = 46
        /// The spread of the noise on the log travel time (the t draw's scale).
        public var noise = 0.15
        public init() {}
    }

    public let settings: Settings
    /// The closed zone's name (nil without a closure).
    public let closedZone: String?
    public let rows: [HistoryRow]
    /// The `line`s of the legs that drive through the closed zone (on any day: before the closure it is the same
    /// road).
    public let closedLegs: Set<Int>
    /// When the closure starts (midnight of `closureDay`), nil without one.
    public let closureStart: Instant?

    private struct Zone {
        var name: String
        var centre: GeoPoint
        var kmh: Double
        /// The zone's speed in the rush hours, as a share of its speed (each zone its own).
        var rush: Double
        var lunch: Double
        var parkingSeconds: Double
        var dwellFactor: Double
    }

    private struct Rider {
        var id: String
        var channel: String
        var hub: GeoPoint
        var pace: Double
        var known: [Int]
        var dwellFactor: Double
        var shiftStart: Int
    }

    static let origin = GeoPoint(lat: -22.93, lon: -43.25)
    static let utcOffset = -3 * 3600

    public init(settings: Settings) {
        self.settings = settings
        var random = SeededRandom(seed: settings.seed, stream: "synthetic-history")
        func around(_ km: Double) -> GeoPoint {
            let angle = random.unit() * 2 * Double.pi, r = km * random.unit().squareRoot()
            return GeoPoint(lat: SyntheticHistory.origin.lat + r * sin(angle) / 111, lon: SyntheticHistory.origin.lon + r * cos(angle) / 102)
        }
        let zones = (0..<max(2, settings.zones)).map { i in
            Zone(name: "z\(i + 1)", centre: around(10), kmh: 14 + random.unit() * 16, rush: 0.5 + random.unit() * 0.45,
                 lunch: 0.8 + random.unit() * 0.2, parkingSeconds: 30 + random.unit() * 150, dwellFactor: 0.7 + random.unit() * 0.6)
        }
        let hubs = [around(4), around(4)]
        let channels = ["own", "own", "own", "own", "3pl", "gig"]
        let riders = (0..<max(1, settings.riders)).map { i in
            Rider(id: String(format: "S%03d", i + 1), channel: channels[Int(random.unit() * Double(channels.count))],
                  hub: hubs[i % hubs.count], pace: random.logNormalFactor(sigma: 0.12),
                  known: Array(Set([Int(random.unit() * Double(zones.count)), Int(random.unit() * Double(zones.count))])).sorted(),
                  dwellFactor: random.logNormalFactor(sigma: 0.2), shiftStart: 6 * 3600 + Int(random.unit() * 7) * 3600)
        }
        // The closure hits the zone most riders know: the busiest, where it matters most.
        let known = zones.indices.map { z in riders.filter { $0.known.contains(z) }.count }
        let closed = settings.closureDay == nil ? nil : zones.indices.max { (known[$0], $1) < (known[$1], $0) }
        closedZone = closed.map { zones[$0].name }
        func zone(of point: GeoPoint) -> Int {
            zones.indices.min { point.distanceKm(to: zones[$0].centre) < point.distanceKm(to: zones[$1].centre) }!
        }
        let start = ISOTime.parse("2026-09-07T00:00:00-03:00")!.instant  // a Monday
        var rows: [HistoryRow] = []
        var closedLegs: Set<Int> = []
        var order = 0
        for day in 0..<settings.days {
            let midnight = start + Int64(day * 86_400)
            let weekday = day % 7
            let weekdayFactor = weekday == 5 ? 1.1 : weekday == 6 ? 1.2 : weekday == 4 ? 0.93 : 1
            for rider in riders where weekday < 5 || random.unit() < 0.5 {
                var here = rider.hub
                var clock = midnight + Int64(rider.shiftStart + Int(random.unit() * 1800))
                let stops = 10 + Int(random.unit() * 8)
                for stop in 1...stops {
                    let z = random.unit() < 0.7 ? rider.known[Int(random.unit() * Double(rider.known.count))]
                        : Int(random.unit() * Double(zones.count))
                    let door = GeoPoint(lat: zones[z].centre.lat + random.normal() * 0.012, lon: zones[z].centre.lon + random.normal() * 0.012)
                    let middle = zone(of: here.interpolated(to: door, fraction: 0.5))
                    let doorZone = zone(of: door)
                    let hour = Double(ISOTime.secondOfDay(clock, offsetSeconds: SyntheticHistory.utcOffset)) / 3600
                    let rushHour = (7...9).contains(hour) || (17...19).contains(hour)
                    let km = here.distanceKm(to: door) * 1.3
                    var kmh = zones[middle].kmh * (rushHour ? zones[middle].rush : (11.5...14).contains(hour) ? zones[middle].lunch : 1)
                    if km > 3, !rushHour { kmh *= 1 + min(0.4, (km - 3) * 0.08) }  // arterial roads, free outside the rush
                    if let closed, middle == closed, day >= settings.closureDay! { kmh *= 0.5 }
                    kmh *= weekdayFactor * (rider.channel == "3pl" ? 0.85 : rider.channel == "gig" ? 1.08 : 1) / rider.pace
                    if !rider.known.contains(doorZone) { kmh /= 1.2 }
                    let expected = zones[doorZone].parkingSeconds + km / kmh * 3600
                    let t = random.normal() / (((pow(random.normal(), 2) + pow(random.normal(), 2) + pow(random.normal(), 2)) / 3).squareRoot() + 1e-9)
                    let travel = expected * exp(settings.noise * max(-8, min(8, t)))
                    let parcels = 1 + Int(random.unit() * random.unit() * 5)
                    let dwell = (40 + 35 * Double(parcels)) * zones[doorZone].dwellFactor * rider.dwellFactor * random.logNormalFactor(sigma: 0.3)
                    let arrived = clock + Int64(travel.rounded()), completed = arrived + Int64(dwell.rounded())
                    order += 1
                    var row = HistoryRow(line: order + 1, order: String(format: "Y-%06d", order), rider: rider.id, channel: rider.channel,
                                         zone: zones[doorZone].name, from: here, to: door, departedAt: clock, arrivedAt: arrived,
                                         completedAt: completed, stopIndex: stop, parcels: parcels,
                                         outcome: random.unit() < 0.05 ? "failed" : "delivered", utcOffsetSeconds: SyntheticHistory.utcOffset)
                    row.noiseFreeTravel = expected
                    rows.append(row)
                    if middle == closed { closedLegs.insert(row.line) }
                    here = door
                    clock = completed
                }
            }
        }
        self.rows = rows
        self.closedLegs = closedLegs
        closureStart = settings.closureDay.map { start + Int64($0 * 86_400) }
    }

    /// The history as CSV: `tower history`'s columns and `travel_noise_free_s`.
    public var csv: String {
        ([HistoryRow.headerWithNoiseFree] + rows.map(\.csvLineWithNoiseFree)).joined(separator: "\n") + "\n"
    }
}
