import Foundation
import TowerCore

/// What the API answers from the core's state: an order's status and ETA range, a rider's route, `/healthz` and
/// `/metrics`.
extension CoreAPI {
    /// Answered at once, never waiting for the journal: it is how a monitor learns that a sync hangs.
    func health() -> HTTPResponse {
        var response = healthCheck()
        response.waitsForJournal = false
        return response
    }

    private func healthCheck() -> HTTPResponse {
        if let halted = session.engine.halted { return HTTPResponse.json(503, ["status": "down", "reason": halted.message]) }
        if let failure = commits.failure { return HTTPResponse.json(503, ["status": "down", "reason": failure]) }
        let waiting = commits.oldestWaiting, last = commits.syncs.last
        if max(waiting, last) > Self.slowAfter {
            let reason = waiting > last ? String(format: "a sync of the journal has been waiting %.1f s", waiting) : String(format: "the journal's last sync took %.1f s", last)
            return HTTPResponse.json(503, ["status": "slow", "reason": reason])
        }
        if lastPass > Self.slowAfter {
            return HTTPResponse.json(503, ["status": "stalled", "reason": String(format: "the core's last pass took %.1f s: inputs waited that long", lastPass)])
        }
        if let problem = ingestion.deadLetterProblem ?? session.source.ingestionProblem {
            return HTTPResponse.json(503, ["status": "degraded", "reason": "refused inputs cannot be kept: \(problem)"])
        }
        return HTTPResponse.json(200, ["status": "ok", "journal_events": "\(session.engine.world.lastSeq)"])
    }

    private func time(_ instant: Instant) -> String { ISOTime.format(instant, offsetSeconds: session.engine.world.utcOffsetSeconds) }

    private struct OrderReply: Encodable {
        var order: String
        var status: String
        var rider: String?
        var booked: [String]
        var promised: [String]
        var eta: ETA?
        var deliveredAt: String?
    }

    private struct ETA: Encodable {
        var p10: String
        var p50: String
        var p90: String
    }

    func order(_ id: String) -> HTTPResponse {
        guard let order = session.engine.world.orders[id] else { return HTTPResponse.error(404, "unknown order \(TextSanitizer.quoted(id))") }
        var eta: ETA?
        if let rider = order.rider, !order.status.isFinal, let lane = session.engine.lane(of: rider, at: session.now),
           let index = lane.stops.firstIndex(where: { $0.order == id && $0.kind == .delivery }) {
            eta = ETA(p10: time(lane.p10[index]), p50: time(lane.stops[index].eta), p90: time(lane.p90[index]))
        }
        return HTTPResponse.json(200, OrderReply(order: id, status: order.status.rawValue, rider: order.rider,
                                                 booked: [time(order.booked.start), time(order.booked.end)],
                                                 promised: [time(order.promised.start), time(order.promised.end)], eta: eta,
                                                 deliveredAt: order.status == .delivered ? order.completedAt.map(time) : nil))
    }

    private struct RouteStop: Encodable {
        var order: String
        var kind: String
        var p10: String
        var p50: String
        var p90: String
        var window: [String]
    }

    func riderRoute(_ rider: String) -> HTTPResponse {
        let world = session.engine.world
        guard world.riders[rider] != nil else { return HTTPResponse.error(404, "unknown rider \(TextSanitizer.quoted(rider))") }
        let lane = session.engine.lane(of: rider, at: session.now)
        let stops: [RouteStop] = lane.map { lane in
            lane.stops.indices.map { index -> RouteStop in
                let stop = lane.stops[index]
                let window = world.orders[stop.order]?.promised
                return RouteStop(order: stop.order, kind: stop.kind.rawValue, p10: time(lane.p10[index]), p50: time(stop.eta), p90: time(lane.p90[index]),
                                 window: window.map { [time($0.start), time($0.end)] } ?? [])
            }
        } ?? []
        return HTTPResponse.json(200, RouteReply(rider: rider, at: time(session.now), stops: stops))
    }

    private struct RouteReply: Encodable {
        var rider: String
        var at: String
        var stops: [RouteStop]
    }

    func metrics() -> HTTPResponse {
        let world = session.engine.world
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: Double)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { text += "\(name)\(sample.labels) \(formatMetric(sample.value))\n" }
        }
        func labels(_ pairs: [(String, String)]) -> String {
            "{" + pairs.map { "\($0.0)=\"\($0.1.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\""))\"" }.joined(separator: ",") + "}"
        }
        family("tower_inputs_total", "counter", "Inputs taken over HTTP and OsmAnd, by event type and outcome.",
               counters.inputSamples.map { (labels($0.labels), Double($0.count)) })
        family("tower_journal_events", "gauge", "Events in the journal.", [("", Double(world.lastSeq))])
        text += "# HELP tower_journal_sync_seconds Time to make a pass's journaled inputs durable (one fsync per pass, off the core's thread).\n"
        text += "# TYPE tower_journal_sync_seconds summary\n"
        let syncs = commits.syncs
        text += "tower_journal_sync_seconds_sum \(formatMetric(syncs.seconds))\ntower_journal_sync_seconds_count \(syncs.count)\n"
        let writes = session.engine.journal?.writeTime ?? DurationTally()
        text += "# HELP tower_journal_write_seconds Time to write the core's steps to the journal (encoding and write(2), before the sync).\n"
        text += "# TYPE tower_journal_write_seconds summary\n"
        text += "tower_journal_write_seconds_sum \(formatMetric(writes.seconds))\ntower_journal_write_seconds_count \(writes.count)\n"
        let waiting = world.escalatedCases.count
        family("tower_escalations_waiting", "gauge", "Escalations waiting for a person.", [("", Double(waiting))])
        family("tower_orders_at_risk", "gauge", "Orders at risk of breaking their promise within the decision horizon.",
               [("", Double(session.engine.outlook(at: session.now, horizon: session.engine.settings.policy.decisionHorizon).atRisk.count))])
        if let kpis = session.trend?.current(world: world) {
            family("tower_kpi", "gauge", "The five KPIs (rates 0-1; cost per delivery in the city's currency).", [
                (labels([("kpi", "on_time_rate")]), kpis.onTimeRate), (labels([("kpi", "first_attempt_rate")]), kpis.firstAttemptRate),
                (labels([("kpi", "eta_accuracy_rate")]), kpis.etaAccuracyRate), (labels([("kpi", "plan_variance")]), kpis.planVariance),
                (labels([("kpi", "cost_per_delivery")]), kpis.costPerDelivery),
            ])
        }
        family("tower_http_requests_total", "counter", "HTTP requests answered, by route and status code.",
               counters.requestSamples.map { (labels($0.labels), Double($0.count)) })
        return HTTPResponse.text(200, text, contentType: "text/plain; version=0.0.4; charset=utf-8")
    }

    private func formatMetric(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
