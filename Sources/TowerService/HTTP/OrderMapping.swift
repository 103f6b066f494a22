import Foundation
import TowerCore

/// How an order system's CSV export becomes Tower's orders: one `FIELD = Column` (or `FIELD = "constant"`) per
/// line, `#` starts a comment. FIELD is a field of an `order.created` line (`order`, `lat`, `lon`, `zone`,
/// `pickup_hub` or `pickup_lat`/`pickup_lon`, `window_start`, `window_end`, `ready_at`, `service_min`, `tier`, `parcels`,
/// `kg`, `customer`, `contact`, `notes`). A time given as `HH:MM` is that time on the core's day; an unmapped `zone` is
/// the zone the drop point falls in. A value that does not fit is refused per row by the core's own check, with
/// the field and the reason.
public struct OrderMapping: Sendable {
    public enum Source: Sendable, Equatable {
        case column(String)
        case constant(String)
    }

    public var fields: [(field: String, source: Source)]

    static let numeric: Set<String> = ["lat", "lon", "pickup_lat", "pickup_lon", "service_min", "parcels", "kg"]
    static let times: Set<String> = ["window_start", "window_end", "promised_start", "promised_end", "ready_at"]
    /// Fields an order may go without: a row whose column is empty gives none (a parcel ready when booked).
    static let optional: Set<String> = ["promised_start", "promised_end", "ready_at"]
    static let known: Set<String> = numeric.union(times).union(["order", "pickup_hub", "zone", "tier", "customer", "contact", "notes"])

    public static func load(path: String) throws -> OrderMapping {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read the order mapping \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name: String) throws -> OrderMapping {
        var fields: [(String, Source)] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = raw.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#") else { continue }
            func fail(_ reason: String) -> ToolError { ToolError("\(name) line \(index + 1): \(reason)") }
            let parts = trimmed.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[1].isEmpty else { throw fail("expected FIELD = Column or FIELD = \"constant\"") }
            guard known.contains(parts[0]) else { throw fail("unknown field '\(TextSanitizer.clean(parts[0]))' (one of \(known.sorted().joined(separator: ", ")))") }
            guard !fields.contains(where: { $0.0 == parts[0] }) else { throw fail("\(parts[0]) is mapped twice") }
            let value = parts[1]
            let quoted = value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"")
            fields.append((parts[0], quoted ? .constant(String(value.dropFirst().dropLast())) : .column(value)))
        }
        guard fields.contains(where: { $0.0 == "order" }) else { throw ToolError("\(name): the order's id must be mapped (order = Column)") }
        return OrderMapping(fields: fields)
    }

    /// Each row of `csv` as the fields of an order (line numbers of the CSV), the rows that are not rows of the
    /// table (another number of fields, a quote never closed) apart with why, or why the file cannot be read at all.
    /// - Parameters:
    ///   - day: the core's day (its midnight) and UTC offset, for `HH:MM` times.
    ///   - world: for the zone a drop point falls in.
    public func orders(csv: String, day: Instant, world: World) throws
        -> (rows: [(line: Int, fields: [(String, JSONValue)])], rejected: [CSVTable.Rejected]) {
        let table = try CSVTable.parse(csv, file: "the CSV", comments: false, badRowsApart: true)
        var missing: [String] = []
        for case let .column(name) in fields.map(\.source) where table.column(name) == nil && !missing.contains(name) { missing.append(name) }
        guard missing.isEmpty else {
            throw ToolError("the CSV has no column \(missing.map { "'\(TextSanitizer.clean($0))'" }.joined(separator: ", ")) (its header: \(table.header.prefix(12).map(TextSanitizer.clean).joined(separator: ", ")))")
        }
        let rows = table.rows.map { row in
            var object: [(String, JSONValue)] = []
            for (field, source) in fields {
                let text: String
                switch source {
                case let .constant(value): text = value
                case let .column(name): text = table.column(name).map { $0 < row.fields.count ? row.fields[$0] : "" } ?? ""
                }
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty, Self.optional.contains(field) { continue }
                object.append((field, value(of: field, trimmed, day: day, offset: world.utcOffsetSeconds)))
            }
            return (row.line, Self.withDropZone(object, in: world))
        }
        return (rows, table.rejected)
    }

    /// An order's fields with the zone its drop point falls in added when they name none: an order system knows
    /// addresses, not the core's zones. A point in no zone stays without one, for the core's check to refuse.
    public static func withDropZone(_ fields: [(String, JSONValue)], in world: World) -> [(String, JSONValue)] {
        guard !fields.contains(where: { $0.0 == "zone" }), case let .number(lat)? = fields.first(where: { $0.0 == "lat" })?.1,
              case let .number(lon)? = fields.first(where: { $0.0 == "lon" })?.1,
              let zone = world.zone(containing: GeoPoint(lat: lat, lon: lon)) else { return fields }
        return fields + [("zone", .string(zone.id))]
    }

    /// A number where the field is one (a text that is not stays text, for the core's check to refuse by name); a
    /// `HH:MM` time on the core's day.
    private func value(of field: String, _ text: String, day: Instant, offset: Int) -> JSONValue {
        if Self.numeric.contains(field), let number = Double(text), number.isFinite { return .number(number) }
        if Self.times.contains(field), let second = ISOTime.parseClock(text) {
            return .string(ISOTime.format(day + Int64(second), offsetSeconds: offset))
        }
        return .string(text)
    }
}
