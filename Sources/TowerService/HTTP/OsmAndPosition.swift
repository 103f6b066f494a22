import Foundation
import TowerCore

/// A position from a driver's phone in the OsmAnd protocol, as the Traccar Client apps send it: the query or form
/// variant (any method; `id` or `deviceid`, `lat` and `lon` or `location=lat,lon`, `timestamp` in epoch seconds,
/// milliseconds, ISO 8601, or `YYYY-MM-DD HH:MM:SS` without an offset, read in the city's, as Traccar reads it in
/// its server's; `speed` in knots, `bearing`, `accuracy`, `batt`) or the JSON variant (`Content-Type:
/// application/json`: `device_id`, a string or a whole number, `location.coords.latitude/longitude`,
/// `location.timestamp` as ISO 8601 or epoch seconds or milliseconds, speed in m/s).
public struct OsmAndPosition: Equatable, Sendable {
    public var device: String
    public var point: GeoPoint
    /// When the phone took it; nil when it did not say (the server's time is used).
    public var time: Instant?
    /// Metres per second, when given.
    public var speed: Double?

    /// Why a request is not a position: the status to answer (400: no device id or a broken field) and the reason.
    public struct Refusal: Error, Equatable, Sendable {
        public var status: Int
        public var reason: String
    }

    /// - Parameter localOffsetSeconds: the city's UTC offset, for a timestamp written without one.
    public static func parse(_ request: HTTPRequest, localOffsetSeconds: Int = 0) throws(Refusal) -> OsmAndPosition {
        if request.header("content-type")?.lowercased().hasPrefix("application/json") == true {
            return try json(request.body, localOffsetSeconds: localOffsetSeconds)
        }
        var fields = request.query
        if fields.isEmpty, let body = String(validating: request.body, as: UTF8.self) { fields = HTTPRequest.form(Substring(body)) }
        guard let device = (fields["id"] ?? fields["deviceid"]).flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw Refusal(status: 400, reason: "no device id (id or deviceid)")
        }
        let latitude: Double, longitude: Double
        if let location = fields["location"] {
            let parts = location.split(separator: ",")
            guard parts.count == 2, let lat = Double(parts[0]), let lon = Double(parts[1]) else {
                throw Refusal(status: 400, reason: "location is not lat,lon")
            }
            (latitude, longitude) = (lat, lon)
        } else {
            guard let lat = fields["lat"].flatMap(Double.init), let lon = fields["lon"].flatMap(Double.init) else {
                throw Refusal(status: 400, reason: "no position: lat and lon, or location=lat,lon")
            }
            (latitude, longitude) = (lat, lon)
        }
        let knots = try fields["speed"].map { text throws(Refusal) -> Double in
            guard let value = Double(text), value.isFinite, value >= 0 else { throw Refusal(status: 400, reason: "speed is not a number of knots") }
            return value
        }
        return OsmAndPosition(device: device, point: try point(latitude, longitude), time: try time(fields["timestamp"], localOffsetSeconds),
                              speed: knots.map { $0 / 1.943844 })
    }

    private static func json(_ body: [UInt8], localOffsetSeconds: Int) throws(Refusal) -> OsmAndPosition {
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch { throw Refusal(status: 400, reason: "the body is not JSON: \(error)") }
        let device: String
        switch value["device_id"] {
        case let .string(text)? where !text.isEmpty: device = text
        case let .number(number)? where number >= 0 && number < 1e15 && number == number.rounded(): device = String(Int64(number))
        case nil: throw Refusal(status: 400, reason: "no device_id")
        default: throw Refusal(status: 400, reason: "device_id is not a string or a whole number")
        }
        let coords = value["location"]?["coords"]
        guard case let .number(latitude)? = coords?["latitude"], case let .number(longitude)? = coords?["longitude"] else {
            throw Refusal(status: 400, reason: "no location.coords.latitude and longitude")
        }
        let time: Instant?
        switch value["location"]?["timestamp"] {
        case let .string(text)?: time = try Self.time(text, localOffsetSeconds)
        case let .number(number)? where number >= 0: time = try epoch(number, written: String(number))
        case .number?: throw Refusal(status: 400, reason: "location.timestamp is negative")
        default: time = nil
        }
        var speed: Double?
        if case let .number(metres)? = coords?["speed"], metres.isFinite, metres >= 0 { speed = metres }
        return OsmAndPosition(device: device, point: try point(latitude, longitude), time: time, speed: speed)
    }

    private static func point(_ latitude: Double, _ longitude: Double) throws(Refusal) -> GeoPoint {
        guard latitude.isFinite, longitude.isFinite, (-90...90).contains(latitude), (-180...180).contains(longitude) else {
            throw Refusal(status: 400, reason: "lat \(latitude), lon \(longitude) is not a place on Earth")
        }
        return GeoPoint(lat: latitude, lon: longitude)
    }

    /// Epoch seconds, epoch milliseconds (values of 2^31 and more), ISO 8601, or a date and time without an offset
    /// (in `localOffsetSeconds`).
    private static func time(_ text: String?, _ localOffsetSeconds: Int) throws(Refusal) -> Instant? {
        guard let text, !text.isEmpty else { return nil }
        if let number = Double(text), number.isFinite, number >= 0 { return try epoch(number, written: text) }
        if let parsed = ISOTime.parse(text) { return parsed.instant }
        if text.utf8.count == 19, let parsed = ISOTime.parse(text + "Z") { return parsed.instant - Int64(localOffsetSeconds) }
        throw Refusal(status: 400, reason: "timestamp '\(TextSanitizer.clean(String(text.prefix(40))))' is not epoch seconds, milliseconds, ISO 8601 or YYYY-MM-DD HH:MM:SS")
    }

    /// Epoch seconds, or milliseconds for values of 2^31 and more; `written`: the number as the phone sent it.
    private static func epoch(_ number: Double, written: String) throws(Refusal) -> Instant {
        let seconds = number >= 2_147_483_648 ? number / 1000 : number
        // Past the year 5000 is no phone's clock (and would not fit the core's time); infinity is past it too.
        guard seconds < 1e11 else { throw Refusal(status: 400, reason: "timestamp \(TextSanitizer.clean(String(written.prefix(40)))) is not a time a phone could send") }
        return Instant(seconds: Int64(seconds))
    }
}
