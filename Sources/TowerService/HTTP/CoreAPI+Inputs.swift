import Foundation
import TowerCore

/// What other systems send: feed lines (`POST /v1/events`), an order system's orders (`POST /v1/orders`) and a
/// driver app's stops (`POST /v1/riders/{rider}/stops/{order}`), each through the core's `Ingestion`.
extension CoreAPI {
    func events(_ body: [UInt8]) -> HTTPAnswer {
        take(body.split(separator: 0x0A, omittingEmptySubsequences: false).map { .bytes(Array($0.last == 0x0D ? $0.dropLast() : $0)) })
    }

    /// An order system's orders: a JSON array of objects with the fields of an `order.created` line (`order`,
    /// `lat`, `lon`, `zone` (the drop point's when none is given), `window_start`, `window_end`, ...), or its CSV
    /// export (`Content-Type: text/csv`) read through the order mapping. Each is taken as an `order.created` line, its
    /// id `oms-ORDER` (so posting the same order again is a duplicate) unless it says `id`, stamped when it is taken
    /// unless it says `at`.
    func orders(_ request: HTTPRequest) -> HTTPAnswer {
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

    func stop(rider: String, order: String, _ request: HTTPRequest) -> HTTPResponse {
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
}
