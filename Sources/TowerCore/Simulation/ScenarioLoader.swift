import Foundation

/// Reads a scenario folder: `scenario.json`, `riders.csv`, `orders.csv`, and optionally `channels.json` and
/// `disruptions.csv`.
/// The format is documented in sample-data/README.md. Every error names the file, the record and the field.
public enum ScenarioLoader {
    public static func load(directory: String) throws -> Scenario {
        let folder = URL(fileURLWithPath: directory)
        func read(_ name: String, required: Bool = true) throws -> String? {
            let path = folder.appendingPathComponent(name).path
            guard let data = FileManager.default.contents(atPath: path) else {
                if required { throw ToolError("\(path): missing (a scenario folder needs scenario.json, riders.csv and orders.csv)") }
                return nil
            }
            guard let text = String(data: data, encoding: .utf8) else { throw ToolError("\(path): not valid UTF-8") }
            return text
        }
        let settingsPath = folder.appendingPathComponent("scenario.json").path
        var scenario = try parseSettings(try read("scenario.json")!, file: settingsPath)
        scenario.riders = try parseRiders(try read("riders.csv")!, file: folder.appendingPathComponent("riders.csv").path, scenario: scenario)
        scenario.orders = try parseOrders(try read("orders.csv")!, file: folder.appendingPathComponent("orders.csv").path, scenario: scenario)
        if let text = try read("channels.json", required: false) {
            scenario.channels = try parseChannels(text, file: folder.appendingPathComponent("channels.json").path, scenario: scenario)
        }
        if let script = try read("disruptions.csv", required: false) {
            scenario.disruptions = try parseDisruptions(script, file: folder.appendingPathComponent("disruptions.csv").path, scenario: scenario)
        }
        if let history = scenario.etaHistory {
            // Relative to the folder, as the samples name theirs; an absolute path as it is (a history kept elsewhere).
            let path = (history.hasPrefix("/") ? URL(fileURLWithPath: history) : folder.appendingPathComponent(history)).standardizedFileURL.path
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ToolError("\(settingsPath): eta_history: cannot read \(path) (a delivery history CSV, relative to the scenario folder or absolute)")
            }
            scenario.etaHistory = path
        }
        return scenario
    }

    static func parseSettings(_ text: String, file: String) throws -> Scenario {
        do {
            let json: JSONValue
            do { json = try JSONParser.parse(text) } catch { throw EventError(field: "", reason: error.description) }
            var r = try FieldReader(json)
            let dateText = try r.text("date")
            // A city whose clocks change names its time zone; its offset on the day is the zone's, and a utc_offset
            // given beside it must agree.
            var zoneOffset: (zone: String, seconds: Int, text: String)?
            if r.has("time_zone") {
                let zone = try r.text("time_zone")
                guard let noon = ISOTime.parse(dateText + "T12:00:00Z")?.instant, let seconds = Scenario.offset(zone: zone, at: noon) else {
                    throw EventError(field: "time_zone", reason: TimeZone(identifier: zone) == nil
                        ? "unknown time zone \"\(TextSanitizer.clean(String(zone.prefix(60))))\" (an IANA name such as Europe/London; the system's time zone data, tzdata, must be installed)"
                        : "expected date YYYY-MM-DD, got \"\(dateText)\"")
                }
                zoneOffset = (zone, seconds, (seconds < 0 ? "-" : "+") + String(format: "%02d:%02d", abs(seconds) / 3600, abs(seconds) % 3600 / 60))
            }
            let offsetText: String
            if let zoneOffset, !r.has("utc_offset") { offsetText = zoneOffset.text } else { offsetText = try r.text("utc_offset") }
            guard let parsed = ISOTime.parse(dateText + "T00:00:00" + offsetText) else {
                throw EventError(field: "date", reason: "expected date YYYY-MM-DD and utc_offset ±HH:MM, got \"\(dateText)\" and \"\(offsetText)\"")
            }
            if let zoneOffset, parsed.offsetSeconds != zoneOffset.seconds {
                throw EventError(field: "utc_offset", reason: "\(offsetText) is not \(zoneOffset.zone)'s offset on \(dateText) (\(zoneOffset.text)); leave utc_offset out to take the zone's")
            }
            let day = parsed.instant
            guard InputTimes.contains(day) else {
                throw EventError(field: "date", reason: "\(dateText) is outside the years 0002 to 9997 that Tower takes")
            }
            func clock(_ key: String) throws(EventError) -> Instant {
                let value = try r.text(key)
                guard let second = ISOTime.parseClock(value) else { throw EventError(field: key, reason: "expected HH:MM, got \"\(value)\"") }
                return day + Int64(second)
            }
            var zones: [Zone] = []
            for (index, item) in try r.array("zones").enumerated() {
                var z = try FieldReader(item, path: "zones[\(index)]")
                let area = GeoBox(south: try z.double("south", in: -90...90), west: try z.double("west", in: -180...180),
                                  north: try z.double("north", in: -90...90), east: try z.double("east", in: -180...180))
                guard area.south < area.north else {
                    throw EventError(field: z.path("north"), reason: "\(formatNumber(area.north)) is not north of south \(formatNumber(area.south)): the box is empty")
                }
                guard area.west < area.east else {
                    throw EventError(field: z.path("east"), reason: "\(formatNumber(area.east)) is not east of west \(formatNumber(area.west)): the box is empty")
                }
                let zone = Zone(id: try z.id("id"), name: try z.text("name"), area: area, baseSpeedKmh: try z.double("speed_kmh", in: 1...150))
                if zones.contains(where: { $0.id == zone.id }) { throw EventError(field: z.path("id"), reason: "zone \"\(zone.id)\" defined twice") }
                zones.append(zone)
            }
            guard !zones.isEmpty else { throw EventError(field: "zones", reason: "at least one zone is needed") }
            var hubs: [Hub] = []
            for (index, item) in try r.array("hubs").enumerated() {
                var h = try FieldReader(item, path: "hubs[\(index)]")
                let hub = Hub(id: try h.id("id"), name: try h.text("name"), location: try h.point(lat: "lat", lon: "lon"), zone: try h.id("zone"))
                guard zones.contains(where: { $0.id == hub.zone }) else { throw EventError(field: h.path("zone"), reason: "unknown zone \"\(hub.zone)\"") }
                if hubs.contains(where: { $0.id == hub.id }) { throw EventError(field: h.path("id"), reason: "hub \"\(hub.id)\" defined twice") }
                hubs.append(hub)
            }
            guard !hubs.isEmpty else { throw EventError(field: "hubs", reason: "at least one hub is needed") }
            let planLock = try clock("plan_lock")
            let dayStart = try clock("day_start")
            let dayEnd = try clock("day_end")
            guard dayStart <= planLock, planLock < dayEnd else {
                throw EventError(field: "plan_lock", reason: "must be within day_start…day_end")
            }
            var currency = ""
            if r.has("currency") {
                currency = try r.id("currency")
                guard currency.count <= 8 else { throw EventError(field: "currency", reason: "expected a short code such as BRL, got \"\(currency)\"") }
            }
            var scenario = Scenario(name: try r.text("name"), city: try r.text("city"), day: day, utcOffsetSeconds: parsed.offsetSeconds,
                            planLock: planLock, dayStart: dayStart, dayEnd: dayEnd,
                            absence: AbsenceModel(baseRate: try r.double("absent_rate", in: 0...1),
                                                  outsideFactor: try r.optionalDouble("absent_outside_window_factor", in: 0...100) ?? 3,
                                                  warnedFactor: try r.optionalDouble("absent_warned_factor", in: 0...100) ?? 0.5),
                            positionInterval: try r.int("position_interval_s", in: 5...3600),
                            zones: zones, hubs: hubs, riders: [], orders: [], disruptions: [])
            scenario.currency = currency
            scenario.timeZone = zoneOffset?.zone
            if r.has("eta_history") { scenario.etaHistory = try r.text("eta_history") }
            if r.has("plan_horizon_min") { scenario.planHorizon = Int64(try r.int("plan_horizon_min", in: 60...1440)) * 60 }
            if r.has("plan_budget_s") { scenario.planBudget = Double(try r.int("plan_budget_s", in: 1...3600)) }
            if r.has("plan_split_orders") {
                let orders = try r.int("plan_split_orders", in: 0...10_000_000)
                scenario.planSplitFrom = orders == 0 ? nil : orders
            }
            return scenario
        } catch let error as EventError {
            throw ToolError("\(file): \(error)")
        }
    }

    /// The channel terms (the fields of a `channels.defined` event), with every zone they name checked.
    static func parseChannels(_ text: String, file: String, scenario: Scenario) throws -> ChannelTerms {
        do {
            let json: JSONValue
            do { json = try JSONParser.parse(text) } catch { throw EventError(field: "", reason: error.description) }
            var r = try FieldReader(json)
            let terms = try ChannelTermsCodec.read(&r)
            let known = Set(scenario.zones.map(\.id))
            for zone in terms.ownFleetZones.sorted() where !known.contains(zone) {
                throw EventError(field: "own_fleet_zones", reason: "unknown zone \"\(zone)\"")
            }
            for (index, rate) in terms.thirdPartyRates.enumerated() where rate.zone != "*" && !known.contains(rate.zone) {
                throw EventError(field: "rates_3pl[\(index)].zone", reason: "unknown zone \"\(rate.zone)\"")
            }
            return terms
        } catch let error as EventError {
            throw ToolError("\(file): \(error)")
        }
    }

    static func parseRiders(_ text: String, file: String, scenario: Scenario) throws -> [ScenarioRider] {
        let table = try CSVTable.parse(text, file: file)
        try table.require(["id", "name", "channel", "vehicle", "capacity_parcels", "capacity_kg", "skills", "shift_start", "shift_end",
                           "cost_per_hour", "cost_per_km", "cost_per_drop", "hub", "zone"], file: file)
        var seen = Set<String>()
        var devices: [String: String] = [:]
        return try table.rows.map { row in
            let r = RowReader(file: file, row: row, table: table, day: scenario.day)
            let id = try r.id("id")
            guard seen.insert(id).inserted else { throw r.fail("id", "rider \"\(id)\" listed twice") }
            let device = try r.optional("device", r.id)
            if let device {
                if let other = devices[device] { throw r.fail("device", "device \"\(device)\" is \(other)'s already") }
                devices[device] = id
            }
            let start = try r.time("shift_start"), end = try r.time("shift_end")
            guard start < end else { throw r.fail("shift_end", "the shift ends before it starts") }
            let hub = try r.id("hub"), zone = try r.id("zone")
            guard scenario.hubs.contains(where: { $0.id == hub }) else { throw r.fail("hub", "unknown hub \"\(hub)\"") }
            guard scenario.zones.contains(where: { $0.id == zone }) else { throw r.fail("zone", "unknown zone \"\(zone)\"") }
            let profile = RiderProfile(
                id: id, name: try r.text("name"), channel: try r.enumeration("channel", as: Channel.self),
                vehicle: try r.enumeration("vehicle", as: Vehicle.self), capacityParcels: try r.int("capacity_parcels", in: 1...1000),
                capacityKg: try r.double("capacity_kg", in: 0.1...5000), skills: try r.skills("skills"),
                shift: TimeWindow(start: start, end: end), costPerHour: try r.double("cost_per_hour", in: 0...10000),
                costPerKm: try r.double("cost_per_km", in: 0...1000), costPerDrop: try r.double("cost_per_drop", in: 0...1000),
                hub: hub, zone: zone)
            let pace = try r.optional("pace") { try r.double($0, in: 0.3...2) } ?? 1.0
            return ScenarioRider(profile: profile, pace: pace, device: device)
        }
    }

    static func parseOrders(_ text: String, file: String, scenario: Scenario) throws -> [Order] {
        let table = try CSVTable.parse(text, file: file)
        try table.require(["id", "created_at", "pickup_hub", "lat", "lon", "zone", "window_start", "window_end", "service_min",
                           "tier", "skills", "parcels", "kg"], file: file)
        let hubs = Set(scenario.hubs.map(\.id))
        let zones = Set(scenario.zones.map(\.id))
        var seen = Set<String>()
        return try table.rows.map { row in
            let r = RowReader(file: file, row: row, table: table, day: scenario.day)
            let id = try r.id("id")
            guard seen.insert(id).inserted else { throw r.fail("id", "order \"\(id)\" listed twice") }
            let hub = try r.id("pickup_hub")
            guard hubs.contains(hub) else { throw r.fail("pickup_hub", "unknown hub \"\(hub)\"") }
            let zone = try r.id("zone")
            guard zones.contains(zone) else { throw r.fail("zone", "unknown zone \"\(zone)\"") }
            let drop = GeoPoint(lat: try r.double("lat", in: -90...90), lon: try r.double("lon", in: -180...180))
            guard scenario.zones.contains(where: { $0.area.contains(drop) }) else {
                throw r.fail("lat", "(\(drop.lat), \(drop.lon)) is in none of the scenario's zones")
            }
            let start = try r.time("window_start"), end = try r.time("window_end")
            guard start < end else { throw r.fail("window_end", "the window ends before it starts") }
            let created = try r.time("created_at")
            guard created < end else { throw r.fail("created_at", "the order is created after its window closes") }
            let contact = try r.optional("contact", r.id) ?? ""
            let pinned = try r.optional("pin_rider", r.id)
            if let pinned, !scenario.riders.contains(where: { $0.profile.id == pinned }) { throw r.fail("pin_rider", "unknown rider \"\(pinned)\"") }
            let ready = try r.optional("ready_at", r.time)
            if let ready, ready >= end { throw r.fail("ready_at", "the parcel would be ready only after its window closes") }
            return Order(id: id, createdAt: created, pickup: .hub(hub), drop: drop, zone: zone, window: TimeWindow(start: start, end: end),
                         promised: TimeWindow(start: start, end: end), serviceSeconds: Int(try r.double("service_min", in: 0...240) * 60),
                         tier: try r.enumeration("tier", as: Tier.self), requiredSkills: try r.skills("skills"),
                         parcels: try r.int("parcels", in: 1...500), kg: try r.double("kg", in: 0...2000),
                         customerName: try r.text("customer"), contactToken: contact, notes: try r.text("notes"), pinnedRider: pinned,
                         readyAt: ready)
        }
    }

    static func parseDisruptions(_ text: String, file: String, scenario: Scenario) throws -> [Disruption] {
        let table = try CSVTable.parse(text, file: file)
        try table.require(["at", "kind", "target", "params"], file: file)
        let riders = Set(scenario.riders.map(\.profile.id))
        let orders = Set(scenario.orders.map(\.id))
        let zones = Set(scenario.zones.map(\.id))
        return try table.rows.map { row in
            let r = RowReader(file: file, row: row, table: table, day: scenario.day)
            let at = try r.time("at")
            var params: [String: String] = [:]
            for part in r.raw("params").split(separator: ";") {
                let pair = part.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
                guard pair.count == 2 else { throw r.fail("params", "expected key=value pairs separated by ';', got \"\(part)\"") }
                params[pair[0]] = pair[1]
            }
            func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double {
                guard let text = params[key] else { throw r.fail("params", "missing \(key)=") }
                guard let value = Double(text), range.contains(value) else { throw r.fail("params", "\(key)=\(text) is not a number in \(formatNumber(range.lowerBound))…\(formatNumber(range.upperBound))") }
                return value
            }
            func rider(_ id: String) throws -> String {
                guard riders.contains(id) else { throw r.fail("target", "unknown rider \"\(id)\"") }
                return id
            }
            func order(_ id: String) throws -> String {
                guard orders.contains(id) else { throw r.fail("target", "unknown order \"\(id)\"") }
                return id
            }
            // Free text the simulation journals: held to an input's limit, as the journal's reader holds it.
            func text(_ key: String, default fallback: String) throws -> String {
                let value = params[key] ?? fallback
                guard value.utf8.count <= FieldReader.maxTextLength else {
                    throw r.fail("params", "\(key)= is \(value.utf8.count) bytes, longer than \(FieldReader.maxTextLength)")
                }
                return TextSanitizer.clean(value)
            }
            let target = r.raw("target")
            let note = try text("note", default: "")
            let kind: Disruption.Kind
            switch r.raw("kind") {
            case "traffic":
                guard zones.contains(target) else { throw r.fail("target", "unknown zone \"\(target)\"") }
                let minutes = Int(try number("minutes", 1...1440))
                kind = .traffic(zone: target, slowdown: try number("slowdown", 0.05...1), until: at + Int64(minutes * 60), note: note)
            case "jam":
                let ids = try target.split(separator: "+").map { try rider(String($0)) }
                guard !ids.isEmpty else { throw r.fail("target", "name the riders stuck, joined by '+'") }
                kind = .jam(riders: ids, minutes: Int(try number("minutes", 1...1440)), slowdown: try number("slowdown", 0.05...1), note: note)
            case "breakdown":
                kind = .breakdown(rider: try rider(target), minutes: Int(try number("minutes", 1...1440)))
            case "stall":
                kind = .stall(rider: try rider(target), minutes: Int(try number("minutes", 1...1440)))
            case "cancel":
                kind = .cancel(order: try order(target), reason: try text("reason", default: "customer request"))
            case "absent":
                kind = .absent(order: try order(target))
            case let other:
                throw r.fail("kind", "unknown disruption \"\(TextSanitizer.clean(String(other.prefix(20))))\"; expected traffic, jam, breakdown, stall, cancel or absent")
            }
            return Disruption(at: at, kind: kind, source: "\(file) line \(row.line)")
        }
    }
}
