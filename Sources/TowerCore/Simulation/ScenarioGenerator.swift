import Foundation

/// Makes a scenario folder's files from a seed and a size, in `CityGeography`'s city.
///
/// About 70% of orders are booked the day before (known at the 06:00 plan lock); the rest arrive through the day.
public struct ScenarioGenerator {
    public var name: String
    public var seed: UInt64
    public var riders: Int
    public var orders: Int
    public var date = "2026-11-17"
    /// Minutes before its window opens that an order is planned (`plan_horizon_min`); nil: the whole day at the lock.
    public var planHorizonMinutes: Int?

    public init(name: String, seed: UInt64, riders: Int, orders: Int) {
        self.name = name; self.seed = seed; self.riders = riders; self.orders = orders
    }

    /// File name → contents.
    public func files() -> [(name: String, text: String)] {
        var rng = SeededRandom(seed: seed, stream: "generate")
        let riderRows = makeRiders(&rng)
        let orderRows = makeOrders(&rng, skills: riderRows.skills)
        return [
            ("scenario.json", settings()),
            ("riders.csv", riderRows.text),
            ("orders.csv", orderRows),
            ("disruptions.csv", disruptions(&rng, riderIDs: riderRows.ids)),
        ]
    }

    /// Writes the scenario's files into `directory`, creating it; existing files are replaced.
    public func write(to directory: String) throws {
        try WholeFile.makeFolder(directory, what: "the scenario folder")
        for file in files() {
            try WholeFile.write(Data(file.text.utf8), to: URL(fileURLWithPath: directory).appendingPathComponent(file.name).path, what: "the scenario's file")
        }
    }

    private func settings() -> String {
        var w = JSONWriter()
        w.beginObject()
        w.key("name"); w.value(name)
        w.key("city"); w.value(CityGeography.city)
        w.key("date"); w.value(date)
        w.key("utc_offset"); w.value(CityGeography.utcOffset)
        w.key("currency"); w.value(CityGeography.currency)
        if let planHorizonMinutes { w.key("plan_horizon_min"); w.value(planHorizonMinutes) }
        w.key("plan_lock"); w.value("06:00")
        w.key("day_start"); w.value("05:30")
        w.key("day_end"); w.value("22:00")
        w.key("absent_rate"); w.value(0.05)
        w.key("position_interval_s"); w.value(60)
        w.key("zones"); w.beginArray()
        for z in CityGeography.zones {
            w.beginObject()
            w.key("id"); w.value(z.id); w.key("name"); w.value(z.name)
            w.key("south"); w.value(z.area.south); w.key("west"); w.value(z.area.west)
            w.key("north"); w.value(z.area.north); w.key("east"); w.value(z.area.east)
            w.key("speed_kmh"); w.value(z.baseSpeedKmh)
            w.endObject()
        }
        w.endArray()
        w.key("hubs"); w.beginArray()
        for h in CityGeography.hubs {
            w.beginObject()
            w.key("id"); w.value(h.id); w.key("name"); w.value(h.name)
            w.key("lat"); w.value(h.location.lat); w.key("lon"); w.value(h.location.lon); w.key("zone"); w.value(h.zone)
            w.endObject()
        }
        w.endArray()
        w.endObject()
        // Pretty enough to read and edit: one zone or hub per line.
        return w.string.replacingOccurrences(of: "},{", with: "},\n    {").replacingOccurrences(of: ":[{", with: ":[\n    {")
            .replacingOccurrences(of: "}]", with: "}\n  ]").replacingOccurrences(of: ",\"", with: ", \"") + "\n"
    }

