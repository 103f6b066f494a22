import Foundation
import TowerCore

/// The parts of the day report a manager reads first: what day it was, how it went in a paragraph, every order
/// accounted for, each channel, each zone on a map, and what was done about the exceptions, in words.
enum ReportStory {
    /// `rio-weekday, Tuesday 17 November 2026, continuous-auto`.
    static func heading(_ day: DayReport) -> String {
        var parts = [day.world.name]
        if let date = date(day) { parts.append(date) }
        parts.append(day.world.policyName.isEmpty ? "policy not recorded" : "policy \(day.world.policyName)")
        return parts.joined(separator: ", ")
    }

    static func date(_ day: DayReport) -> String? {
        guard let first = day.firstEvent else { return nil }
        let local = Date(timeIntervalSince1970: TimeInterval(first.seconds + Int64(day.world.utcOffsetSeconds)))
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEEE d MMMM yyyy"
        return formatter.string(from: local)
    }

    /// What became of every order, the classes adding up to all of them.
    struct Accounting {
        var onTime = 0, late = 0, lateMoved = 0, failed = 0, cancelled = 0, unassigned = 0, underway = 0
        var total: Int { onTime + late + failed + cancelled + unassigned + underway }
    }

    static func accounting(_ world: World) -> Accounting {
        var a = Accounting()
        for order in world.orders.values {
            switch order.status {
            case .delivered:
                if let done = order.completedAt, order.isLate(deliveredAt: done) {
                    a.late += 1
                    if order.window != order.booked { a.lateMoved += 1 }
                } else {
                    a.onTime += 1
                }
            case .failed: a.failed += 1
            case .cancelled: a.cancelled += 1
            case .open where order.rider == nil: a.unassigned += 1
            case .open, .assigned, .pickedUp: a.underway += 1
            }
        }
        return a
    }

    /// The day in a paragraph, against the windows customers booked and the 06:00 plan.
    static func summary(_ day: DayReport) -> String {
        let run = day.run, a = accounting(day.world)
        let unit = day.world.costUnit
        var text = "Of \(a.total) orders, \(a.onTime) were delivered inside the window the customer booked "
            + (run.promises.decided > 0 ? "(\(ReportFigures.percent(run.promises.keptRate)) of promises kept)" : "(no promise decided yet)")
            + " and \(a.late) late"
        text += a.lateMoved > 0 ? " (\(a.lateMoved) of them in a window the core moved, with notice to the customer)" : ""
        text += "; \(a.failed) failed at the door, \(a.cancelled) were cancelled"
        if a.unassigned + a.underway > 0 { text += ", and \(a.unassigned + a.underway) were not delivered when the journal ends" }
        text += run.plannedDeliveries > 0 ? ". Against the 06:00 plan, \(ReportFigures.percent(run.planVariance)) of its deliveries were made by another rider. " : ". "
        let raised = run.exceptions["raised"] ?? 0, auto = run.exceptions["auto_resolved"] ?? 0, escalated = run.exceptions["escalated"] ?? 0
        text += "Of \(raised) exceptions the core resolved \(auto) itself and put \(escalated) before a person"
        let defaulted = run.exceptions["defaulted"] ?? 0
        text += defaulted > 0 ? " (\(defaulted) of them decided by the policy's default when no one answered). " : ". "
        guard run.attempted > 0 else { return text + "No delivery was attempted yet." }
        text += "First attempts succeeded \(ReportFigures.percent(run.firstAttemptRate)) of the time, "
        guard let cost = run.costPerDelivery(nil) else { return text + "no delivery was made yet." }
        text += "the last ETA given was within 10 minutes \(ReportFigures.percent(run.etaAccuracyRate)) of the time, and "
        text += "a delivery cost \(ReportFigures.money(cost)) \(unit) on average."
        return text
    }

