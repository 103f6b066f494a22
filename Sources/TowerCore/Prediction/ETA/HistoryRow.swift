import Foundation

/// One stop visit of the delivery history (the CSV `tower history` writes; documented in sample-data/README.md).
public struct HistoryRow: Sendable {
    public var line: Int
    public var order: String
    public var rider: String
    public var channel: String
    public var zone: String
    public var from: GeoPoint
    public var to: GeoPoint
    public var departedAt: Instant
    /// Empty in a file to predict.
    public var arrivedAt: Instant?
    public var completedAt: Instant?
    public var stopIndex: Int
    public var parcels: Int
    /// `delivered` or `failed`; empty when not known yet.
    public var outcome: String
    public var utcOffsetSeconds: Int
    /// When the customer's window opens (optional column `window_start`): a rider early at the door waits.
    public var windowStart: Instant?
    /// Optional columns written by `tower history`, not used by the model.
    public var windowEnd: Instant?
    public var tier: String?
    /// The traffic slowdown in force where the leg's midpoint lies when the rider left (optional column `slowdown`,
    /// 1 = free flow), as the core knew it from `traffic.incident` events; nil when not known.
    public var slowdown: Double? = nil
    /// The leg's travel seconds without noise, when the history was made with known effects (optional column
    /// `travel_noise_free_s`, written by `tower eta synth` and `tower history`): what a perfect model would predict.
    /// Never a feature.
    public var noiseFreeTravel: Double? = nil

    /// The row as a line of the history CSV (`HistoryRecorder.header`).
    public var csvLine: String {
        let time = { (instant: Instant) in ISOTime.format(instant, offsetSeconds: utcOffsetSeconds) }
        let coordinate = { (value: Double) in String(format: "%.6f", value) }
        return [order, rider, channel, zone, coordinate(from.lat), coordinate(from.lon), coordinate(to.lat), coordinate(to.lon),
                time(departedAt), arrivedAt.map(time) ?? "", completedAt.map(time) ?? "", String(stopIndex), String(parcels), outcome,
                String(ISOTime.weekday(completedAt ?? departedAt, offsetSeconds: utcOffsetSeconds)), tier ?? "",
                windowStart.map(time) ?? "", windowEnd.map(time) ?? "", slowdown.map(formatNumber) ?? ""].joined(separator: ",")
    }

    /// The row as a line of a history that knows its noise (`headerWithNoiseFree`): `csvLine` and the noise-free
    /// travel seconds (empty when not known).
    public var csvLineWithNoiseFree: String { csvLine + "," + (noiseFreeTravel.map { String(format: "%.1f", $0) } ?? "") }

    /// The header of a history that knows its noise: `tower history`'s and `tower eta synth`'s.
    public static let headerWithNoiseFree = HistoryRecorder.header + "," + noiseFreeColumn

    /// Seconds from departure to the door, when known.
    public var travelSeconds: Double? { arrivedAt.map { Double($0 - departedAt) } }
    /// When the row's times are known to a live core: at the end of its delivery attempt (the core learns a leg from
    /// that event, `OnlineETA`), else at its arrival; a row with neither has nothing to wait for.
    public var knownAt: Instant { completedAt ?? arrivedAt ?? departedAt }
    /// Seconds of service at the door, when known: from arrival, or from the window's opening when the rider came
    /// early and waited, to completion.
    public var dwellSeconds: Double? {
        guard let arrivedAt, let completedAt else { return nil }
        return Double(max(0, completedAt - max(arrivedAt, windowStart ?? arrivedAt)))
    }

    /// The optional column of the noise-free travel seconds (`noiseFreeTravel`).
    public static let noiseFreeColumn = "travel_noise_free_s"

    public static let requiredColumns = ["order_id", "rider_id", "channel", "zone", "from_lat", "from_lon", "lat", "lon", "departed_at",
                                         "arrived_at", "completed_at", "stop_index", "parcels", "outcome"]
}

/// Reads a history CSV. Each bad row is reported with its line, column and reason and left out; a file where
/// most rows are bad is refused, since a model trained on the rest would be trained on a misunderstanding.
public enum HistoryReader {
    /// The longest leg a row may have: six hours (the longest a leg may take) at 50 km/h.
    static let maxLegKm = 300.0

    public struct Result: Sendable {
        public var rows: [HistoryRow]
        public var errors: [String]
    }

