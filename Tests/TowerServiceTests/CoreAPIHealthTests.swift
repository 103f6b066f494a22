import Foundation
import Testing
import TowerCore
@testable import TowerService

/// What monitoring reads: `/healthz` says why the core is not well, `/metrics` how long the journal takes; and
/// which phone is which rider's.
@Suite struct CoreAPIHealthTests {
    static func get(_ api: CoreAPI, _ path: String) throws -> (status: Int, body: String) {
        guard case let .now(response) = api.handle(try OsmAndPositionTests.request("GET \(path) HTTP/1.1\r\n\r\n")) else {
            Issue.record("GET \(path) was not answered at once")
            return (0, "")
        }
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    /// An order system's orders are taken a share each pass of the loop, which answers other requests between
    /// shares; each is stamped when it is taken, so a clock moved between shares refuses none. Feed lines, with times
    /// of their own, go in one pass.
    @Test func ordersGoAShareAtATimeAndTheHealthCheckIsAnsweredBetween() throws {
        let fixture = try CoreServerTests.Fixture()
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: [:]))
        api.shareSeconds = 0  // one line a share
        let engine = fixture.session.engine
        let hub = try #require(engine.world.hubs.keys.sorted().first), zone = try #require(engine.world.hubs[hub]?.zone)
        let drop = try #require(engine.world.hubs[hub]?.location)
        let day = ISOTime.format(fixture.session.inputTime, offsetSeconds: engine.world.utcOffsetSeconds).prefix(11)
        let orders = (1...5).map {
            #"{"order":"S-\#($0)","pickup_hub":"\#(hub)","lat":\#(drop.lat),"lon":\#(drop.lon),"zone":"\#(zone)","window_start":"\#(day)18:00:00-03:00","window_end":"\#(day)20:00:00-03:00","service_min":3,"tier":"standard","skills":[],"parcels":1,"kg":1}"#
        }
        let body = "[" + orders.joined(separator: ",") + "]"
        let request = try OsmAndPositionTests.request("POST /v1/orders HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body)
        guard case let .later(next) = api.handle(request) else { Issue.record("five orders at one a share were answered at once"); return }
        var shares = 1
        var reply: HTTPResponse?
        let rider = try #require(engine.world.riderIDs.first)
        while reply == nil, shares < 20 {
            #expect(try Self.get(api, "/healthz").status == 200, "answered between two shares")
            // Another input between two shares moves the clock on: the orders still to take are stamped after it.
            try engine.submit(Event(id: "phone-\(shares)", at: fixture.session.inputTime + 60, by: "osmand",
                                    body: .riderPosition(rider: rider, position: drop)))
            reply = next()
            shares += 1
        }
        #expect(shares == 5, "a line each pass")
        #expect(reply.map { String(decoding: $0.body, as: UTF8.self) }?.hasPrefix(#"{"accepted":5,"duplicate":0,"refused":0"#) == true,
                "\(reply.map { String(decoding: $0.body, as: UTF8.self) } ?? "none")")
        #expect(try Self.get(api, "/metrics").body.contains(#"tower_http_requests_total{route="/v1/orders",code="200"} 1"#), "counted once, when answered")
        let lines = (1...3).map { #"{"v":1,"id":"i\#($0)","type":"traffic.incident","incident":"I\#($0)","zone":"\#(zone)","slowdown":0.5,"until":"\#(day)23:00:00-03:00"}"# }
        let feed = lines.joined(separator: "\n")
        #expect(throws: Never.self) {
            guard case .now = api.handle(try OsmAndPositionTests.request("POST /v1/events HTTP/1.1\r\nContent-Length: \(feed.utf8.count)\r\n\r\n" + feed)) else {
                throw ToolError("feed lines went in shares")
            }
        }
    }

    /// A client waiting for `100 Continue` before it sends a body is told first when no route takes its request (a
    /// path nothing is posted to: 404; a method its path does not take: 405 naming those it does), as when its token
    /// may not: it does not send a body to be refused whole. A request a route takes hears `100 Continue`.
    @Test func aHeadNoRouteTakesIsRefusedBeforeItsBody() throws {
        let fixture = try CoreServerTests.Fixture()
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: [:]))
        func head(_ line: String) -> HTTPRequest? {
            let raw = line + " HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"
            guard case let .awaitingBody(request, continues: true) = HTTPParser().parse(Array(raw.utf8)[...]) else { return nil }
            return request
        }
        for taken in ["POST /v1/events", "POST /v1/orders", "POST /v1/riders/R01/stops/O-1"] {
            #expect(api.refusal(beforeBody: try #require(head(taken))) == nil, "\(taken)")
        }
        #expect(api.refusal(beforeBody: try #require(head("POST /v1/nothing")))?.status == 404)
        let put = try #require(head("PUT /v1/orders"))
        let wrongMethod = try #require(api.refusal(beforeBody: put))
        #expect(wrongMethod.status == 405 && wrongMethod.headers.contains { $0.name == "Allow" && $0.value == "POST" })
        #expect(api.refusal(beforeBody: try #require(head("POST /healthz")))?.status == 405)
        #expect(try Self.get(api, "/metrics").body.contains(#"tower_http_requests_total{route="other",code="405"} 2"#))
    }

    /// The screen before a body and the router read one table: for every endpoint and a path that is none, under
    /// every method, the screen lets a request through exactly when the router takes it, and refuses it with the
    /// status and `Allow` the router would answer.
    @Test func theScreenBeforeABodyAndTheRouterAgreeOnEveryPathAndMethod() throws {
        let fixture = try CoreServerTests.Fixture()
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: [:]))
        let paths = ["/healthz", "/metrics", "/v1/events", "/v1/orders", "/v1/orders/O-1", "/v1/riders/R01/route",
                     "/v1/riders/R01/stops/O-1", "/v1/riders/R01", "/v1/nothing", "/"]
        var taken = 0
        for path in paths {
            for method in ["GET", "POST", "PUT", "DELETE"] {
                let request = try OsmAndPositionTests.request("\(method) \(path) HTTP/1.1\r\nContent-Length: 0\r\n\r\n")
                let screened = api.refusal(beforeBody: request)
                guard case let .now(routed) = api.handle(request) else { taken += 1; #expect(screened == nil); continue }
                let missed = routed.status == 404 && routed.body.starts(with: Array(#"{"error":"no such endpoint"#.utf8)) || routed.status == 405
                #expect((screened == nil) == !missed, "\(method) \(path): screen \(screened?.status ?? 200), router \(routed.status)")
                if let screened, missed {
                    #expect(screened.status == routed.status && screened.headers.map(\.value) == routed.headers.map(\.value), "\(method) \(path)")
                }
                if !missed { taken += 1 }
            }
        }
        #expect(taken == 7, "each endpoint takes one method (HEAD is a GET without its body)")
    }

    @Test func aSlowPassOfTheCoresLoopIsA503WithItsTimeUntilTheLoopIsQuickAgain() throws {
        let fixture = try CoreServerTests.Fixture()
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: [:]))
        #expect(try Self.get(api, "/healthz").status == 200)
        api.notePass(seconds: 7.5)
        let stalled = try Self.get(api, "/healthz")
        #expect(stalled.status == 503 && stalled.body.contains("stalled") && stalled.body.contains("7.5 s"), "\(stalled)")
        api.notePass(seconds: 0.02)
        #expect(try Self.get(api, "/healthz").status == 200)
    }

    @Test func metricsCountTheJournalsWritesAndSyncs() throws {
        let fixture = try CoreServerTests.Fixture()
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: [:]))
        _ = api.commits.commit()
        api.commits.finish()
        let metrics = try Self.get(api, "/metrics").body
        let writes = metrics.split(separator: "\n").first { $0.hasPrefix("tower_journal_write_seconds_count ") }
        #expect((writes.flatMap { Int($0.split(separator: " ")[1]) } ?? 0) > 0, "the morning's steps were written: \(metrics)")
        #expect(metrics.contains("tower_journal_sync_seconds_count 1"))
    }

    @Test func ridersCSVsDeviceColumnNamesEachRidersPhoneAndADevicesFileAddsToIt() throws {
        let fixture = try CoreServerTests.Fixture()
        let scenario = try ScenarioLoader.load(directory: fixture.folder)
        let listed = DeviceMap(scenario: scenario)
        #expect(listed.riders.count == scenario.riders.count)
        #expect(listed.riders[ScenarioGenerator.device(2)] == "R03")
        let added = try listed.merged(with: DeviceMap(riders: ["spare-phone": "R01", ScenarioGenerator.device(0): "R01"]), from: "devices.conf")
        #expect(added.riders["spare-phone"] == "R01" && added.riders.count == scenario.riders.count + 1)
        #expect(throws: ToolError.self) { try listed.merged(with: DeviceMap(riders: [ScenarioGenerator.device(0): "R02"]), from: "devices.conf") }
    }

    @Test func aPhoneListedTwiceInRidersCSVIsRefusedWithItsLine() throws {
        let fixture = try CoreServerTests.Fixture()
        let path = fixture.folder + "/riders.csv"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = lines[2].split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") + "," + ScenarioGenerator.device(0)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try ScenarioLoader.load(directory: fixture.folder)
        } throws: { error in
            "\(error)".contains("riders.csv line 3") && "\(error)".contains("field device") && "\(error)".contains("R01's already")
        }
    }
}