    static func accountingTable(_ days: [DayReport]) -> String {
        let rows: [(String, (Accounting) -> Int)] = [
            ("delivered on time (the booked window)", { $0.onTime }), ("delivered late", { $0.late }),
            ("  of them in a window the core moved", { $0.lateMoved }), ("failed at the door", { $0.failed }),
            ("cancelled", { $0.cancelled }), ("never given a rider", { $0.unassigned }),
            ("on a route when the journal ends", { $0.underway }), ("all orders", { $0.total }),
        ]
        let counts = days.map { accounting($0.world) }
        var html = "<table><tr><th></th>" + days.map { "<th>\(SVG.escape(ReportFigures.label($0)))</th>" }.joined() + "</tr>\n"
        for (title, value) in rows {
            html += "<tr><td>\(SVG.escape(title))</td>" + counts.map { "<td>\(value($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// Deliveries, on-time rate and cost per delivery by the channel of the rider who delivered.
    /// Deliveries and those inside their booked window, grouped by `key` (deliveries it gives no key are left out).
    static func deliveries<Key: Hashable>(_ world: World, by key: (Order) -> Key?) -> (delivered: [Key: Int], onTime: [Key: Int]) {
        var delivered: [Key: Int] = [:], onTime: [Key: Int] = [:]
        for order in world.orders.values where order.status == .delivered {
            guard let group = key(order), let done = order.completedAt else { continue }
            delivered[group, default: 0] += 1
            if !order.isLate(deliveredAt: done) { onTime[group, default: 0] += 1 }
        }
        return (delivered, onTime)
    }

    static func channelTable(_ day: DayReport) -> String {
        let (delivered, onTime) = deliveries(day.world) { order in order.rider.flatMap { day.world.riders[$0]?.profile.channel } }
        var html = "<table><tr><th>channel</th><th>deliveries</th><th>on time</th><th>cost per delivery (\(SVG.escape(day.world.costUnit)))</th></tr>\n"
        for channel in Channel.allCases {
            let count = delivered[channel] ?? 0
            let rate = count == 0 ? "—" : ReportFigures.percent(Double(onTime[channel] ?? 0) / Double(count))
            let cost = day.run.costPerDelivery(channel).map(ReportFigures.money) ?? "—"
            html += "<tr><td>\(SVG.escape(channel.rawValue))</td><td>\(count)</td><td>\(rate)</td><td>\(cost)</td></tr>\n"
        }
        return html + "</table>\n"
    }

    /// The zones drawn where they lie, each filled by its on-time rate (deliveries into it against their booked
    /// windows) and labelled with the rate and the count; a zone with no delivery is grey and says so.
    static func zoneMap(_ day: DayReport) -> String {
        let zones = day.world.zoneList
        guard let south = zones.map(\.area.south).min(), let north = zones.map(\.area.north).max(),
              let west = zones.map(\.area.west).min(), let east = zones.map(\.area.east).max(), north > south, east > west else { return "" }
        let (delivered, onTime) = deliveries(day.world) { $0.zone }
        // Equirectangular, with longitude shrunk by the cosine of the latitude so the city keeps its shape.
        let aspect = (east - west) * cos((south + north) / 2 * .pi / 180) / (north - south)
        let drawnWidth = 760.0, drawnHeight = min(560.0, max(220.0, drawnWidth / max(aspect, 0.1)))
        var svg = SVG(width: Int(drawnWidth) + 20, height: Int(drawnHeight) + 20)
        func x(_ lon: Double) -> Double { 10 + (lon - west) / (east - west) * drawnWidth }
        func y(_ lat: Double) -> Double { 10 + (north - lat) / (north - south) * drawnHeight }
        for zone in zones {
            let count = delivered[zone.id] ?? 0
            let rate = count == 0 ? nil : Double(onTime[zone.id] ?? 0) / Double(count)
            let fill = rate.map(color(onTimeRate:)) ?? "#dddddd"
            let (x0, x1, y0, y1) = (x(zone.area.west), x(zone.area.east), y(zone.area.north), y(zone.area.south))
            svg.rect(x0, y0, x1 - x0, y1 - y0, fill: fill, stroke: "#ffffff")
            let label = rate.map { "\(ReportFigures.percent($0)) of \(count)" } ?? "no deliveries"
            svg.text((x0 + x1) / 2, (y0 + y1) / 2 - 2, zone.name, size: 12, anchor: "middle", fill: "#111")
            svg.text((x0 + x1) / 2, (y0 + y1) / 2 + 13, label, size: 11, anchor: "middle", fill: "#111")
        }
        return svg.markup + "\n<p class=\"muted\">Each zone's colour: its on-time rate against the booked windows "
            + "(green 95% and above, amber 85%, red 70% and below); grey: no delivery into it.</p>\n"
    }

    /// Green at 95% and above, through amber at 85%, to red at 70% and below.
    static func color(onTimeRate rate: Double) -> String {
        let t = max(0, min(1, (rate - 0.70) / 0.25))
        let (r, g, b): (Double, Double, Double) = t < 0.6
            ? (214 + (224 - 214) * t / 0.6, 39 + (155 - 39) * t / 0.6, 40 + (0 - 40) * t / 0.6)
            : (224 + (42 - 224) * (t - 0.6) / 0.4, 155 + (157 - 155) * (t - 0.6) / 0.4, 0 + (75 - 0) * (t - 0.6) / 0.4)
        return String(format: "#%02x%02x%02x", Int(r), Int(g), Int(b))
    }

    /// Each rider's day in figures, what the lanes chart draws (its points' details are only in hover there): the
    /// 06:00 plan's deliveries, of them done by the rider and by another, done beyond the plan, late, attempts failed, km,
    /// time busy.
    static func riderTable(_ day: DayReport) -> String {
        var html = "<table><tr><th>rider</th><th>channel</th><th>planned at 06:00</th><th>done by it</th><th>done by another</th>"
            + "<th>beyond the plan</th><th>late</th><th>attempts failed</th><th>km</th><th>busy</th></tr>\n"
        for r in day.riders where !r.planned.isEmpty || r.delivered > 0 || r.failed > 0 {
            let kept = r.planned.filter { $0.deliveredBy == r.id }.count
            let moved = r.planned.filter { $0.deliveredBy != nil && $0.deliveredBy != r.id }.count
            let cells = [r.id, r.channel.rawValue, "\(r.planned.count)", "\(kept)", "\(moved)", "\(r.added.count)", "\(r.late)", "\(r.failed)",
                         String(format: "%.0f", r.km), ReportFigures.percent(r.utilisation)]
            html += "<tr>" + cells.map { "<td>\(SVG.escape($0))</td>" }.joined() + "</tr>\n"
        }
        return html + "</table>\n"
    }

    /// What the core and people did about the exceptions, in words: the actions the core took itself, by kind,
    /// and each decision a person or a deadline made, with what the chosen option did.
    static func exceptionsInWords(_ day: DayReport) -> String {
        var actions: [ActionKind: Int] = [:]
        for exception in day.world.exceptions.values where exception.state == .autoResolved {
            if let remedy = exception.resolution?.remedy { actions[remedy.kind, default: 0] += 1 }
        }
        let phrases: [(ActionKind, String)] = [
            (.reassign, "moved an order to another rider of its channel"), (.handoff, "handed an order to another channel"),
            (.makeRoom, "made room for a waiting order by moving another to a second rider"),
            (.reassignAll, "moved all of a rider's orders to others"), (.resequence, "changed the order of a rider's stops"),
            (.retry, "tried a failed delivery again within its window"),
            (.nextSlot, "moved a delivery to the next slot and told the customer"), (.notify, "told a customer of a delay"),
            (.notifyLate, "told a rider's customers of a delay"), (.askRider, "asked a rider what is wrong"),
            (.returnToHub, "sent a parcel back to the hub"), (.handoffZone, "handed a zone's waiting orders to another channel"),
            (.none, "found nothing worth doing and kept watching"),
        ]
        let said = phrases.compactMap { kind, phrase in actions[kind].map { "\(phrase) \($0) time\($0 == 1 ? "" : "s")" } }
        var html = "<p>" + (said.isEmpty ? "The core resolved no case itself." : "By itself, under the policy, the core " + said.joined(separator: "; ") + ".") + "</p>\n"
        let decided = day.world.exceptions.values.filter { [.approved, .rejected, .defaulted].contains($0.state) }.sorted { $0.id < $1.id }
        guard !decided.isEmpty else { return html + "<p>No case needed a person's decision.</p>\n" }
        html += "<ul>\n"
        let offset = day.world.utcOffsetSeconds
        for exception in decided {
            let when = exception.resolvedAt.map { ISOTime.clock($0, offsetSeconds: offset) } ?? "?"
            let what = (exception.resolution ?? .action(.none)).words
            let who: String
            switch exception.state {
            case .approved: who = "\(exception.decidedBy ?? "a supervisor") approved"
            case .rejected: who = "\(exception.decidedBy ?? "a supervisor") rejected the options:"
            default: who = "no one decided by the deadline, so the policy's default was taken:"
            }
            html += "<li>\(when) \(SVG.escape(exception.id)), \(exception.kind.words) "
                + "about \(SVG.escape(exception.subject)) (\(SVG.escape(exception.detail))): \(SVG.escape(who)) \(SVG.escape(what)).</li>\n"
        }
        return html + "</ul>\n"
    }
}