    public static func read(path: String, requireTimes: Bool) throws -> Result {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read \(path)") }
        // A record cut short (a copy interrupted, a hand edit) is a bad row like any other, not a bad file.
        let table = try CSVTable.parse(String(decoding: data, as: UTF8.self), file: path, badRowsApart: true)
        try table.require(HistoryRow.requiredColumns, file: path)
        var rows: [HistoryRow] = []
        var bad = table.rejected.map { (line: $0.line, why: $0.reason) }
        for record in table.rows {
            do {
                rows.append(try row(record, table: table, requireTimes: requireTimes))
            } catch {
                bad.append((record.line, "\(error)"))
            }
        }
        let errors = bad.sorted { $0.line < $1.line }.map { "\(path) line \($0.line), \($0.why)" }
        let records = table.rows.count + table.rejected.count
        if rows.isEmpty || errors.count * 2 > records {
            let first = errors.prefix(3).joined(separator: "; ")
            throw ToolError("\(path): \(errors.count) of \(records) rows are bad, too many to learn from\(first.isEmpty ? "" : ": " + first)")
        }
        return Result(rows: rows, errors: errors)
    }

    private static func row(_ record: CSVTable.Row, table: CSVTable, requireTimes: Bool) throws(ToolError) -> HistoryRow {
        func field(_ name: String) -> String {
            let index = table.column(name)!
            return index < record.fields.count ? record.fields[index].trimmingSpaces : ""
        }
        let noiseFreeColumn = HistoryRow.noiseFreeColumn
        func fail(_ name: String, _ reason: String) -> ToolError { ToolError("column \(name): \(reason)") }
        func text(_ name: String) throws(ToolError) -> String {
            let value = field(name)
            guard !value.isEmpty else { throw fail(name, "empty") }
            return value
        }
        func number(_ name: String, _ range: ClosedRange<Double>) throws(ToolError) -> Double {
            let raw = field(name)
            guard let value = Double(raw), value.isFinite else { throw fail(name, "expected a number, got \"\(TextSanitizer.clean(raw))\"") }
            guard range.contains(value) else { throw fail(name, "\(raw) is outside \(formatNumber(range.lowerBound))…\(formatNumber(range.upperBound))") }
            return value
        }
        func time(_ name: String, optional: Bool) throws(ToolError) -> (Instant, Int)? {
            let raw = field(name)
            if raw.isEmpty, optional { return nil }
            // A time written without an offset (as many exports write them) is the city's clock as written, taken at
            // +00:00: the model reads a leg's local hour, weekday and day, which it then gives as they are written.
            guard let parsed = ISOTime.parse(raw) ?? ISOTime.parse(raw + "Z") else {
                throw fail(name, "expected an ISO 8601 time (2027-05-03T08:15:00-03:00, or the city's clock as 2027-05-03T08:15:00), got \"\(TextSanitizer.clean(raw))\"")
            }
            return parsed
        }
        let channel = try text("channel")
        guard ["own", "3pl", "gig"].contains(channel) else { throw fail("channel", "expected own, 3pl or gig, got \"\(TextSanitizer.clean(channel))\"") }
        let outcome = field("outcome")
        guard ["delivered", "failed", ""].contains(outcome) else { throw fail("outcome", "expected delivered or failed, got \"\(TextSanitizer.clean(outcome))\"") }
        let departed = try time("departed_at", optional: false)!
        let arrived = try time("arrived_at", optional: !requireTimes)
        let completed = try time("completed_at", optional: !requireTimes)
        if let arrived, arrived.0 < departed.0 { throw fail("arrived_at", "before departed_at") }
        if let arrived, let completed, completed.0 < arrived.0 { throw fail("completed_at", "before arrived_at") }
        if let arrived, arrived.0 - departed.0 > 6 * 3600 { throw fail("arrived_at", "more than 6 hours after departed_at") }
        let from = GeoPoint(lat: try number("from_lat", -90...90), lon: try number("from_lon", -180...180))
        let to = GeoPoint(lat: try number("lat", -90...90), lon: try number("lon", -180...180))
        // A leg no delivery drives (a position fix gone wrong: 0,0, a sign lost) would teach the model a speed.
        let km = from.distanceKm(to: to)
        if km > maxLegKm { throw fail("lat", "the leg is \(Int(km)) km long, more than a delivery leg (at most \(Int(maxLegKm)) km)") }
        return HistoryRow(line: record.line, order: try text("order_id"), rider: try text("rider_id"), channel: channel, zone: try text("zone"),
                          from: from, to: to,
                          departedAt: departed.0, arrivedAt: arrived?.0, completedAt: completed?.0,
                          stopIndex: Int(try number("stop_index", 0...10_000)), parcels: Int(try number("parcels", 0...10_000)),
                          outcome: outcome, utcOffsetSeconds: departed.1,
                          windowStart: table.column("window_start") == nil ? nil : try time("window_start", optional: true)?.0,
                          slowdown: table.column("slowdown") == nil || field("slowdown").isEmpty ? nil : try number("slowdown", 0.01...1),
                          noiseFreeTravel: table.column(noiseFreeColumn) == nil || field(noiseFreeColumn).isEmpty ? nil
                              : try number(noiseFreeColumn, 0...6 * 3600))
    }
}
