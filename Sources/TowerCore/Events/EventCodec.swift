/// The one mapping between events and JSON lines, used by the journal, the feed and `Codable`.
///
/// A line is a flat object: the envelope (`v`, `id`, `seq`, `at`, `by`, `type`) and the body's fields.
public enum EventCodec {
    /// Longest line accepted; a longer one is refused without being parsed. The core writes long lines too: a
    /// van's route of 1,000 parcels with 64-byte order ids is about 250 KB (with 64 KB, a route of 450 stops was
    /// journaled and no restart could read it).
    public static let maxLineBytes = 1 << 20

    /// A decoded line and the repairs made to it.
    public struct Decoded: Sendable {
        public var event: Event
        public var warnings: [EventError]
        /// `n`: the line starts an engine step of this many events (see `JournalWriter`).
        public var stepSize: Int?
    }

    // MARK: Decoding

    public static func decode(line: some Collection<UInt8>) throws(EventError) -> Decoded {
        guard line.count <= maxLineBytes else {
            throw EventError(field: "", reason: "line is \(line.count) bytes, longer than the limit of \(maxLineBytes)")
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(line)
        } catch {
            throw EventError(field: "", reason: error.description)
        }
        return try decode(json: json)
    }

    public static func decode(json: JSONValue) throws(EventError) -> Decoded {
        var r = try FieldReader(json)
        let version = try r.int("v", in: 1...Int.max)
        guard version <= Event.formatVersion else {
            throw EventError(field: "v", reason: "format version \(version) is newer than this Tower reads (\(Event.formatVersion))")
        }
        let id = try r.id("id")
        let seq = try r.optionalInt("seq", in: 1...Int(Int64.max / 2)).map(Int64.init)
        let at = try r.instant("at")
        let by = r.has("by") ? try r.id("by") : "feed"
        if by == Event.core { r.textLimit = maxLineBytes }
        let typeValue = try r.value("type")
        guard case let .string(type) = typeValue else {
            throw EventError(field: "type", reason: "expected a string, got \(typeValue.typeName)")
        }
        let stepSize = try r.optionalInt("n", in: 2...Int(Int32.max))
        let role = r.has("role") ? try r.enumeration("role", as: Role.self) : nil
        let body = try decodeBody(type: type, at: at, reader: &r)
        return Decoded(event: Event(id: id, seq: seq, at: at, by: by, body: body, role: role), warnings: r.warnings, stepSize: stepSize)
    }

