/// Reads and writes `ChannelTerms` as the fields of one JSON object: the body of a `channels.defined` event and,
/// with the same fields, a scenario's `channels.json`. Every error names the field, e.g. `rates_3pl[2].size`.
public enum ChannelTermsCodec {
    public static func read(_ r: inout FieldReader) throws(EventError) -> ChannelTerms {
        var terms = ChannelTerms()
        if r.has("sizes") {
            for (index, item) in try r.array("sizes").enumerated() {
                var s = try FieldReader(item, path: r.path("sizes[\(index)]"))
                let size = ChannelTerms.Size(name: try s.id("size"), maxParcels: try s.int("max_parcels", in: 1...1000),
                                             maxKg: try s.double("max_kg", in: 0.1...5000))
                if terms.sizes.contains(where: { $0.name == size.name }) {
                    throw EventError(field: s.path("size"), reason: "size \"\(size.name)\" defined twice")
                }
                if let last = terms.sizes.last, size.maxParcels < last.maxParcels || size.maxKg < last.maxKg {
                    throw EventError(field: s.path("size"), reason: "sizes go from the smallest to the largest; \"\(size.name)\" is smaller than \"\(last.name)\"")
                }
                terms.sizes.append(size)
            }
        }
        if r.has("rates_3pl") {
            for (index, item) in try r.array("rates_3pl").enumerated() {
                var s = try FieldReader(item, path: r.path("rates_3pl[\(index)]"))
                let zone = try s.text("zone")
                if zone != "*" { try FieldReader.checkID(zone, field: s.path("zone")) }
                let rate = ChannelTerms.Rate(zone: zone, size: try s.id("size"), perDrop: try s.double("per_drop", in: 0...10000))
                guard terms.sizes.contains(where: { $0.name == rate.size }) else {
                    throw EventError(field: s.path("size"), reason: "unknown size \"\(rate.size)\" (sizes: \(terms.sizes.map(\.name).joined(separator: ", ")))")
                }
                if terms.thirdPartyRates.contains(where: { $0.zone == rate.zone && $0.size == rate.size }) {
                    throw EventError(field: s.path("size"), reason: "a second rate for zone \(rate.zone), size \(rate.size)")
                }
                terms.thirdPartyRates.append(rate)
            }
        }
        terms.thirdPartyWaves = try bands(&r, "waves_3pl", value: "capacity", in: 0...100_000, whole: true)
        terms.gigFee = try r.optionalDouble("gig_fee", in: 0...10000)
        terms.gigSurge = try bands(&r, "gig_surge", value: "factor", in: 0.1...20)
        terms.gigAcceptanceSeconds = (try r.optionalInt("gig_acceptance_min", in: 0...240) ?? 0) * 60
        if r.has("never_to_gig") {
            terms.neverToGig = []
            for (index, item) in try r.array("never_to_gig").enumerated() {
                guard case let .string(text) = item, let tier = Tier(rawValue: text) else {
                    throw EventError(field: r.path("never_to_gig[\(index)]"), reason: "expected one of \(Tier.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                terms.neverToGig.insert(tier)
            }
        }
        if r.has("own_fleet_zones") {
            for (index, item) in try r.array("own_fleet_zones").enumerated() {
                guard case let .string(zone) = item else {
                    throw EventError(field: r.path("own_fleet_zones[\(index)]"), reason: "expected a zone id, got \(item.typeName)")
                }
                try FieldReader.checkID(zone, field: r.path("own_fleet_zones[\(index)]"))
                terms.ownFleetZones.insert(zone)
            }
        }
        return terms
    }

    /// Day spans `[{"start": "HH:MM", "end": "HH:MM", <value>: n}]`, in order and not overlapping.
    private static func bands(_ r: inout FieldReader, _ key: String, value: String, in range: ClosedRange<Double>, whole: Bool = false) throws(EventError) -> [ChannelTerms.Band] {
        guard r.has(key) else { return [] }
        var result: [ChannelTerms.Band] = []
        for (index, item) in try r.array(key).enumerated() {
            var s = try FieldReader(item, path: r.path("\(key)[\(index)]"))
            func clock(_ field: String) throws(EventError) -> Int {
                let text = try s.text(field)
                guard let second = ISOTime.parseClock(text) else { throw EventError(field: s.path(field), reason: "expected HH:MM, got \"\(text)\"") }
                return second
            }
            let band = ChannelTerms.Band(start: try clock("start"), end: try clock("end"), value: try s.double(value, in: range))
            guard band.start < band.end else { throw EventError(field: s.path("end"), reason: "ends before it starts") }
            if whole, band.value != band.value.rounded() { throw EventError(field: s.path(value), reason: "expected a whole number, got \(band.value)") }
            if let last = result.last, band.start < last.end {
                throw EventError(field: s.path("start"), reason: "overlaps the span before it (which ends at \(ISOTime.clockText(last.end)))")
            }
            result.append(band)
        }
        return result
    }

    /// Writes the terms' fields into an object being written (an event line).
    public static func write(_ terms: ChannelTerms, into w: inout JSONWriter) {
        w.key("sizes"); w.beginArray()
        for size in terms.sizes {
            w.beginObject(); w.key("size"); w.value(size.name); w.key("max_parcels"); w.value(size.maxParcels)
            w.key("max_kg"); w.value(size.maxKg); w.endObject()
        }
        w.endArray()
        w.key("rates_3pl"); w.beginArray()
        for rate in terms.thirdPartyRates {
            w.beginObject(); w.key("zone"); w.value(rate.zone); w.key("size"); w.value(rate.size)
            w.key("per_drop"); w.value(rate.perDrop); w.endObject()
        }
        w.endArray()
        write(terms.thirdPartyWaves, "waves_3pl", value: "capacity", into: &w)
        if let fee = terms.gigFee { w.key("gig_fee"); w.value(fee) }
        write(terms.gigSurge, "gig_surge", value: "factor", into: &w)
        w.key("gig_acceptance_min"); w.value(terms.gigAcceptanceSeconds / 60)
        w.key("never_to_gig"); w.beginArray(); for tier in terms.neverToGig.sorted() { w.value(tier.rawValue) }; w.endArray()
        w.key("own_fleet_zones"); w.beginArray(); for zone in terms.ownFleetZones.sorted() { w.value(zone) }; w.endArray()
    }

    private static func write(_ bands: [ChannelTerms.Band], _ key: String, value: String, into w: inout JSONWriter) {
        w.key(key); w.beginArray()
        for band in bands {
            w.beginObject(); w.key("start"); w.value(ISOTime.clockText(band.start)); w.key("end"); w.value(ISOTime.clockText(band.end))
            w.key(value); w.value(band.value); w.endObject()
        }
        w.endArray()
    }
}
