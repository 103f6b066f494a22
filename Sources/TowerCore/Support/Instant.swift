/// A moment in time: whole seconds since the Unix epoch.
///
/// Tower works in seconds; sub-second precision in a feed is accepted and dropped.
public struct Instant: Comparable, Hashable, Sendable, CustomStringConvertible {
    public var seconds: Int64

    public init(seconds: Int64) { self.seconds = seconds }

    public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.seconds < rhs.seconds }
    public static func + (lhs: Instant, rhs: Int64) -> Instant { Instant(seconds: lhs.seconds + rhs) }
    public static func - (lhs: Instant, rhs: Int64) -> Instant { Instant(seconds: lhs.seconds - rhs) }
    public static func - (lhs: Instant, rhs: Instant) -> Int64 { lhs.seconds - rhs.seconds }

    public var description: String { ISOTime.format(self, offsetSeconds: 0) }
}

/// An instant in `Codable` state (a checkpoint) is its seconds, a plain number.
extension Instant: Codable {
    public init(from decoder: any Decoder) throws { seconds = try decoder.singleValueContainer().decode(Int64.self) }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(seconds)
    }
}

/// Parsing and formatting of ISO 8601 / RFC 3339 date-times, by hand for speed and exact errors.
public enum ISOTime {
    /// Parses `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`. Returns the instant and the offset it was written in.
    public static func parse(_ text: String) -> (instant: Instant, offsetSeconds: Int)? {
        // The bytes are read in place, not copied (every line of a journal has a time or two).
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    private static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> (instant: Instant, offsetSeconds: Int)? {
        guard b.count >= 20 else { return nil }
        func digits(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<(from + count) {
                guard i < b.count, b[i] >= 48, b[i] <= 57 else { return nil }
                value = value * 10 + Int(b[i] - 48)
            }
            return value
        }
        guard let year = digits(0, 4), b[4] == 45, let month = digits(5, 2), b[7] == 45, let day = digits(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " "),
              let hour = digits(11, 2), b[13] == 58, let minute = digits(14, 2), b[16] == 58, let second = digits(17, 2)
        else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        var i = 19
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            guard let oh = digits(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = digits(i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let local = Int64(days) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        return (Instant(seconds: local - Int64(offset)), offset)
    }

    /// Formats an instant in the given UTC offset, e.g. `2026-11-17T10:00:00-03:00`.
    public static func format(_ instant: Instant, offsetSeconds: Int) -> String {
        let local = instant.seconds + Int64(offsetSeconds)
        let days = Int(floorDiv(local, 86400))
        let secondOfDay = Int(local - Int64(days) * 86400)
        let (year, month, day) = civilFromDays(days)
        // Written digit by digit: every journal line has a time, so this is on the hot path of ingestion.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(25)
        func digits(_ value: Int, _ width: Int) {
            guard value >= 0, value < 10_000 else { bytes += Array(pad(value, width).utf8); return }
            var divisor = 1, count = 1
            while divisor * 10 <= value { divisor *= 10; count += 1 }
            for _ in count..<max(count, width) { divisor *= 10 }  // leading zeros
            while divisor > 0 { bytes.append(UInt8(ascii: "0") + UInt8(value / divisor % 10)); divisor /= 10 }
        }
        digits(year, 4); bytes.append(UInt8(ascii: "-")); digits(month, 2); bytes.append(UInt8(ascii: "-")); digits(day, 2)
        bytes.append(UInt8(ascii: "T"))
        digits(secondOfDay / 3600, 2); bytes.append(UInt8(ascii: ":")); digits(secondOfDay / 60 % 60, 2); bytes.append(UInt8(ascii: ":"))
        digits(secondOfDay % 60, 2)
        if offsetSeconds == 0 {
            bytes.append(UInt8(ascii: "Z"))
        } else {
            let magnitude = abs(offsetSeconds)
            bytes.append(UInt8(ascii: offsetSeconds < 0 ? "-" : "+"))
            digits(magnitude / 3600, 2); bytes.append(UInt8(ascii: ":")); digits(magnitude / 60 % 60, 2)
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `HH:MM` of an instant in the given offset.
    public static func clock(_ instant: Instant, offsetSeconds: Int) -> String {
        clockText(secondOfDay(instant, offsetSeconds: offsetSeconds))
    }

    /// `HH:MM` of a second of the day (`24:00` for the day's end): the inverse of `parseClock`.
    public static func clockText(_ secondOfDay: Int) -> String {
        pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2)
    }

    public static func secondOfDay(_ instant: Instant, offsetSeconds: Int) -> Int {
        let local = instant.seconds + Int64(offsetSeconds)
        return Int(local - floorDiv(local, 86400) * 86400)
    }

    /// Midnight (local) of the day that holds `instant`.
    public static func startOfDay(_ instant: Instant, offsetSeconds: Int) -> Instant {
        Instant(seconds: instant.seconds - Int64(secondOfDay(instant, offsetSeconds: offsetSeconds)))
    }

    /// Parses `HH:MM` (or `HH:MM:SS`) into seconds after midnight; `24:00` is allowed as the day's end.
    public static func parseClock(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
              let h = Int(parts[0]), let m = Int(parts[1]), let s = parts.count == 3 ? Int(parts[2]) : 0,
              (0...24).contains(h), (0..<60).contains(m), (0..<60).contains(s), h < 24 || (m == 0 && s == 0)
        else { return nil }
        return h * 3600 + m * 60 + s
    }

    /// The local day that holds an instant in the given offset, as days since 1970-01-01.
    public static func day(_ instant: Instant, offsetSeconds: Int) -> Int {
        Int(floorDiv(instant.seconds + Int64(offsetSeconds), 86400))
    }

    /// Weekday of an instant in the given offset, 0 = Monday … 6 = Sunday.
    public static func weekday(_ instant: Instant, offsetSeconds: Int) -> Int {
        (day(instant, offsetSeconds: offsetSeconds) % 7 + 7 + 3) % 7
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    private static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-date algorithms.
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    private static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
