import Testing
@testable import TowerService

/// The HTTP parser: whole requests out of partial bytes, pipelined requests one by one, and every broken or
/// oversized request answered with its status and reason.
@Suite struct HTTPParserTests {
    static func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func aRequestArrivingInPiecesIsTakenWhenWholeAndPipelinedOnesOneByOne() throws {
        let parser = HTTPParser()
        let first = "POST /v1/events?x=1%202&y=a+b HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
        let second = "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"
        let all = Self.bytes(first + second)
        for cut in [10, 40] {
            guard case .incomplete = parser.parse(all[0..<cut]) else { Issue.record("a partial request at \(cut) is not whole"); return }
        }
        guard case .awaitingBody(_, continues: false) = parser.parse(all[0..<(first.utf8.count - 1)]) else { Issue.record("the head whole, the body not"); return }
        guard case let .request(request, consumed) = parser.parse(all[...]) else { Issue.record("no request"); return }
        #expect(request.method == "POST" && request.path == "/v1/events" && request.body == Self.bytes("hello"))
        #expect(request.query == ["x": "1 2", "y": "a b"])
        #expect(request.header("host") == "t" && !request.closes)
        guard case let .request(next, _) = parser.parse(all[consumed...]) else { Issue.record("no second request"); return }
        #expect(next.path == "/healthz" && next.closes)
    }

    @Test(arguments: [
        ("GET /\r\n\r\n", 400), ("get / HTTP/1.1\r\n\r\n", 400), ("GET / HTTP/2.0\r\n\r\n", 505), ("GET x HTTP/1.1\r\n\r\n", 400),
        ("GET /%zz HTTP/1.1\r\n\r\n", 400), ("GET / HTTP/1.1\r\nNoColon\r\n\r\n", 400), ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", 400), ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n", 413),
    ])
    func aBrokenRequestGetsItsStatusAndAReason(text: String, status: Int) {
        guard case let .failure(got, reason) = HTTPParser().parse(Self.bytes(text)[...]) else { Issue.record("\(text.debugDescription) was taken"); return }
        #expect(got == status, "\(text.debugDescription): \(reason)")
        #expect(!reason.isEmpty)
    }

    @Test func bytesThatAreNotUTF8AreA400AndATabOrSpacesAroundAValueAreNotPartOfIt() {
        for raw: [UInt8] in [Array("GET /a".utf8) + [0xFF] + Array(" HTTP/1.1\r\n\r\n".utf8),
                             Array("GET / HTTP/1.1\r\nX-Note: ".utf8) + [0xC3, 0x28] + Array("\r\n\r\n".utf8),
                             Array("GET / HTTP/1.1\r\nX-N".utf8) + [0xC3, 0xA9] + Array(": 1\r\n\r\n".utf8)] {
            guard case let .failure(status, reason) = HTTPParser().parse(raw[...]) else { Issue.record("\(raw) was taken"); return }
            #expect(status == 400 && !reason.isEmpty)
        }
        guard case let .request(request, _) = HTTPParser().parse(Self.bytes("GET /caf%C3%A9?a=1+2&b=%41&a=3&c HTTP/1.1\r\nX-Note: \t caf\u{e9} \t\r\n\r\n")[...]) else {
            Issue.record("not taken"); return
        }
        #expect(request.path == "/caf\u{e9}" && request.query == ["a": "1 2", "b": "A", "c": ""] && request.header("x-note") == "caf\u{e9}")
    }

    /// A client that asks to hear `100 Continue` before it sends a body (HTTP/1.1 only) is said to wait for it; a
    /// target in absolute form (`http://host/path`, as proxies send it) is read for its path and query.
    @Test func aClientWaitingToContinueIsSeenAndAnAbsoluteTargetIsReadForItsPath() {
        let parser = HTTPParser()
        let waiting = Self.bytes("POST /v1/orders HTTP/1.1\r\nContent-Length: 9\r\nExpect: 100-Continue\r\n\r\n")
        guard case .awaitingBody(_, continues: true) = parser.parse(waiting[...]) else { Issue.record("not waiting to continue"); return }
        let old = Self.bytes("POST /v1/orders HTTP/1.0\r\nContent-Length: 9\r\nExpect: 100-continue\r\n\r\n")
        guard case .awaitingBody(_, continues: false) = parser.parse(old[...]) else { Issue.record("HTTP/1.0 has no 100 Continue"); return }
        for (target, path, query) in [("http://core.example:8480/v1/orders/O-1?x=1", "/v1/orders/O-1", ["x": "1"]), ("HTTPS://core", "/", [:]),
                                      ("http://core?x=2", "/", ["x": "2"])] {
            guard case let .request(request, _) = parser.parse(Self.bytes("GET \(target) HTTP/1.1\r\n\r\n")[...]) else { Issue.record("\(target) refused"); continue }
            #expect(request.path == path && request.query == query, "\(target)")
        }
        guard case .failure(400, _) = parser.parse(Self.bytes("GET ftp://core/x HTTP/1.1\r\n\r\n")[...]) else { Issue.record("another scheme taken"); return }
    }

    @Test func oversizedLinesAndHeadersAreRefusedBeforeTheyAreWhole() {
        var limits = HTTPParser.Limits()
        limits.requestLine = 100
        limits.headerBytes = 200
        let parser = HTTPParser(limits: limits)
        let longLine = Self.bytes("GET /" + String(repeating: "a", count: 500))
        guard case .failure(414, _) = parser.parse(longLine[...]) else { Issue.record("a long request line is not refused"); return }
        let longHeaders = Self.bytes("GET / HTTP/1.1\r\n" + String(repeating: "X-A: b\r\n", count: 100))
        guard case .failure(431, _) = parser.parse(longHeaders[...]) else { Issue.record("endless headers are not refused"); return }
    }
}