    private static func decodeBody(type text: String, at: Instant, reader r: inout FieldReader) throws(EventError) -> EventBody {
        guard let type = EventType(rawValue: text) else {
            throw EventError(field: "type", reason: "unknown event type \"\(TextSanitizer.clean(String(text.prefix(40))))\"")
        }
        switch type {
        case .sessionStarted:
            let seed = try r.optionalInt("seed", in: 0...Int.max).map { UInt64($0) }
            return .sessionStarted(name: try r.text("name"), seed: seed,
                                   utcOffsetSeconds: try r.int("utc_offset_s", in: -50400...50400), source: try r.id("source"),
                                   currency: r.has("currency") ? try r.id("currency") : "",
                                   etaModel: r.has("eta_model") ? try r.id("eta_model") : "",
                                   policy: r.has("policy") ? try r.text("policy") : "", ranges: try r.ranges("ranges"))
        case .zoneDefined:
            let area = GeoBox(south: try r.double("south", in: -90...90), west: try r.double("west", in: -180...180),
                              north: try r.double("north", in: -90...90), east: try r.double("east", in: -180...180))
            guard area.south < area.north, area.west < area.east else {
                throw EventError(field: "north", reason: "the zone's box is empty (south must be below north, west left of east)")
            }
            return .zoneDefined(Zone(id: try r.id("zone"), name: try r.text("name"), area: area,
                                     baseSpeedKmh: try r.double("speed_kmh", in: 1...150)))
        case .hubDefined:
            return .hubDefined(Hub(id: try r.id("hub"), name: try r.text("name"), location: try r.point(lat: "lat", lon: "lon"),
                                   zone: try r.id("zone")))
        case .riderRegistered:
            return .riderRegistered(try decodeRider(&r))
        case .channelsDefined:
            return .channelsDefined(try ChannelTermsCodec.read(&r))
        case .orderCreated:
            return .orderCreated(try decodeOrder(&r, createdAt: at))
        case .orderUpdated:
            var changes = OrderChanges()
            if r.has("window_start") || r.has("window_end") {
                changes.window = try r.window(start: "window_start", end: "window_end")
            }
            if r.has("lat") || r.has("lon") { changes.drop = try r.point(lat: "lat", lon: "lon") }
            changes.tier = try r.optionalEnumeration("tier", as: Tier.self)
            changes.parcels = try r.optionalInt("parcels", in: 1...500)
            changes.kg = try r.optionalDouble("kg", in: 0...2000)
            changes.notes = try r.optionalText("notes")
            if r.has("ready_at") { changes.readyAt = try r.instant("ready_at") }
            return .orderUpdated(order: try r.id("order"), changes: changes)
        case .orderCancelled:
            return .orderCancelled(order: try r.id("order"), reason: try r.text("reason", default: ""))
        case .orderPinned:
            return .orderPinned(order: try r.id("order"), rider: try r.id("rider"))
        case .shiftStarted:
            return .shiftStarted(rider: try r.id("rider"))
        case .shiftEnded:
            return .shiftEnded(rider: try r.id("rider"))
        case .riderPosition:
            return .riderPosition(rider: try r.id("rider"), position: try r.point(lat: "lat", lon: "lon"))
        case .stopArrived:
            return .stopArrived(rider: try r.id("rider"), order: try r.id("order"), kind: try r.enumeration("kind", as: Stop.Kind.self))
        case .pickupDone:
            return .pickupDone(rider: try r.id("rider"), order: try r.id("order"))
        case .deliveryDone:
            return .deliveryDone(rider: try r.id("rider"), order: try r.id("order"))
        case .deliveryFailed:
            return .deliveryFailed(rider: try r.id("rider"), order: try r.id("order"),
                                   reason: try r.enumeration("reason", as: FailureReason.self))
        case .trafficIncident:
            let until = try r.instant("until")
            guard until > at else { throw EventError(field: "until", reason: "ends before the incident is reported") }
            return .trafficIncident(incident: try r.id("incident"), zone: try r.id("zone"),
                                    slowdown: try r.double("slowdown", in: 0.05...1), until: until, note: try r.text("note", default: ""))
        case .riderBreakdown:
            return .riderBreakdown(rider: try r.id("rider"), note: try r.text("note", default: ""))
        case .riderRecovered:
            return .riderRecovered(rider: try r.id("rider"))
        case .orderAssigned:
            return .orderAssigned(order: try r.id("order"), rider: try r.id("rider"), reason: try r.text("reason", default: ""))
        case .orderReassigned:
            return .orderReassigned(order: try r.id("order"), from: try r.id("from"), to: try r.id("to"),
                                    reason: try r.text("reason", default: ""))
        case .orderUnassigned:
            return .orderUnassigned(order: try r.id("order"), reason: try r.text("reason", default: ""))
        case .routePlanned:
            return try decodeRoute(&r)
        case .customerNotified:
            let window = r.has("window_start") || r.has("window_end") ? try r.window(start: "window_start", end: "window_end") : nil
            return .customerNotified(order: try r.id("order"), kind: try r.enumeration("kind", as: NoticeKind.self), message: try r.text("message"), window: window)
        case .exceptionRaised:
            return .exceptionRaised(exception: try r.id("exception"), kind: try r.enumeration("kind", as: ExceptionKind.self), subject: try r.id("subject"),
                                    detail: try r.text("detail", default: ""))
        case .exceptionAutoResolved:
            return .exceptionAutoResolved(exception: try r.id("exception"), action: try r.remedy("action"), rule: try r.text("rule"))
        case .exceptionEscalated:
            return try decodeEscalation(&r)
        case .exceptionApproved:
            return .exceptionApproved(exception: try r.id("exception"), option: try r.int("option", in: 1...4), operator: try r.id("operator"))
        case .exceptionRejected:
            return .exceptionRejected(exception: try r.id("exception"), operator: try r.id("operator"), reason: try r.text("reason", default: ""))
        case .exceptionDefaulted:
            return .exceptionDefaulted(exception: try r.id("exception"), option: try r.int("option", in: 0...4))
        case .decisionUndone:
            return .decisionUndone(decision: try r.id("decision"), operator: try r.id("operator"))
        case .checkpoint:
            let parts = try r.int("parts", in: 1...CoreCheckpoint.maxParts)
            guard case let .string(state) = try r.value("state") else { throw EventError(field: "state", reason: "expected a string") }
            return .checkpoint(part: try r.int("part", in: 1...parts), parts: parts, state: state)
        case .etaRetrained:
            return .etaRetrained(version: try r.id("version"), rows: try r.int("rows", in: 0...100_000_000))
        }
    }