    /// The riders' file, their ids and every skill some rider has.
    private func makeRiders(_ rng: inout SeededRandom) -> (text: String, ids: [String], skills: Set<Skill>) {
        var lines = ["id,name,channel,vehicle,capacity_parcels,capacity_kg,skills,shift_start,shift_end,cost_per_hour,cost_per_km,cost_per_drop,hub,zone,pace,device"]
        var ids: [String] = []
        var present: Set<Skill> = []
        let shifts: [(Channel, [(String, String)])] = [
            (.own, [("06:00", "14:00"), ("07:00", "15:00"), ("10:00", "18:00"), ("12:00", "20:00")]),
            (.thirdParty, [("06:00", "16:00"), ("08:00", "18:00")]),
            (.gig, [("09:00", "13:00"), ("11:00", "21:00"), ("16:00", "21:00")]),
        ]
        for index in 0..<riders {
            let id = String(format: "R%02d", index + 1)
            ids.append(id)
            let share = Double(index) / Double(max(riders, 1))
            let channel: Channel = share < 0.55 ? .own : (share < 0.8 ? .thirdParty : .gig)
            let vehicle: Vehicle
            switch channel {
            case .own: vehicle = rng.unit() < 0.15 ? .van : (rng.unit() < 0.2 ? .bicycle : .motorbike)
            case .thirdParty: vehicle = rng.unit() < 0.5 ? .van : .car
            case .gig: vehicle = rng.unit() < 0.3 ? .bicycle : .motorbike
            }
            let (parcels, kg): (Int, Double) = {
                switch vehicle {
                case .bicycle: return (12, 15)
                case .motorbike: return (25, 30)
                case .car: return (40, 150)
                case .van: return (80, 600)
                }
            }()
            var skills: [Skill] = []
            if channel == .own, rng.unit() < 0.3 { skills.append(.coldChain) }
            if channel != .gig, rng.unit() < 0.35 { skills.append(.idCheck) }
            if vehicle == .van || vehicle == .car { skills.append(.bulky) }
            present.formUnion(skills)
            let options = shifts.first { $0.0 == channel }!.1
            let shift = options[index % options.count]
            let (perHour, perKm, perDrop): (Double, Double, Double) = {
                switch channel {
                case .own: return (vehicle == .van ? 14 : 10, vehicle == .van ? 0.6 : 0.3, 0)
                case .thirdParty: return (0, 0.15, 3.4)
                case .gig: return (0, 0, 4.8)
                }
            }()
            let hub = CityGeography.hubs[index % CityGeography.hubs.count]
            let pace = (0.85 + rng.unit() * 0.3) * 100
            lines.append("\(id),\(riderName(&rng)),\(channel.rawValue),\(vehicle.rawValue),\(parcels),\(formatNumber(kg)),\(skills.map(\.rawValue).joined(separator: ";")),"
                + "\(shift.0),\(shift.1),\(formatNumber(perHour)),\(formatNumber(perKm)),\(formatNumber(perDrop)),\(hub.id),\(hub.zone),\((pace.rounded() / 100)),"
                + Self.device(index))
        }
        return (lines.joined(separator: "\n") + "\n", ids, present)
    }

    /// A phone id for the rider at `index`: six digits as the Traccar client makes them, distinct for up to
    /// 900,000 riders (7919 is prime to 900,000), and no draw from the city's random stream.
    public static func device(_ index: Int) -> String { String(100_000 + (index + 1) * 7919 % 900_000) }

    private func riderName(_ rng: inout SeededRandom) -> String {
        "\(pick(CityGeography.firstNames, &rng)) \(pick(CityGeography.lastNames, &rng).prefix(1))."
    }

