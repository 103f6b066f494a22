import Foundation
import TowerCore

/// The OsmAnd endpoint: drivers' phones' positions, each taken as a `rider.position` of the rider its device is.
extension CoreAPI {
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
}