    private static func decodeRider(_ r: inout FieldReader) throws(EventError) -> RiderProfile {
        let shift = try r.window(start: "shift_start", end: "shift_end")
        return RiderProfile(
            id: try r.id("rider"), name: try r.text("name"), channel: try r.enumeration("channel", as: Channel.self),
            vehicle: try r.enumeration("vehicle", as: Vehicle.self), capacityParcels: try r.int("capacity_parcels", in: 1...1000),
            capacityKg: try r.double("capacity_kg", in: 0.1...5000), skills: try r.skills("skills"), shift: shift,
            costPerHour: try r.double("cost_per_hour", in: 0...10000), costPerKm: try r.double("cost_per_km", in: 0...1000),
            costPerDrop: try r.double("cost_per_drop", in: 0...1000), hub: try r.id("hub"), zone: try r.id("zone"))
    }

    private static func decodeOrder(_ r: inout FieldReader, createdAt: Instant) throws(EventError) -> Order {
        let pickup: PickupPlace
        if let hub = try r.optionalID("pickup_hub") {
            pickup = .hub(hub)
        } else if r.has("pickup_lat") || r.has("pickup_lon") {
            pickup = .point(try r.point(lat: "pickup_lat", lon: "pickup_lon"))
        } else {
            throw EventError(field: "pickup_hub", reason: "missing (give pickup_hub, or pickup_lat and pickup_lon)")
        }
        let window = try r.window(start: "window_start", end: "window_end")
        let promised = r.has("promised_start") || r.has("promised_end")
            ? try r.window(start: "promised_start", end: "promised_end") : window
        let ready = r.has("ready_at") ? try r.instant("ready_at") : nil
        if let ready, ready >= window.end { throw EventError(field: "ready_at", reason: "the parcel would be ready only after its window closes") }
        return Order(
            id: try r.id("order"), createdAt: createdAt, pickup: pickup, drop: try r.point(lat: "lat", lon: "lon"),
            zone: try r.id("zone"), window: window, promised: promised,
            serviceSeconds: Int(try r.double("service_min", in: 0...240) * 60),
            tier: try r.enumeration("tier", as: Tier.self), requiredSkills: try r.skills("skills"),
            parcels: try r.int("parcels", in: 1...500), kg: try r.double("kg", in: 0...2000),
            customerName: try r.text("customer", default: ""), contactToken: try r.optionalID("contact") ?? "",
            notes: try r.text("notes", default: ""), pinnedRider: try r.optionalID("pin_rider"), readyAt: ready)
    }

