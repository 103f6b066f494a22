import Testing
import TowerCore
@testable import TowerService

/// Drivers' phones in the OsmAnd protocol: the requests the Traccar clients send, byte for byte, read as positions.
@Suite struct OsmAndPositionTests {
    static func request(_ raw: String) throws -> HTTPRequest {
        guard case let .request(request, _) = HTTPParser().parse(Array(raw.utf8)[...]) else { throw ToolError("not a request: \(raw)") }
        return request
    }

    /// The older Android client (traccar-client-android): a POST with the fields in the query, speed in knots.
    @Test func theAndroidClientsQueryForm() throws {
        let raw = "POST /?id=812345&timestamp=1763391600&lat=-22.97132&lon=-43.18454&speed=9.719222&bearing=87.5&altitude=12.0&accuracy=8.0&batt=76.0 HTTP/1.1\r\n"
            + "Content-Length: 0\r\nHost: tower.example:5055\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\nUser-Agent: okhttp/4.12.0\r\n\r\n"
        let position = try OsmAndPosition.parse(try Self.request(raw))
        #expect(position.device == "812345")
        #expect(position.point == GeoPoint(lat: -22.97132, lon: -43.18454))
        #expect(position.time == Instant(seconds: 1_763_391_600))
        #expect(abs((position.speed ?? 0) - 5.0) < 0.001, "knots to metres per second")
    }

    /// Traccar Client 9: JSON, ISO time, speed in m/s, and the essentials again as a form in "_".
    @Test func traccarClient9sJSONForm() throws {
        let body = #"{"location":{"timestamp":"2026-11-17T12:00:00.000Z","coords":{"latitude":-22.9068,"longitude":-43.1729,"accuracy":5,"speed":4.5,"heading":180,"altitude":8},"is_moving":true,"odometer":1200,"event":"motionchange","battery":{"level":0.8,"is_charging":false},"activity":{"type":"in_vehicle"},"extras":{}},"device_id":"47104923","_":"&id=47104923&lat=-22.9068&lon=-43.1729&timestamp=2026-11-17T12:00:00.000Z&"}"#
        let raw = "POST / HTTP/1.1\r\nuser-agent: Dart/3.5 (dart:io)\r\ncontent-type: application/json\r\naccept-encoding: gzip\r\n"
            + "content-length: \(body.utf8.count)\r\nhost: tower.example:5055\r\n\r\n" + body
        let position = try OsmAndPosition.parse(try Self.request(raw))
        #expect(position.device == "47104923")
        #expect(position.point == GeoPoint(lat: -22.9068, lon: -43.1729))
        #expect(position.time == ISOTime.parse("2026-11-17T12:00:00Z")?.instant)
        #expect(position.speed == 4.5)
    }

    @Test func theOtherShapesAClientMayUse() throws {
        let body = "deviceid=9&location=-22.9%2C-43.1&timestamp=1763"
        let form = try OsmAndPosition.parse(try Self.request("POST / HTTP/1.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body))
        #expect(form.device == "9" && form.point == GeoPoint(lat: -22.9, lon: -43.1) && form.time == Instant(seconds: 1763))
        let millis = try OsmAndPosition.parse(try Self.request("GET /?id=9&lat=1&lon=2&timestamp=1763391600123 HTTP/1.1\r\n\r\n"))
        #expect(millis.time == Instant(seconds: 1_763_391_600))
        let untimed = try OsmAndPosition.parse(try Self.request("GET /?id=9&lat=1&lon=2 HTTP/1.1\r\n\r\n"))
        #expect(untimed.time == nil)
        // Traccar's third form: a date and time without an offset, read in the city's (here Rio's, -03:00).
        let local = try OsmAndPosition.parse(try Self.request("GET /?id=9&lat=1&lon=2&timestamp=2026-11-17%2009:00:00 HTTP/1.1\r\n\r\n"),
                                             localOffsetSeconds: -10_800)
        #expect(local.time == ISOTime.parse("2026-11-17T12:00:00Z")?.instant)
        // JSON from other clients: the device id as a number, the time as epoch milliseconds.
        let json = #"{"device_id":47104923,"location":{"timestamp":1763391600123,"coords":{"latitude":-22.9,"longitude":-43.1}}}"#
        let numbered = try OsmAndPosition.parse(try Self.request("POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(json.utf8.count)\r\n\r\n" + json))
        #expect(numbered.device == "47104923" && numbered.time == Instant(seconds: 1_763_391_600))
    }

    @Test(arguments: ["GET /?lat=1&lon=2 HTTP/1.1\r\n\r\n", "GET /?id=9&lat=100&lon=2 HTTP/1.1\r\n\r\n", "GET /?id=9&lat=x&lon=2 HTTP/1.1\r\n\r\n",
                      "GET /?id=9&lat=1&lon=2&timestamp=yesterday HTTP/1.1\r\n\r\n",
                      "GET /?id=9&lat=1&lon=2&timestamp=1e300 HTTP/1.1\r\n\r\n", "GET /?id=9&lat=1&lon=2&speed=-3 HTTP/1.1\r\n\r\n",
                      "POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\n\r\n{\"a\":",
                      "POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 68\r\n\r\n{\"device_id\":1.5,\"location\":{\"coords\":{\"latitude\":1,\"longitude\":2}}}",
                      "GET /?id=9&lat=1&lon=2&timestamp=2026-11-17%2009:00 HTTP/1.1\r\n\r\n"] + [-5, 1e300].map { stamp in
                          let body = #"{"device_id":"9","location":{"timestamp":\#(stamp),"coords":{"latitude":1,"longitude":2}}}"#
                          return "POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
                      })
    func aBrokenPositionIsA400WithTheReason(raw: String) throws {
        #expect(throws: OsmAndPosition.Refusal.self) { try OsmAndPosition.parse(try Self.request(raw)) }
        do { _ = try OsmAndPosition.parse(try Self.request(raw)) } catch let refusal as OsmAndPosition.Refusal {
            #expect(refusal.status == 400 && !refusal.reason.isEmpty)
        }
    }
}
