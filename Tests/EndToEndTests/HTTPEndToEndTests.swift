import Foundation
import Testing

/// The HTTP API and the OsmAnd endpoint of `tower serve`, driven by real clients: curl, and Python's
/// http.client over one kept-alive connection.
@Suite struct HTTPEndToEndTests {
    static let canRun = ["/usr/bin/curl", "/usr/bin/python3"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    /// `curl -s -w '\n%{http_code}'`: the body and the status.
    static func curl(_ arguments: [String]) throws -> (body: String, status: Int) {
        let output = try Program.output(["/usr/bin/curl", "-s", "-w", "\n%{http_code}"] + arguments)
        let lines = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.dropLast().joined(separator: "\n"), Int(lines.last ?? "") ?? 0)
    }

    static func port(_ name: String, in log: String) -> Int? {
        log.split(separator: "\n").first { $0.contains("\(name) on port ") }.flatMap { Int($0.split(separator: " ").last ?? "") }
    }

    /// The port `core` says it serves `name` on, once it has said so: its Unix socket listens before its HTTP
    /// endpoints are bound and named, so under load the line can come a moment after the socket.
    static func port(_ name: String, of core: CoreProcess, timeout: Double = 60) -> Int? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if let port = port(name, in: core.output) { return port }
            Thread.sleep(forTimeInterval: 0.1)
        }
        return nil
    }

    /// Out of file descriptors, a core sheds the connections it cannot take (a 503 and close) instead of leaving
    /// them waiting on its listener, which kept the listener readable and the loop spinning at full speed, answering
    /// nothing; once connections close it answers again.
    @Test(.enabled(if: canRun)) func aCoreOutOfFileDescriptorsShedsConnectionsAndDoesNotSpin() throws {
        let city = try Tower.smallCity()
        let work = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: work) }
        let core = try CoreProcess(["--scenario", city, "--journal", work + "/j.jsonl", "--from", "09:00", "--paused", "--http", "127.0.0.1:0"],
                                   socket: work + "/j.sock", in: work, openFiles: 40)
        let http = try #require(Self.port("http", of: core), "\(core.output)")
        let script = """
        import socket, time, sys
        pid, port = int(sys.argv[1]), int(sys.argv[2])
        def cpu():
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / 100
        def health():
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\\r\\n\\r\\n")
            try: reply = s.recv(4096).decode(errors="replace")
            except Exception as e: reply = "no reply: " + str(e)
            s.close()
            return reply.split("\\r\\n")[0] + (" (descriptors)" if "file descriptors" in reply else "")
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(60)]
        time.sleep(0.5)
        start = cpu(); time.sleep(2); spent = cpu() - start
        crowded = health()
        for s in held: s.close()
        time.sleep(0.5)
        print(f"{spent:.2f}|{crowded}|{health()}")
        """
        let out = try Program.output(["/usr/bin/python3", "-c", script, String(core.process.processIdentifier), String(http)])
            .trimmingCharacters(in: .whitespacesAndNewlines).split(separator: "|").map(String.init)
        try #require(out.count == 3, "\(out)")
        #expect((Double(out[0]) ?? 9) < 1.0, "CPU seconds in 2 s with 60 connections past the limit: \(out[0])")
        #expect(out[1] == "HTTP/1.1 503 Service Unavailable (descriptors)", "\(out[1])")
        #expect(out[2] == "HTTP/1.1 200 OK", "\(out[2])")
        #expect(core.stop() == 0, "\(core.output)")
    }

    @Test(.enabled(if: canRun)) func ordersStopsPositionsAndReadsThroughRealClients() throws {
        let city = try Tower.smallCity()
        let work = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: work) }
        // A phone named with a space (a devices file takes any name): its positions' ids must still read back.
        try Data("phone-7 = R02\n# a comment\nphone 8 = R03\nphone-9 = R99\n".utf8).write(to: URL(fileURLWithPath: work + "/devices.conf"))
        let journal = work + "/j.jsonl"
        // The shipped Shopify mapping, with this city's hub.
        let shopify = try String(contentsOfFile: Tower.packageRoot.appendingPathComponent("sample-data/mappings/shopify-orders.conf").path, encoding: .utf8)
        try Data(shopify.replacingOccurrences(of: "hub-cidade-nova", with: "hub-barra").utf8).write(to: URL(fileURLWithPath: work + "/shopify.conf"))
        let core = try CoreProcess(["--scenario", city, "--journal", journal, "--from", "09:00", "--paused", "--http", "127.0.0.1:0",
                                    "--osmand", "127.0.0.1:0", "--devices", work + "/devices.conf", "--order-mapping", work + "/shopify.conf"],
                                   socket: work + "/j.sock", in: work)
        let http = try #require(Self.port("http", of: core), "\(core.output)")
        let osmand = try #require(Self.port("osmand", of: core), "\(core.output)")
        let base = "http://127.0.0.1:\(http)"
        #expect(core.output.contains("device phone-9 is R99's, a rider the scenario does not have"), "said at start: \(core.output)")

        let health = try Self.curl([base + "/healthz"])
        #expect(health.status == 200 && health.body.contains("\"ok\""), "\(health)")

        // A batch of feed lines: one new, one broken, the first again (idempotent).
        let incident = #"{"v":1,"id":"oms-1","at":"2026-11-17T09:00:05-03:00","by":"oms","type":"traffic.incident","incident":"I1","zone":"centro","slowdown":0.5,"until":"2026-11-17T10:00:00-03:00","note":"water main"}"#
        let batch = try Self.curl(["-X", "POST", "--data-binary", incident + "\n{\"v\":1,\"id\":\"bad\"}\n" + incident + "\n", base + "/v1/events"])
        #expect(batch.status == 200)
        let reply = try JSONSerialization.jsonObject(with: Data(batch.body.utf8)) as? [String: Any] ?? [:]
        #expect(reply["accepted"] as? Int == 1 && reply["refused"] as? Int == 1 && reply["duplicate"] as? Int == 1, "\(batch.body)")
        let results = reply["results"] as? [[String: Any]] ?? []
        #expect(results.count == 3 && results[1]["line"] as? Int == 2 && (results[1]["reason"] as? String)?.isEmpty == false, "\(batch.body)")
        // A line half an hour ahead of the core's paused clock (09:00) would carry the clock with it: refused.
        let ahead = try Self.curl(["-X", "POST", "--data-binary", incident.replacingOccurrences(of: "oms-1", with: "oms-2")
            .replacingOccurrences(of: "09:00:05", with: "09:30:05"), base + "/v1/events"])
        #expect(ahead.status == 200 && ahead.body.contains("\"refused\":1") && ahead.body.contains("min ahead of the core's clock"), "\(ahead)")

        // An order system's orders as a JSON array: one new, one without a window (refused with the field), the first
        // again, and an item that is no order (refused with what it is).
        let order1 = #"{"order":"X-1001","pickup_hub":"hub-barra","lat":-22.974955,"lon":-43.377631,"zone":"jacarepagua","window_start":"2026-11-17T10:00:00-03:00","window_end":"2026-11-17T12:00:00-03:00","service_min":3,"tier":"express","skills":[],"parcels":1,"kg":2.5,"customer":"Marina Lopes","contact":"c-1","notes":""}"#
        let orders = try Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "[\(order1), {\"order\":\"X-1002\"}, \(order1), 42]", base + "/v1/orders"])
        #expect(orders.status == 200, "\(orders)")
        #expect(orders.body.contains("\"accepted\":1") && orders.body.contains("\"duplicate\":1") && orders.body.contains("\"refused\":2"), "\(orders.body)")
        #expect(orders.body.contains(#""line":4,"reason":"an order is a JSON object, not a number""#), "\(orders.body)")
        // Booked ten minutes before it reached the core (paused at 09:00): taken at the core's clock, not refused.
        let booked = order1.replacingOccurrences(of: "X-1001", with: "X-1003").replacingOccurrences(of: #""order":"X-1003","#, with: #""order":"X-1003","at":"2026-11-17T08:50:00-03:00","#)
        let late = try Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "[\(booked)]", base + "/v1/orders"])
        #expect(late.status == 200 && late.body.contains("\"accepted\":1"), "\(late.body)")
        // Shopify's export, quoted as Shopify writes it: a good row, one outside every zone, one with a broken latitude.
        let csv = """
        Name,Email,Financial Status,Shipping Name,Shipping Address1,Shipping City,Shipping Zip,Id,Latitude,Longitude
        #1001,a@example.com,paid,"Marina Lopes","Rua Barão da Torre, 12",Rio de Janeiro,22411-000,5123456789,-22.974955,-43.377631
        #1002,b@example.com,paid,"João Silva","Av. Atlântica, 1702",Rio de Janeiro,22021-001,5123456790,10.0,10.0
        #1003,c@example.com,paid,"Ana Costa","Rua X, 1",Rio de Janeiro,22000-000,5123456791,north,-43.2
        """
        let exported = try Self.curl(["-X", "POST", "-H", "Content-Type: text/csv", "--data-binary", csv + "\n", base + "/v1/orders"])
        #expect(exported.status == 200 && exported.body.contains("\"accepted\":1") && exported.body.contains("\"refused\":2"), "\(exported.body)")
        #expect(exported.body.contains("\"line\":4") && exported.body.contains("\"field\":\"lat\""), "a refused row names its line and field: \(exported.body)")
        let broken = try Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", #"[{"lat":1e999}]"#, base + "/v1/orders"])
        #expect(broken.status == 400 && broken.body.contains("invalid JSON at byte"), "a body that is not JSON says where: \(broken)")
        // Saved from a spreadsheet (a byte-order mark, CRLF), with a row cut short between two good ones: the good ones taken.
        let saved = "\u{FEFF}Id,Shipping Name,Shipping Address1,Latitude,Longitude\r\n7001,A,Rua A,-22.9749,-43.3776\r\n7002,B\r\n7003,C,Rua C,-22.9749,-43.3776\r\n"
        let spreadsheet = try Self.curl(["-X", "POST", "-H", "Content-Type: text/csv", "--data-binary", saved, base + "/v1/orders"])
        #expect(spreadsheet.status == 200 && spreadsheet.body.contains("\"accepted\":2") && spreadsheet.body.contains("\"refused\":1"), "\(spreadsheet.body)")
        #expect(spreadsheet.body.contains(#""field":"csv","line":3,"reason":"2 fields, the header has 5""#), "\(spreadsheet.body)")
        // A JSON body and a feed line written with a byte-order mark (some services write one): the mark skipped. The
        // order names no zone (an order system knows addresses): its drop point's is taken.
        let marked = order1.replacingOccurrences(of: "X-1001", with: "X-1004").replacingOccurrences(of: #""zone":"jacarepagua","#, with: "")
        let withMark = try Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", "\u{FEFF}[\(marked)]", base + "/v1/orders"])
        #expect(withMark.status == 200 && withMark.body.contains("\"accepted\":1"), "\(withMark.body)")
        let noColumn = try Self.curl(["-X", "POST", "-H", "Content-Type: text/csv", "--data-binary", "Name,Id\n#1,2\n", base + "/v1/orders"])
        #expect(noColumn.status == 400 && noColumn.body.contains("Latitude"), "\(noColumn)")

        // Reads: an order's status and window, a rider's route with P10/P50/P90.
        let route = try Self.curl([base + "/v1/riders/R02/route"])
        #expect(route.status == 200 && route.body.contains("\"p10\"") && route.body.contains("\"p90\""), "\(route)")
        let stops = (try JSONSerialization.jsonObject(with: Data(route.body.utf8)) as? [String: Any])?["stops"] as? [[String: Any]] ?? []
        let next = try #require(stops.first, "R02 has stops at 09:00: \(route.body)")
        let order = try #require(next["order"] as? String)
        let status = try Self.curl([base + "/v1/orders/" + order])
        #expect(status.status == 200 && status.body.contains("\"booked\"") && status.body.contains("\"rider\":\"R02\""), "\(status)")

        // A driver app at a stop; the same again is a duplicate, a made-up event a 400, an unknown rider a 404.
        let arrived = try Self.curl(["-X", "POST", "-H", "Content-Type: application/json", "-d", #"{"event":"arrived"}"#, base + "/v1/riders/R02/stops/\(order)"])
        #expect(arrived.status == 200 && arrived.body.contains("accepted"), "\(arrived)")
        let again = try Self.curl(["-X", "POST", "-d", #"{"event":"arrived"}"#, base + "/v1/riders/R02/stops/\(order)"])
        #expect(again.status == 200 && again.body.contains("duplicate"), "\(again)")
        // A driver app's own keys, one with spaces and one of 300 characters: taken under ids a journal reads back,
        // each the same again when retried.
        for key in ["visit 2 of the stop", String(repeating: "k", count: 300)] {
            let keyed = ["-X", "POST", "-H", "Idempotency-Key: \(key)", "-d", #"{"event":"arrived"}"#, base + "/v1/riders/R02/stops/\(order)"]
            let first = try Self.curl(keyed), retried = try Self.curl(keyed)
            #expect(first.status == 200 && first.body.contains("accepted") && retried.body.contains("duplicate"), "\(first) \(retried)")
        }
        #expect(try Self.curl(["-X", "POST", "-d", #"{"event":"teleported"}"#, base + "/v1/riders/R02/stops/\(order)"]).status == 400)
        let unknownReason = try Self.curl(["-X", "POST", "-d", #"{"event":"failed","reason":"aliens"}"#, base + "/v1/riders/R02/stops/\(order)"])
        #expect(unknownReason.status == 400 && unknownReason.body.contains("not 'aliens'"), "a reason given and unknown is named: \(unknownReason)")
        #expect(try Self.curl(["-X", "POST", "-d", #"{"event":"arrived"}"#, base + "/v1/riders/R99/stops/\(order)"]).status == 404)
        #expect(try Self.curl([base + "/v2/nothing"]).status == 404)
        // An unknown id is quoted and cut: a 7 KB one is not echoed whole.
        let unknown = try Self.curl([base + "/v1/orders/" + String(repeating: "A", count: 7000)])
        #expect(unknown.status == 404 && unknown.body.contains(#"unknown order \"AAAA"#) && unknown.body.contains("…") && unknown.body.count < 200,
                "\(unknown.body.prefix(300))")
        let deleted = try Self.curl(["-X", "DELETE", "-D", "-", base + "/healthz"])  // the head, then the body
        #expect(deleted.status == 405 && deleted.body.contains("Allow: GET, HEAD\r\n") && deleted.body.contains("it takes GET, HEAD"), "\(deleted)")
        // A path that is no endpoint is a 404 whatever its method, not a 405 for looking like one.
        #expect(try Self.curl([base + "/V1/orders/X-1001"]).status == 404)
        #expect(try Self.curl([base + "/v1/riders/R02/stops"]).status == 404)
        #expect(try Self.curl(["-X", "POST", "-H", "Transfer-Encoding: chunked", "-d", "x", base + "/v1/events"]).status == 501)

        // Phones over one kept-alive connection, as a Traccar client keeps it: both forms, then the unknown and the broken.
        let script = """
        import http.client, json, sys
        c = http.client.HTTPConnection("127.0.0.1", \(osmand), timeout=10)
        out = []
        def ask(method, path, body=None, headers={}):
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse(); r.read(); out.append(r.status)
        ask("POST", "/?id=phone-7&timestamp=1794916830&lat=-22.97&lon=-43.22&speed=9.7&bearing=90&batt=80")
        ask("HEAD", "/?id=phone-7&timestamp=1794916833&lat=-22.971&lon=-43.221")
        ask("POST", "/?id=phone%208&timestamp=1794916831&lat=-22.975&lon=-43.39")
        ask("POST", "/?id=phone-7&timestamp=1763380830&lat=-22.97&lon=-43.22")
        ask("POST", "/", json.dumps({"device_id": "phone-7", "location": {"timestamp": "2026-11-17T12:01:00Z", "coords": {"latitude": -22.96, "longitude": -43.21, "speed": 5}}}), {"Content-Type": "application/json"})
        ask("GET", "/?id=phone-7&lat=1&lon=2&timestamp=1794930000")
        ask("GET", "/?id=stranger&lat=1&lon=2")
        ask("GET", "/?lat=1&lon=2")
        print(" ".join(map(str, out)), c.sock is not None)
        """
        let phones = try Program.output(["/usr/bin/python3", "-c", script]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(phones == "200 405 200 200 200 400 404 400 True",
                "both forms taken, a HEAD records nothing (405), a year-old one answered, one hours ahead 400, unknown 404, no id 400, one connection: \(phones)")

        // The two Traccar clients' requests byte for byte on a raw socket, for R03's phone as riders.csv names it:
        // the older Android client's query form, then Traccar Client 9's JSON.
        let phone = try #require(try String(contentsOfFile: city + "/riders.csv", encoding: .utf8).split(separator: "\n")
            .first { $0.hasPrefix("R03,") }?.split(separator: ",").last.map(String.init))
        let json = #"{"location":{"timestamp":"2026-11-17T12:00:40.000Z","coords":{"latitude":-22.9768,"longitude":-43.3911,"accuracy":5,"speed":4.5,"heading":180,"altitude":8},"is_moving":true,"odometer":1200,"event":"motionchange","battery":{"level":0.8,"is_charging":false},"activity":{"type":"in_vehicle"},"extras":{}},"device_id":"PHONE","_":"&id=PHONE&lat=-22.9768&lon=-43.3911&timestamp=2026-11-17T12:00:40.000Z&"}"#
            .replacingOccurrences(of: "PHONE", with: phone)
        let android = "POST /?id=\(phone)&timestamp=1794916835&lat=-22.97132&lon=-43.38454&speed=9.719222&bearing=87.5&altitude=12.0&accuracy=8.0&batt=76.0 HTTP/1.1\r\n"
            + "Content-Length: 0\r\nHost: tower.example:5055\r\nConnection: Keep-Alive\r\nAccept-Encoding: gzip\r\nUser-Agent: okhttp/4.12.0\r\n\r\n"
        let client9 = "POST / HTTP/1.1\r\nuser-agent: Dart/3.5 (dart:io)\r\ncontent-type: application/json\r\naccept-encoding: gzip\r\n"
            + "content-length: \(json.utf8.count)\r\nhost: tower.example:5055\r\n\r\n" + json
        let raw = """
        import socket, sys
        out = []
        for request in sys.stdin.read().split("\\0"):
            s = socket.create_connection(("127.0.0.1", \(osmand)), timeout=10)
            s.sendall(request.encode())
            reply = b""
            while b"\\r\\n\\r\\n" not in reply:
                chunk = s.recv(4096)
                if not chunk: break
                reply += chunk
            out.append(reply.split(b" ")[1].decode())
            s.close()
        print(" ".join(out))
        """
        let replayed = try Program.output(["/usr/bin/python3", "-c", raw], input: android + "\0" + client9).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(replayed == "200 200", "both clients' bytes taken for riders.csv's phone: \(replayed)")

        let metrics = try Self.curl([base + "/metrics"])
        #expect(metrics.status == 200)
        #expect(metrics.body.contains("tower_http_requests_total{route=\"/v1/events\",code=\"200\"} 2"), "\(metrics.body)")
        #expect(metrics.body.contains("tower_inputs_total{type=\"rider.position\",outcome=\"accepted\"} 5"), "\(metrics.body)")
        #expect(metrics.body.contains("tower_journal_write_seconds_count "), "\(metrics.body)")
        // The order system's refused records are orders, also the CSV record that is not a row.
        #expect(metrics.body.contains("tower_inputs_total{type=\"order.created\",outcome=\"refused\"} 5"), "\(metrics.body)")
        #expect(metrics.body.contains("tower_inputs_total{type=\"rider.position\",outcome=\"stale\"} 1"), "a position a year old is not applied")
        #expect(metrics.body.contains("# TYPE tower_escalations_waiting gauge"))

        #expect(core.stop() == 0, "\(core.output)")
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.filter { $0.contains("\"id\":\"oms-1\"") }.count == 1, "the incident journaled once")
        #expect(lines.filter { $0.contains("\"by\":\"osmand\"") && $0.contains("\"rider\":\"R02\"") }.count == 2)
        #expect(lines.filter { $0.contains("\"by\":\"osmand\"") && $0.contains("\"rider\":\"R03\"") }.count == 3, "the raw clients' positions journaled")
        #expect(lines.filter { $0.contains("\"by\":\"driver-app\"") }.count == 3)
        #expect(lines.contains { $0.contains("\"id\":\"oms-5123456789\"") && $0.contains("\"customer\":\"Marina Lopes\"") && $0.contains("\"zone\":\"jacarepagua\"") },
                "the exported order journaled with its zone found from its point")
        #expect(lines.contains { $0.contains("\"id\":\"oms-X-1004\"") && $0.contains("\"zone\":\"jacarepagua\"") },
                "a JSON order without a zone journaled with its drop point's")
        // Every line the core journaled from these inputs reads back: a restart can resume it.
        let replay = try Tower.run(["replay", journal])
        #expect(replay.status == 0, "\(replay.stderr)")
    }
}