    private static func decodeRoute(_ r: inout FieldReader) throws(EventError) -> EventBody {
        var stops: [Stop] = []
        for (index, item) in try r.array("stops").enumerated() {
            var s = try FieldReader(item, path: "stops[\(index)]")
            stops.append(Stop(order: try s.id("order"), kind: try s.enumeration("kind", as: Stop.Kind.self), eta: try s.instant("eta")))
        }
        return .routePlanned(rider: try r.id("rider"), stops: stops, trigger: try r.text("trigger", default: ""),
                             costBefore: try r.double("cost_before", in: 0...1e12), costAfter: try r.double("cost_after", in: 0...1e12))
    }

    private static func decodeEscalation(_ r: inout FieldReader) throws(EventError) -> EventBody {
        var options: [EscalationOption] = []
        for (index, item) in try r.array("options").enumerated() {
            var o = try FieldReader(item, path: "options[\(index)]")
            o.textLimit = r.textLimit
            options.append(EscalationOption(action: try o.remedy("action"), summary: try o.text("summary"),
                                            costDelta: try o.double("cost_delta", in: -1e9...1e9),
                                            lateBefore: try o.optionalInt("late_before", in: 0...1_000_000),
                                            lateAfter: try o.optionalInt("late_after", in: 0...1_000_000)))
        }
        guard (1...4).contains(options.count) else { throw EventError(field: "options", reason: "expected 1 to 4 options") }
        return .exceptionEscalated(exception: try r.id("exception"), options: options, deadline: try r.instant("deadline"),
                                   defaultAction: try r.remedy("default"), reason: try r.text("reason", default: ""),
                                   covering: try r.optionalIDs("covering") ?? [])
    }

    // MARK: Encoding

