import Foundation
import TowerCore

/// The core's HTTP API and the OsmAnd endpoint, answered on the core's thread (see `HTTPServer`). Every input goes
/// through the core's `Ingestion`, as a feed line does: repeats recognised by id, refusals dead-lettered with the
/// reason and answered with it.
public final class CoreAPI {
    private let session: CoreSession
    private let ingestion: Ingestion
    public let devices: DeviceMap
    /// Requests by what answered them and status, inputs by event type and outcome: `/metrics`.
    private var counters = APICounters()
    /// The group commits: one sync of the journal per pass that journaled something, off the core's thread; the
    /// servers' replies wait for them (set it as their `gate`).
    public let commits: GroupCommit
    /// The core loop's last pass (inputs, timers, replies), as the loop reports it: a long one means inputs waited.
    private var lastPass = 0.0
    /// A pass or a sync longer than this makes `/healthz` answer 503.
    public static let slowAfter = 5.0

    /// How much older than the core's clock a phone's position may be and still be applied.
    public static let staleAfter: Int64 = 120
    /// How far ahead of the core's clock an input's time may be (clocks drift; a phone or a system set wrong is refused).
    public static let aheadAllowed: Int64 = 300
    /// How long a pass of the core's loop takes lines of one request before it goes on (see `take`).
    public var shareSeconds = 0.05

    /// Who may call what; nil: anyone who can reach the port (bind it to 127.0.0.1 then).
    private var tokens: AccessTokens?
    /// How a CSV export's columns become orders (`--order-mapping`); nil: CSV is refused.
    private let orderMapping: OrderMapping?

    public init(session: CoreSession, deadLetter: DeadLetterFile?, devices: DeviceMap, tokens: AccessTokens? = nil, orderMapping: OrderMapping? = nil) throws {
        self.session = session
        self.tokens = tokens
        self.orderMapping = orderMapping
        ingestion = Ingestion(source: "http", deadLetter: deadLetter)
        self.devices = devices
        commits = try GroupCommit(engine: session.engine)
    }

    /// Told by the core's loop how long its last pass took.
    public func notePass(seconds: Double) { lastPass = seconds }

    // MARK: Routes

    public func handle(_ request: HTTPRequest) -> HTTPAnswer {
        let (answerer, answer) = answer(request)
        switch answer {
        case let .now(response):
            counters.answered(by: answerer, status: response.status)
            return answer
        case let .later(next):
            return .later { [unowned self] in
                guard let response = next() else { return nil }
                counters.answered(by: answerer, status: response.status)
                return response
            }
        }
    }

