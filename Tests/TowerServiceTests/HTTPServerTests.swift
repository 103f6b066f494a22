import Foundation
import Glibc
import Testing
import TowerCore
@testable import TowerService

/// Replies wait for the journal: none leaves before its ticket is released, and a connection's replies keep the
/// order of its requests.
@Suite struct HTTPServerTests {
    /// A gate a test opens by hand.
    final class HandGate: ReplyGate {
        var requested = 0
        var released = 0
        var uncovered = false
        func beginPass() {}
        func endPass() { if uncovered { uncovered = false; requested += 1 } }
        func ticket() -> Int { uncovered ? requested + 1 : requested }
        var wakeDescriptor: Int32 { -1 }  // poll ignores a negative descriptor
        func drain() {}
    }

    static func connect(_ port: UInt16) throws -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { throw ToolError("connect: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// What the client has received within `milliseconds`.
    static func received(_ fd: Int32, within milliseconds: Int32) -> String {
        var text = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        while poll(&fds, 1, milliseconds) > 0 {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            text += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        return text
    }

    @Test func aReplyWaitsForItsTicketAndALaterOneWaitsBehindIt() throws {
        let gate = HandGate()
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            if request.path == "/write" { gate.uncovered = true }  // as if the handler journaled an event
            var response = HTTPResponse.text(200, request.path)
            response.waitsForJournal = request.path != "/health"
            return response
        }
        defer { server.close() }
        server.gate = gate
        let client = try Self.connect(server.port)
        defer { close(client) }
        let requests = "GET /write HTTP/1.1\r\n\r\nGET /health HTTP/1.1\r\n\r\n"
        _ = requests.withCString { send(client, $0, strlen($0), 0) }
        for _ in 0..<5 { server.serve(timeout: 20) }
        #expect(gate.requested == 1, "the pass that journaled asked for one sync")
        #expect(Self.received(client, within: 50).isEmpty, "nothing before the sync: the health reply waits behind the write's")
        gate.released = 1
        server.serve(timeout: 20)
        let replies = Self.received(client, within: 200)
        let write = replies.range(of: "/write"), health = replies.range(of: "/health")
        #expect(write != nil && health != nil && write!.lowerBound < health!.lowerBound, "both, in order: \(replies)")
    }

    /// A client that pipelines requests and does not read the replies is answered only as far as a megabyte of
    /// replies waiting (and what the sockets hold): the rest of its requests wait in its socket, not in the core's
    /// memory (it was: every request read and answered, 400 MB held for 13 MB of `GET /metrics`). Read, every reply
    /// comes, in order, also when the client waited longer than a request may take to arrive: its requests were
    /// whole, they waited on it reading.
    @Test func aClientThatDoesNotReadIsAnsweredOnlyAsFarAsAMegabyteOfReplies() throws {
        var answered = 0
        let body = String(repeating: "x", count: 10_000)
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            answered += 1
            return HTTPResponse.text(200, "\(request.path) \(body)")
        }
        defer { server.close() }
        server.requestTimeout = 0.2
        let client = try Self.connect(server.port)
        defer { close(client) }
        let count = 3000  // 30 MB of replies
        var requests = Array((0..<count).map { "GET /\($0) HTTP/1.1\r\n\r\n" }.joined().utf8)
        var sent = 0
        var replies: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        var readAt: Int?
        for pass in 0..<20_000 {
            if sent < requests.count {
                let n = requests[sent...].withUnsafeBytes { send(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 { sent += n }
            }
            server.serve(timeout: 1)
            if readAt == nil, sent == requests.count, pass > 200 {
                // Nothing read yet: what was answered is bounded by the megabyte held and the sockets' buffers.
                #expect(answered < count / 2, "\(answered) of \(count) answered to a client that reads nothing")
                readAt = pass
                let deadline = Date().addingTimeInterval(0.5)
                while Date() < deadline { server.serve(timeout: 10) }
            }
            if readAt != nil {
                let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
                if n > 0 { replies += buffer[0..<n] }
                if answered == count, n <= 0, replies.count > count * body.count { break }
            }
        }
        requests.removeAll()
        let text = String(decoding: replies, as: UTF8.self)
        let order = text.components(separatedBy: "\r\n\r\n/").dropFirst().compactMap { Int($0.prefix { $0 != " " }) }
        #expect(answered == count && order == Array(0..<count), "\(answered) answered, \(order.count) replies read in order")
    }

    /// HEAD is answered as GET, with the head alone (its Content-Length the body's): the GET pipelined behind it on
    /// the same connection gets its whole reply, not the HEAD's body read as its own. A client that waits for
    /// `100 Continue` hears it before it sends its body, and the reply after.
    @Test func headGetsTheHeadAloneAndAWaitingClientHearsContinue() throws {
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            HTTPResponse.text(request.method == "GET" ? 200 : 201, "\(request.method) \(request.path) \(request.body.count)")
        }
        defer { server.close() }
        let client = try Self.connect(server.port)
        defer { close(client) }
        _ = "HEAD /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n".withCString { send(client, $0, strlen($0), 0) }
        for _ in 0..<3 { server.serve(timeout: 20) }
        let replies = Self.received(client, within: 100)
        #expect(replies.hasPrefix("HTTP/1.1 200 OK\r\n") && replies.contains("Content-Length: 8\r\n"), "\(replies)")
        #expect(!replies.contains("GET /a") && replies.hasSuffix("\r\n\r\nGET /b 0"), "the HEAD's body left out: \(replies.debugDescription)")

        _ = "POST /c HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n".withCString { send(client, $0, strlen($0), 0) }
        for _ in 0..<3 { server.serve(timeout: 20) }
        #expect(Self.received(client, within: 100) == "HTTP/1.1 100 Continue\r\n\r\n", "told to go on, once")
        _ = "body".withCString { send(client, $0, strlen($0), 0) }
        for _ in 0..<3 { server.serve(timeout: 20) }
        let reply = Self.received(client, within: 100)
        #expect(reply.hasPrefix("HTTP/1.1 201 ") && reply.hasSuffix("POST /c 4"), "\(reply)")
    }

    /// A client waiting to hear `100 Continue` whose head the screen refuses (a token that may not post) hears the
    /// refusal instead, before it sends its body, and the connection is closed; the handler never sees it. A head
    /// the screen lets by hears `100 Continue` as before.
    @Test func aRefusedHeadIsToldBeforeItsBodyIsSent() throws {
        var handled = 0
        let server = try HTTPServer(address: "127.0.0.1:0") { request in
            handled += 1
            return .now(HTTPResponse.text(200, request.path))
        }
        server.screen = { $0.header("authorization") == nil ? HTTPResponse.error(401, "a token is needed") : nil }
        defer { server.close() }
        let refused = try Self.connect(server.port)
        defer { close(refused) }
        _ = "POST /c HTTP/1.1\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n".withCString { send(refused, $0, strlen($0), 0) }
        for _ in 0..<3 { server.serve(timeout: 20) }
        let reply = Self.received(refused, within: 100)
        #expect(reply.hasPrefix("HTTP/1.1 401 ") && reply.contains("Connection: close\r\n") && !reply.contains("100 Continue"), "\(reply)")
        var byte: UInt8 = 0
        #expect(recv(refused, &byte, 1, Int32(MSG_DONTWAIT)) == 0, "closed after the refusal")
        let admitted = try Self.connect(server.port)
        defer { close(admitted) }
        _ = "POST /d HTTP/1.1\r\nAuthorization: Bearer x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n".withCString { send(admitted, $0, strlen($0), 0) }
        for _ in 0..<3 { server.serve(timeout: 20) }
        #expect(Self.received(admitted, within: 100) == "HTTP/1.1 100 Continue\r\n\r\n")
        _ = "body".withCString { send(admitted, $0, strlen($0), 0) }
        for _ in 0..<3 { server.serve(timeout: 20) }
        #expect(Self.received(admitted, within: 100).hasSuffix("/d") && handled == 1, "only the admitted request handled")
    }

    /// A request answered later holds back only what its connection pipelined behind it: another connection is
    /// answered meanwhile, and the held one's replies keep the order of its requests.
    @Test func aRequestAnsweredLaterHoldsOnlyItsOwnConnection() throws {
        var shares = 0
        let server = try HTTPServer(address: "127.0.0.1:0") { request -> HTTPAnswer in
            guard request.path == "/slow" else { return .now(HTTPResponse.text(200, request.path)) }
            return .later {
                shares += 1
                return shares < 3 ? nil : HTTPResponse.text(200, "/slow after \(shares)")
            }
        }
        defer { server.close() }
        let first = try Self.connect(server.port), second = try Self.connect(server.port)
        defer { close(first); close(second) }
        _ = "GET /slow HTTP/1.1\r\n\r\nGET /after HTTP/1.1\r\n\r\n".withCString { send(first, $0, strlen($0), 0) }
        for _ in 0..<5 where !server.busy { server.serve(timeout: 50) }  // accepted, then read
        #expect(server.busy && shares < 3)
        _ = "GET /other HTTP/1.1\r\n\r\n".withCString { send(second, $0, strlen($0), 0) }
        server.serve(timeout: 50)
        #expect(Self.received(second, within: 100).contains("/other"), "the other connection is not held")
        #expect(Self.received(first, within: 50).isEmpty, "nothing on the first before its slow request is done")
        for _ in 0..<3 { server.serve(timeout: 20) }
        #expect(!server.busy)
        let replies = Self.received(first, within: 200)
        let slow = replies.range(of: "/slow after 3"), after = replies.range(of: "/after")
        #expect(slow != nil && after != nil && slow!.lowerBound < after!.lowerBound, "both, in order: \(replies)")
    }

    @Test func theHealthCheckAloneNeverWaits() throws {
        let gate = HandGate()
        gate.requested = 3  // syncs asked for and hanging
        let server = try HTTPServer(address: "127.0.0.1:0") { _ in
            var response = HTTPResponse.text(200, "ok")
            response.waitsForJournal = false
            return response
        }
        defer { server.close() }
        server.gate = gate
        let client = try Self.connect(server.port)
        defer { close(client) }
        _ = "GET /healthz HTTP/1.1\r\n\r\n".withCString { send(client, $0, strlen($0), 0) }
        for _ in 0..<5 { server.serve(timeout: 20) }
        #expect(Self.received(client, within: 200).hasPrefix("HTTP/1.1 200"))
    }

    @Test func groupCommitCoversWhatWasJournaledAndReleasesOnceSynced() throws {
        let fixture = try CoreServerTests.Fixture(durability: .live)
        let commits = try GroupCommit(engine: fixture.session.engine)
        #expect(!commits.hasUncovered && commits.ticket() == 0)
        let engine = fixture.session.engine
        engine.sync()
        let journal = fixture.folder + "/j.jsonl"
        let size = { (try? FileManager.default.attributesOfItem(atPath: journal)[.size] as? Int) ?? -1 }
        let before = size()
        let rider = try #require(engine.world.riderIDs.first)
        commits.beginPass()
        try engine.submit(Event(id: "phone-1", at: engine.world.clock!, by: "osmand",
                                body: .riderPosition(rider: rider, position: GeoPoint(lat: -22.9, lon: -43.2))))
        #expect(commits.hasUncovered && commits.ticket() == 1)
        #expect(size() == before, "the pass's step waits in memory")
        commits.endPass()
        #expect(size() > before, "written out at the end of the pass")
        #expect(commits.requested == 1)
        #expect(!commits.hasUncovered && commits.ticket() == 1, "a reply made now waits for the sync in flight")
        commits.finish()
        #expect(commits.released == 1 && commits.syncs.count == 1 && commits.oldestWaiting == 0)
    }

    /// A journal whose file cannot be synced (its descriptor is a pipe's: fsync fails).
    final class UnsyncableSink: EventSink {
        let ends: [Int32]
        init() { var ends: [Int32] = [0, 0]; _ = Glibc.pipe(&ends); self.ends = ends }
        deinit { ends.forEach { _ = Glibc.close($0) } }
        func append(_ event: Event) throws {}
        func endStep() throws {}
        func sync() {}
        func syncIfDue() {}
        func duplicateDescriptor() -> Int32? { dup(ends[1]) }
    }

    @Test func aFailedSyncReleasesNothingAndSaysWhy() throws {
        let sink = UnsyncableSink()
        let engine = Engine(journal: sink, settings: EngineSettings(planLock: Instant(seconds: 1_000_000)))
        let commits = try GroupCommit(engine: engine)
        try engine.submit(Event(id: "z", at: Instant(seconds: 100), by: "feed",
                                body: .zoneDefined(Zone(id: "Z1", name: "Centro", area: GeoBox(south: -22.95, west: -43.25, north: -22.85, east: -43.15),
                                                        baseSpeedKmh: 18))))
        let before = commits.released
        commits.endPass()
        commits.finish()
        #expect(commits.released == before, "the pass's replies are never sent")
        #expect(commits.failure?.contains("sync failed") == true, "\(commits.failure ?? "")")
    }
}