    /// One journal line (without the newline). Times are written in `utcOffsetSeconds`.
    /// - Parameter stepSize: on the first line of an engine step of several events, how many it has (`n`).
    public static func encode(_ event: Event, utcOffsetSeconds: Int, stepSize: Int? = nil) -> [UInt8] {
        var w = JSONWriter()
        let time = { (instant: Instant) in ISOTime.format(instant, offsetSeconds: utcOffsetSeconds) }
        w.beginObject()
        w.key("v"); w.value(Event.formatVersion)
        if let seq = event.seq { w.key("seq"); w.value(seq) }
        if let stepSize { w.key("n"); w.value(stepSize) }
        w.key("id"); w.value(event.id)
        w.key("at"); w.value(time(event.at))
        w.key("by"); w.value(event.by)
        if let role = event.role { w.key("role"); w.value(role.rawValue) }
        w.key("type"); w.value(event.type.rawValue)
        func field(_ name: String, _ text: String) { w.key(name); w.value(text) }
        func number(_ name: String, _ value: Double) { w.key(name); w.value(value) }
        switch event.body {
        case let .sessionStarted(name, seed, offset, source, currency, etaModel, policy, ranges):
            field("name", name)
            if let seed { w.key("seed"); w.value(Int64(bitPattern: seed)) }
            w.key("utc_offset_s"); w.value(offset)
            field("source", source)
            if !currency.isEmpty { field("currency", currency) }
            if !etaModel.isEmpty { field("eta_model", etaModel) }
            if !policy.isEmpty { field("policy", policy) }
            if let ranges { field("ranges", ranges.text) }
        case let .zoneDefined(zone):
            field("zone", zone.id); field("name", zone.name)
            number("south", zone.area.south); number("west", zone.area.west)
            number("north", zone.area.north); number("east", zone.area.east)
            number("speed_kmh", zone.baseSpeedKmh)
        case let .hubDefined(hub):
            field("hub", hub.id); field("name", hub.name)
            number("lat", hub.location.lat); number("lon", hub.location.lon); field("zone", hub.zone)
        case let .riderRegistered(p):
            field("rider", p.id); field("name", p.name); field("channel", p.channel.rawValue); field("vehicle", p.vehicle.rawValue)
            w.key("capacity_parcels"); w.value(p.capacityParcels); number("capacity_kg", p.capacityKg)
            w.key("skills"); w.beginArray(); for skill in p.skills.sorted() { w.value(skill.rawValue) }; w.endArray()
            field("shift_start", time(p.shift.start)); field("shift_end", time(p.shift.end))
            number("cost_per_hour", p.costPerHour); number("cost_per_km", p.costPerKm); number("cost_per_drop", p.costPerDrop)
            field("hub", p.hub); field("zone", p.zone)
        case let .channelsDefined(terms):
            ChannelTermsCodec.write(terms, into: &w)
        case let .orderCreated(o):
            field("order", o.id)
            switch o.pickup {
            case let .hub(hub): field("pickup_hub", hub)
            case let .point(point): number("pickup_lat", point.lat); number("pickup_lon", point.lon)
            }
            number("lat", o.drop.lat); number("lon", o.drop.lon); field("zone", o.zone)
            field("window_start", time(o.window.start)); field("window_end", time(o.window.end))
            if o.promised != o.window {
                field("promised_start", time(o.promised.start)); field("promised_end", time(o.promised.end))
            }
            number("service_min", Double(o.serviceSeconds) / 60); field("tier", o.tier.rawValue)
            w.key("skills"); w.beginArray(); for skill in o.requiredSkills.sorted() { w.value(skill.rawValue) }; w.endArray()
            w.key("parcels"); w.value(o.parcels); number("kg", o.kg)
            field("customer", o.customerName)
            if !o.contactToken.isEmpty { field("contact", o.contactToken) }
            if !o.notes.isEmpty { field("notes", o.notes) }
            if let pinned = o.pinnedRider { field("pin_rider", pinned) }
            if let ready = o.readyAt { field("ready_at", time(ready)) }
        case let .orderUpdated(order, c):
            field("order", order)
            if let window = c.window { field("window_start", time(window.start)); field("window_end", time(window.end)) }
            if let drop = c.drop { number("lat", drop.lat); number("lon", drop.lon) }
            if let tier = c.tier { field("tier", tier.rawValue) }
            if let parcels = c.parcels { w.key("parcels"); w.value(parcels) }
            if let kg = c.kg { number("kg", kg) }
            if let notes = c.notes { field("notes", notes) }
            if let ready = c.readyAt { field("ready_at", time(ready)) }
        case let .orderCancelled(order, reason):
            field("order", order); field("reason", reason)
        case let .orderPinned(order, rider):
            field("order", order); field("rider", rider)
        case let .shiftStarted(rider), let .shiftEnded(rider), let .riderRecovered(rider):
            field("rider", rider)
        case let .riderPosition(rider, position):
            field("rider", rider); number("lat", position.lat); number("lon", position.lon)
        case let .pickupDone(rider, order), let .deliveryDone(rider, order):
            field("rider", rider); field("order", order)
        case let .deliveryFailed(rider, order, reason):
            field("rider", rider); field("order", order); field("reason", reason.rawValue)
        case let .stopArrived(rider, order, kind):
            field("rider", rider); field("order", order); field("kind", kind.rawValue)
        case let .trafficIncident(incident, zone, slowdown, until, note):
            field("incident", incident); field("zone", zone); number("slowdown", slowdown); field("until", time(until)); field("note", note)
        case let .riderBreakdown(rider, note):
            field("rider", rider); field("note", note)
        case let .orderAssigned(order, rider, reason):
            field("order", order); field("rider", rider); field("reason", reason)
        case let .orderReassigned(order, from, to, reason):
            field("order", order); field("from", from); field("to", to); field("reason", reason)
        case let .orderUnassigned(order, reason):
            field("order", order); field("reason", reason)
        case let .routePlanned(rider, stops, trigger, before, after):
            field("rider", rider)
            w.key("stops"); w.beginArray()
            for stop in stops {
                w.beginObject(); field("order", stop.order); field("kind", stop.kind.rawValue); field("eta", time(stop.eta)); w.endObject()
            }
            w.endArray()
            field("trigger", trigger); number("cost_before", before); number("cost_after", after)
        case let .customerNotified(order, kind, message, window):
            field("order", order); field("kind", kind.rawValue); field("message", message)
            if let window { field("window_start", time(window.start)); field("window_end", time(window.end)) }
        case let .exceptionRaised(exception, kind, subject, detail):
            field("exception", exception); field("kind", kind.rawValue); field("subject", subject); field("detail", detail)
        case let .exceptionAutoResolved(exception, action, rule):
            field("exception", exception); field("action", action.description); field("rule", rule)
        case let .exceptionEscalated(exception, options, deadline, defaultAction, reason, covering):
            field("exception", exception)
            w.key("options"); w.beginArray()
            for option in options {
                w.beginObject(); field("action", option.action.description); field("summary", option.summary); number("cost_delta", option.costDelta)
                if let late = option.lateBefore { w.key("late_before"); w.value(late) }
                if let late = option.lateAfter { w.key("late_after"); w.value(late) }
                w.endObject()
            }
            w.endArray()
            field("deadline", time(deadline)); field("default", defaultAction.description); field("reason", reason)
            if !covering.isEmpty { w.key("covering"); w.beginArray(); for order in covering { w.value(order) }; w.endArray() }
        case let .exceptionApproved(exception, option, op):
            field("exception", exception); w.key("option"); w.value(option); field("operator", op)
        case let .exceptionRejected(exception, op, reason):
            field("exception", exception); field("operator", op); field("reason", reason)
        case let .exceptionDefaulted(exception, option):
            field("exception", exception); w.key("option"); w.value(option)
        case let .decisionUndone(decision, op):
            field("decision", decision); field("operator", op)
        case let .checkpoint(part, parts, state):
            w.key("part"); w.value(part); w.key("parts"); w.value(parts); field("state", state)
        case let .etaRetrained(version, rows):
            field("version", version); w.key("rows"); w.value(rows)
        }
        w.endObject()
        return w.bytes
    }
}

