import Foundation
import TowerCore

/// Everything a frame shows, taken from the core at one moment. Views read only this.
public struct BoardSnapshot: Sendable {
    public var world: World
    public var outlook: Outlook
    public var now: Instant
    /// Where events come from, e.g. `sim seed 1` or `feed orders.jsonl`.
    public var source: String
    public var deadLetters: Int
    /// Notable events, newest first, as plain text (the screen buffer strips anything unsafe).
    public var recent: [String]
    public var wallClock: String
    /// The policy's cost limit: approvals above it are confirmed first.
    public var costLimit: Double
    /// The KPIs now, and sampled through the day (oldest first).
    public var kpis: KPISample?
    public var trend: [KPISample] = []
    /// The story caption to show (the demo's), made by the core from the day's events.
    public var caption: String?
    /// The learned ETA model's running accuracy, when the core runs one.
    public var learnedETA: ETAFigures?

    public init(world: World, outlook: Outlook, now: Instant, source: String, deadLetters: Int, recent: [String], wallClock: String,
                costLimit: Double = Policy.standard.costLimit) {
        self.world = world; self.outlook = outlook; self.now = now; self.source = source
        self.deadLetters = deadLetters; self.recent = recent; self.wallClock = wallClock; self.costLimit = costLimit
    }
}

/// Small text formats shared by the views.
enum Format {
    static func clock(_ instant: Instant, _ world: World) -> String { ISOTime.clock(instant, offsetSeconds: world.utcOffsetSeconds) }

    static func clockSeconds(_ instant: Instant, _ world: World) -> String {
        let second = ISOTime.secondOfDay(instant, offsetSeconds: world.utcOffsetSeconds)
        return ISOTime.clock(instant, offsetSeconds: world.utcOffsetSeconds) + ":" + two(second % 60)
    }

    static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// The day an instant falls on where the city is, e.g. `Tue 17 Nov`: a board run on another day than today
    /// (`--date`, a journal replayed) says which.
    static func day(_ instant: Instant, _ world: World) -> String {
        let date = ISOTime.format(instant, offsetSeconds: world.utcOffsetSeconds).utf8.prefix(10).split(separator: UInt8(ascii: "-"))
        let weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard date.count == 3, let month = Int(String(decoding: date[1], as: UTF8.self)), (1...12).contains(month),
              let day = Int(String(decoding: date[2], as: UTF8.self)) else { return "" }
        return "\(weekdays[ISOTime.weekday(instant, offsetSeconds: world.utcOffsetSeconds)]) \(day) \(months[month - 1])"
    }

    /// A count with its noun: `1 stop`, `3 stops`.
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    /// Signed minutes, e.g. `+12m`, `-3m`.
    static func minutes(_ seconds: Int64) -> String {
        let minutes = Int((Double(seconds) / 60).rounded())
        return (minutes > 0 ? "+" : "") + "\(minutes)m"
    }

    static func percent(_ part: Int, _ whole: Int) -> String {
        whole == 0 ? "–" : String(format: "%.1f%%", Double(part) / Double(whole) * 100)
    }

    /// A probability in whole percent, rounded down: "100%" only for a certainty, so it ranks as the list does.
    static func chance(_ p: Double) -> String { "\(Int((p * 100 + 1e-9).rounded(.down)))%" }

    static func pad(_ text: String, _ width: Int) -> String {
        let columns = CharacterWidth.of(text)
        return columns >= width ? text : text + String(repeating: " ", count: width - columns)
    }

    static func channel(_ channel: Channel) -> String {
        switch channel {
        case .own: return "own"
        case .thirdParty: return "3pl"
        case .gig: return "gig"
        }
    }

    static func vehicle(_ vehicle: Vehicle) -> String {
        switch vehicle {
        case .bicycle: return "bike"
        case .motorbike: return "moto"
        case .car: return "car"
        case .van: return "van"
        }
    }

    static func tier(_ tier: Tier) -> String {
        switch tier {
        case .standard: return "std"
        case .express: return "exp"
        case .critical: return "CRIT"
        }
    }
}