    /// Seconds on a steady clock, for the tokens' rates.
    private static func steadySeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// The endpoint a request's path names, nil for none.
    private static func route(of request: HTTPRequest) -> APIRoute? {
        APIRoute(path: request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init))
    }

    /// A request's head before its body comes (`HTTPServer.screen`): the token's refusal, or the 404 or 405 of a
    /// request no route takes, so a client is told before it sends a body that would be refused whole.
    public func refusal(beforeBody request: HTTPRequest) -> HTTPResponse? {
        let route = Self.route(of: request)
        if let scope = APIRoute.scope(of: route, method: request.method),
           let refusal = tokens?.refusal(request, needs: scope, now: Self.steadySeconds(), spending: false) {
            counters.answered(by: .auth, status: refusal.status)
            return refusal
        }
        guard route?.takes(request.method) != true else { return nil }
        let miss = Self.miss(request, route)
        counters.answered(by: .other, status: miss.status)
        return miss
    }

    private func answer(_ request: HTTPRequest) -> (APICounters.Answerer, HTTPAnswer) {
        let route = Self.route(of: request)
        if tokens != nil, let scope = APIRoute.scope(of: route, method: request.method),
           let refusal = tokens?.refusal(request, needs: scope, now: Self.steadySeconds()) {
            return (.auth, .now(refusal))
        }
        guard let route, route.takes(request.method) else { return (.other, .now(Self.miss(request, route))) }
        // Feed lines and orders may be answered later (an order system's orders go in shares: `take`); the rest at once.
        let answer: HTTPAnswer = switch route {
        case .events: events(request.body)
        case .orders: orders(request)
        case .health: .now(health())
        case .metrics: .now(metrics())
        case let .order(id): .now(order(id))
        case let .riderRoute(rider): .now(riderRoute(rider))
        case let .stop(rider, order): .now(stop(rider: rider, order: order, request))
        }
        return (.endpoint(route.name), answer)
    }

    /// What a request no route takes hears: 405 naming the methods its path takes, or 404.
    private static func miss(_ request: HTTPRequest, _ route: APIRoute?) -> HTTPResponse {
        let path = TextSanitizer.clean(String(request.path.prefix(200)))
        guard let allowed = route?.allowed else { return HTTPResponse.error(404, "no such endpoint: \(path)") }
        // RFC 9110: a 405 names the method the resource takes.
        var refusal = HTTPResponse.error(405, "\(TextSanitizer.clean(String(request.method.prefix(20)))) is not taken on \(path); it takes \(allowed)")
        refusal.headers.append(("Allow", allowed))
        return refusal
    }

    /// The OsmAnd endpoint: 200 with an empty body, 400 without a device id or with a broken field, 404 for a
    /// device no rider carries, 405 for HEAD (a probe's `curl -I` must not record where a rider is).
    public func osmand(_ request: HTTPRequest) -> HTTPResponse {
        let response = request.headOnly ? Self.headRefused() : position(request)
        counters.answered(by: .osmand, status: response.status)
        return response
    }

    private static func headRefused() -> HTTPResponse {
        var refusal = HTTPResponse.text(405, "HEAD records no position: a phone sends its position by GET or POST\n")
        refusal.headers.append(("Allow", "GET, POST"))
        return refusal
    }

    private func position(_ request: HTTPRequest) -> HTTPResponse {
        do {
            let position = try OsmAndPosition.parse(request, localOffsetSeconds: session.engine.world.utcOffsetSeconds)
            guard let rider = devices.riders[position.device] else {
                return HTTPResponse.text(404, "unknown device \(TextSanitizer.clean(String(position.device.prefix(64))))\n")
            }
            return take(position, rider: rider)
        } catch {
            return HTTPResponse.text(error.status, error.reason + "\n")
        }
    }

    // MARK: Inputs

    private func events(_ body: [UInt8]) -> HTTPAnswer {
        take(body.split(separator: 0x0A, omittingEmptySubsequences: false).map { .bytes(Array($0.last == 0x0D ? $0.dropLast() : $0)) })
    }

    /// An order system's orders: a JSON array of objects with the fields of an `order.created` line (`order`,
    /// `lat`, `lon`, `zone` (the drop point's when none is given), `window_start`, `window_end`, ...), or its CSV
    /// export (`Content-Type: text/csv`) read through the order mapping. Each is taken as an `order.created` line, its
    /// id `oms-ORDER` (so posting the same order again is a duplicate) unless it says `id`, stamped when it is taken
    /// unless it says `at`.
    private func orders(_ request: HTTPRequest) -> HTTPAnswer {
        let type = request.header("content-type")?.lowercased() ?? "application/json"
        if type.hasPrefix("text/csv") {
            guard let mapping = orderMapping else {
                return .now(HTTPResponse.error(415, "CSV orders need the core started with --order-mapping FILE; or send a JSON array"))
            }
            guard let text = String(validating: request.body, as: UTF8.self) else { return .now(HTTPResponse.error(400, "the CSV is not UTF-8")) }
            let offset = session.engine.world.utcOffsetSeconds
            let local = session.inputTime.seconds + Int64(offset)
            let midnight = Instant(seconds: local - ((local % 86400) + 86400) % 86400 - Int64(offset))
            do {
                let mapped = try mapping.orders(csv: text, day: midnight, world: session.engine.world)
                // The rows and the records that are not rows, in the CSV's order; the latter refused with why.
                var lines: [(line: Int, text: LineBatch.Line, refusal: EventError?)] = mapped.rows.map { ($0.line, .order($0.fields), nil) }
                lines += mapped.rejected.map { ($0.line, .bytes(Array($0.text.utf8)), EventError(field: "csv", reason: $0.reason)) }
                lines.sort { $0.line < $1.line }
                return take(lines.map(\.text), inShares: true, numbers: lines.map(\.line), refusals: lines.map(\.refusal),
                            type: EventType.orderCreated.rawValue)
            } catch {
                return .now(HTTPResponse.error(400, "\(error)"))
            }
        }
        guard type.hasPrefix("application/json") else {
            return .now(HTTPResponse.error(415, "orders come as a JSON array (application/json) or a CSV export (text/csv)"))
        }
        let parsed: JSONValue
        do {
            parsed = try request.body.withUnsafeBufferPointer { body throws(JSONSyntaxError) in
                try JSONParser.parse(buffer: JournalReader.withoutByteOrderMark(body))
            }
        } catch { return .now(HTTPResponse.error(400, "the body is \(error)")) }
        guard case let .array(items) = parsed else {
            return .now(HTTPResponse.error(400, "the body must be a JSON array of orders"))
        }
        // An item that is not an object is refused on its line with what it is (and dead-lettered as it came).
        let lines = items.map { item -> (line: LineBatch.Line, refusal: EventError?) in
            guard case let .object(fields) = item else {
                var writer = JSONWriter()
                writer.value(item)
                return (.bytes(writer.bytes), EventError(field: "", reason: "an order is a JSON object, not \(item.typeName)"))
            }
            return (.order(OrderMapping.withDropZone(fields, in: session.engine.world)), nil)
        }
        return take(lines.map(\.line), inShares: true, refusals: lines.map(\.refusal), type: EventType.orderCreated.rawValue)
    }

    /// An order's fields as an `order.created` line. The envelope is the core's: an order may name its id and
    /// time, never its type or author. A time before the core's clock (when the order system booked it, sent a little
    /// later) is taken as the clock's: the core knows of an order from when it arrives, and its clock never goes back.
    private func orderLine(_ fields: [(String, JSONValue)]) -> [UInt8] {
        let order = fields.first { $0.0 == "order" }.flatMap { if case let .string(id) = $0.1 { id } else { nil } } ?? ""
        let clock = session.inputTime
        let own = fields.filter { key, value in
            if ["v", "type", "by"].contains(key) { return false }
            guard key == "at", case let .string(text) = value, let at = ISOTime.parse(text)?.instant else { return true }
            return at >= clock
        }
        let now = ISOTime.format(clock, offsetSeconds: session.engine.world.utcOffsetSeconds)
        var envelope: [(String, JSONValue)] = [("v", .number(1)), ("id", .string(DerivedID.make("oms", [order]))), ("at", .string(now)),
                                               ("by", .string("oms")), ("type", .string("order.created"))]
        envelope.removeAll { key, _ in own.contains { $0.0 == key } }
        var writer = JSONWriter()
        writer.value(.object(envelope + own))
        return writer.bytes
    }

    /// Takes lines through the core's ingestion; the reply says per line what became of it. An order system's
    /// orders go a share at a time (`shareSeconds` of the core's loop each pass), so thousands of them, each placed on
    /// a route as it is taken, do not hold up the phones, the boards and the health check until the last is placed;
    /// each is stamped when it is taken, as an order is known from when the core takes it. Feed lines, which carry
    /// their own times, go in one pass: between two shares other inputs could move the clock past them.
    /// - Parameter inShares: whether the lines may go over several passes (orders).
    /// - Parameter numbers: the line number to report for each (default 1, 2, ...; a CSV's rows keep theirs).
    /// - Parameter refusals: per line, a refusal its source already made (a CSV record that is not a row): the line is
    ///   dead-lettered with it and not read.
    /// - Parameter type: the type every line is meant as, for `/metrics` (an order system's records are orders, also
    ///   one that is not a row); else each line's own `type`.
    private func take(_ lines: [LineBatch.Line], inShares: Bool = false, numbers: [Int]? = nil, refusals: [EventError?]? = nil,
                      type fixedType: String? = nil) -> HTTPAnswer {
        let batch = LineBatch(lines: lines, inShares: inShares, numbers: numbers, refusals: refusals, type: fixedType)
        if let reply = advance(batch) { return .now(reply) }
        return .later { [unowned self] in advance(batch) }
    }

    /// Takes the batch's next lines until `shareSeconds` have passed (one line at least); the reply once the last is
    /// taken, or the core has stopped.
    private func advance(_ batch: LineBatch) -> HTTPResponse? {
        guard session.engine.halted == nil else { return HTTPResponse.error(503, "the core stopped: \(session.engine.halted!.message)") }
        let started = Date()
        // A line dated ahead of the core's clock would move the clock (and every timer) there, and the inputs of the
        // time between, the simulation's or the phones', would all be refused as going back in time.
        let clock = session.inputTime, offset = session.engine.world.utcOffsetSeconds
        let admit = { (event: inout Event) -> EventError? in
            guard event.at > clock + Self.aheadAllowed else { return nil }
            return EventError(field: "at", reason: "\(ISOTime.format(event.at, offsetSeconds: offset)) is \((event.at - clock + 59) / 60) min ahead of the core's clock (\(ISOTime.format(clock, offsetSeconds: offset))); an input may be at most \(Self.aheadAllowed / 60) min ahead")
        }
        while batch.next < batch.lines.count {
            let index = batch.next
            batch.next += 1
            let bytes: [UInt8], number = batch.numbers?[index] ?? index + 1
            switch batch.lines[index] {
            case let .bytes(line): bytes = line
            case let .order(fields): bytes = orderLine(fields)
            }
            let type = batch.type ?? Self.type(of: bytes)
            let outcome = batch.refusals?[index].map { ingestion.refuse($0, line: number, raw: bytes) }
                ?? ingestion.take(bytes, line: number, overlongBytes: bytes.count > EventCodec.maxLineBytes ? bytes.count : nil, engine: session.engine,
                                  admit: admit)
            switch outcome {
            case .accepted:
                batch.reply.accepted += 1
                batch.reply.results.append(LineBatch.Result(line: number, status: "accepted"))
                counters.took(type, .accepted)
            case .repeated:
                batch.reply.duplicate += 1
                batch.reply.results.append(LineBatch.Result(line: number, status: "duplicate"))
            case let .refused(error):
                batch.reply.refused += 1
                batch.reply.results.append(LineBatch.Result(line: number, status: "refused", field: error.field, reason: error.reason))
                counters.took(type, .refused)
            case .skippedCoreDecision:
                batch.reply.refused += 1
                batch.reply.results.append(LineBatch.Result(line: number, status: "refused", field: "by",
                                                            reason: "\"core\" decisions are made here, never taken as input"))
            case .blank:
                continue
            case .stopped:
                return HTTPResponse.error(503, "the core stopped: \(session.engine.halted?.message ?? "")")
            }
            if batch.inShares, Date().timeIntervalSince(started) >= shareSeconds, batch.next < batch.lines.count { return nil }
        }
        return HTTPResponse.json(200, batch.reply)
    }

    private static func type(of line: [UInt8]) -> String {
        guard case let .string(type)? = (try? JSONParser.parse(line))?["type"], type.count <= 40,
              type.allSatisfy({ $0.isLetter || $0 == "." || $0 == "_" }) else { return "unknown" }
        return type
    }

    private struct StopBody: Decodable {
        var event: String
        var reason: String?
    }

    private func stop(rider: String, order: String, _ request: HTTPRequest) -> HTTPResponse {
        let body: StopBody
        do { body = try JSONDecoder().decode(StopBody.self, from: Data(request.body)) } catch {
            return HTTPResponse.error(400, "the body must be {\"event\": \"arrived|picked_up|delivered|failed\", \"reason\": ...}")
        }
        let world = session.engine.world
        guard world.riders[rider] != nil else { return HTTPResponse.error(404, "unknown rider \(TextSanitizer.quoted(rider))") }
        guard let known = world.orders[order] else { return HTTPResponse.error(404, "unknown order \(TextSanitizer.quoted(order))") }
        let what: EventBody
        switch body.event {
        case "arrived": what = .stopArrived(rider: rider, order: order, kind: known.pickedUpAt == nil ? .pickup : .delivery)
        case "picked_up": what = .pickupDone(rider: rider, order: order)
        case "delivered": what = .deliveryDone(rider: rider, order: order)
        case "failed":
            guard let reason = body.reason.flatMap(FailureReason.init(rawValue:)) else {
                let reasons = FailureReason.allCases.map(\.rawValue).joined(separator: ", ")
                guard let given = body.reason else { return HTTPResponse.error(400, "a failed stop needs a reason: " + reasons) }
                return HTTPResponse.error(400, "reason is \(reasons), not '\(TextSanitizer.clean(String(given.prefix(40))))'")
            }
            what = .deliveryFailed(rider: rider, order: order, reason: reason)
        default:
            return HTTPResponse.error(400, "event is arrived, picked_up, delivered or failed, not '\(TextSanitizer.clean(String(body.event.prefix(40))))'")
        }
        let key = request.header("idempotency-key").map { DerivedID.make("key", [$0]) }
            ?? DerivedID.make("stop", [order, body.event, String(known.attempts)])
        let event = Event(id: key, at: session.inputTime, by: "driver-app", body: what)
        switch ingestion.take(event, line: 1, engine: session.engine) {
        case .accepted:
            counters.took(event.type.rawValue, .accepted)
            return HTTPResponse.json(200, ["status": "accepted", "id": key])
        case .repeated: return HTTPResponse.json(200, ["status": "duplicate", "id": key])
        case let .refused(error):
            counters.took(event.type.rawValue, .refused)
            return HTTPResponse.json(409, ["status": "refused", "field": error.field, "reason": error.reason])
        case .stopped, .blank, .skippedCoreDecision: return HTTPResponse.error(503, "the core stopped: \(session.engine.halted?.message ?? "")")
        }
    }

    private func take(_ position: OsmAndPosition, rider: String) -> HTTPResponse {
        let clock = session.engine.world.clock ?? Instant(seconds: 0)
        // A phone back from a dead zone sends its buffered positions late: one older than the core's clock by more
        // than `staleAfter` says nothing about where the rider is now, so it is answered and not applied.
        if let taken = position.time, taken < clock - Self.staleAfter {
            counters.took(EventType.riderPosition.rawValue, .stale)
            return HTTPResponse.text(200, "")
        }
        // A phone whose clock runs ahead would move the whole core's clock (and every timer) forward with it.
        if let taken = position.time, taken > session.inputTime + Self.aheadAllowed {
            counters.took(EventType.riderPosition.rawValue, .refused)
            return HTTPResponse.text(400, "timestamp is \((taken - session.inputTime) / 60) min ahead of the core's clock: check the phone's time\n")
        }
        let time = max(position.time ?? session.inputTime, clock)
        let id = DerivedID.make("osmand", [position.device, String(time.seconds), String(Int(position.point.lat * 1e5)),
                                           String(Int(position.point.lon * 1e5))])
        let event = Event(id: id, at: time, by: "osmand", body: .riderPosition(rider: rider, position: position.point))
        switch ingestion.take(event, line: 1, engine: session.engine) {
        case .accepted:
            counters.took(EventType.riderPosition.rawValue, .accepted)
            return HTTPResponse.text(200, "")
        case .repeated: return HTTPResponse.text(200, "")
        case let .refused(error):
            counters.took(EventType.riderPosition.rawValue, .refused)
            return HTTPResponse.text(400, "\(error.field): \(error.reason)\n")
        case .stopped, .blank, .skippedCoreDecision: return HTTPResponse.text(503, "the core stopped\n")
        }
    }

    // MARK: Reads

    /// Answered at once, never waiting for the journal: it is how a monitor learns that a sync hangs.
    private func health() -> HTTPResponse {
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

    private func order(_ id: String) -> HTTPResponse {
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

    private func riderRoute(_ rider: String) -> HTTPResponse {
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

    private func metrics() -> HTTPResponse {
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