    /// The orders' file. An order asks only for a skill one of the city's riders has (`skills`): a city of a few
    /// riders may have nobody with a cold chain, and an order only such a rider may carry would be left for the whole
    /// day whatever the plan (a seven-rider city of 60 orders left 6 of them so). The draws are the same either way,
    /// so a city whose riders have every skill is the same as before.
    private func makeOrders(_ rng: inout SeededRandom, skills: Set<Skill>) -> String {
        var lines = ["id,created_at,pickup_hub,lat,lon,zone,window_start,window_end,service_min,tier,skills,parcels,kg,customer,contact,notes"]
        let zones = CityGeography.zones
        var rows: [(created: Int, line: String)] = []
        for index in 0..<orders {
            let zone = pickZone(&rng)
            let area = zones.first { $0.id == zone }!.area
            let point = GeoPoint(lat: area.south + (area.north - area.south) * (0.05 + 0.9 * rng.unit()),
                                 lon: area.west + (area.east - area.west) * (0.05 + 0.9 * rng.unit()))
            let hub = CityGeography.hubs.min { $0.location.distanceKm(to: point) < $1.location.distanceKm(to: point) }!
            let booked = rng.unit() < 0.7
            let tierRoll = rng.unit()
            let tier: Tier = !booked && tierRoll < 0.12 ? .critical : (tierRoll < 0.25 ? .express : .standard)
            let created: Int
            let windowStart: Int
            let windowLength: Int
            if booked {
                created = 0
                windowStart = (8 + Int(rng.unit() * 11)) * 3600
                windowLength = tier == .standard ? 2 * 3600 : 3600
            } else {
                created = (7 * 60 + Int(rng.unit() * 10 * 60)) * 60
                windowStart = created + (tier == .critical ? 30 * 60 : 45 * 60)
                windowLength = tier == .standard ? 3 * 3600 : (tier == .express ? 90 * 60 : 60 * 60)
            }
            let skillRoll = rng.unit()
            let asked: Skill? = skillRoll < 0.05 ? .coldChain : (skillRoll < 0.08 ? .idCheck : (skillRoll < 0.11 ? .bulky : nil))
            let skill = asked.flatMap { skills.contains($0) ? $0 : nil }
            let parcels = 1 + Int(rng.unit() * rng.unit() * 3)
            let kg = skill == .bulky ? 12 + (rng.unit() * 25).rounded() : (0.5 + rng.unit() * 6 * Double(parcels)).rounded() / 1
            let service = skill == .bulky ? 6 : (skill == .idCheck ? 4 : 3)
            let id = String(format: "O-%04d", index + 1)
            let customer = "\(pick(CityGeography.firstNames, &rng)) \(pick(CityGeography.lastNames, &rng))"
            let contact = String(format: "c-%08x", UInt32(truncatingIfNeeded: rng.next()))
            let note = pick(CityGeography.notes, &rng)
            let line = "\(id),\(ISOTime.clockText(created)),\(hub.id),\(round6(point.lat)),\(round6(point.lon)),\(zone),\(ISOTime.clockText(windowStart)),"
                + "\(ISOTime.clockText(min(windowStart + windowLength, 22 * 3600))),\(service),\(tier.rawValue),\(skill?.rawValue ?? ""),\(parcels),\(formatNumber(kg)),"
                + "\(customer),\(contact),\(note.contains(",") ? "\"\(note)\"" : note)"
            rows.append((created, line))
        }
        lines += rows.map(\.line)
        return lines.joined(separator: "\n") + "\n"
    }

    private func disruptions(_ rng: inout SeededRandom, riderIDs: [String]) -> String {
        var lines = ["at,kind,target,params"]
        lines.append("08:15,traffic,centro,slowdown=0.45;minutes=70;note=Accident on Av. Presidente Vargas")
        lines.append("17:30,traffic,zona-sul,slowdown=0.6;minutes=60;note=Rain in Botafogo")
        if riderIDs.count > 6 { lines.append("11:10,breakdown,\(riderIDs[6]),minutes=90") }
        if riderIDs.count > 9 { lines.append("14:20,stall,\(riderIDs[9]),minutes=35") }
        for _ in 0..<max(1, orders / 120) {
            let minute = 7 * 60 + Int(rng.unit() * 10 * 60)
            let order = String(format: "O-%04d", 1 + Int(rng.unit() * Double(orders)))
            lines.append("\(ISOTime.clockText(minute * 60)),cancel,\(order),reason=customer request")
        }
        let header = lines.removeFirst()
        lines.sort()
        return ([header] + lines).joined(separator: "\n") + "\n"
    }

    private func pickZone(_ rng: inout SeededRandom) -> String {
        var roll = rng.unit()
        for zone in CityGeography.zones {
            roll -= CityGeography.demand[zone.id] ?? 0
            if roll < 0 { return zone.id }
        }
        return CityGeography.zones.last!.id
    }

    private func pick<T>(_ items: [T], _ rng: inout SeededRandom) -> T { items[Int(rng.unit() * Double(items.count))] }
    private func round6(_ value: Double) -> String { String(format: "%.6f", value) }
}