extension Event: Codable {
    /// Decodes through the same mapping as the feed, so `Codable` users get identical validation.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let json = try container.decode(JSONValue.self)
        self = try EventCodec.decode(json: json).event
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        let bytes = EventCodec.encode(self, utcOffsetSeconds: 0)
        try container.encode(try JSONParser.parse(bytes))
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else if let items = try? container.decode([JSONValue].self) { self = .array(items) }
        else {
            let keyed = try decoder.container(keyedBy: AnyKey.self)
            var pairs: [(String, JSONValue)] = []
            for key in keyed.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
                pairs.append((key.stringValue, try keyed.decode(JSONValue.self, forKey: key)))
            }
            self = .object(pairs)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .null: var c = encoder.singleValueContainer(); try c.encodeNil()
        case let .bool(flag): var c = encoder.singleValueContainer(); try c.encode(flag)
        case let .number(number): var c = encoder.singleValueContainer(); try c.encode(number)
        case let .string(text): var c = encoder.singleValueContainer(); try c.encode(text)
        case let .array(items): var c = encoder.unkeyedContainer(); for item in items { try c.encode(item) }
        case let .object(pairs):
            var c = encoder.container(keyedBy: AnyKey.self)
            for (key, value) in pairs { try c.encode(value, forKey: AnyKey(stringValue: key)) }
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

private extension FieldReader {
    /// The lanes' ranges a day started with (`RangeCalibration.text`), if given.
    mutating func ranges(_ key: String) throws(EventError) -> RangeCalibration? {
        guard has(key) else { return nil }
        let text = try self.text(key)
        guard let ranges = RangeCalibration(text: text) else {
            throw EventError(field: path(key), reason: "expected \(RangeCalibration.horizonCuts.count + 1) horizon bands "
                             + "\"P10 factor,P90 factor,count\" joined by \";\", each factor within \(ConformalSides.range.lowerBound)…\(ConformalSides.range.upperBound)")
        }
        return ranges
    }
}
