import Foundation
import Testing
import TowerCore
@testable import TowerService

/// Bearer tokens: each integration may do what its line says and nothing else; a token file others can read is
/// refused.
@Suite struct AccessTokensTests {
    static let file = """
    # name    token                              scopes
    oms       6f1c0e4a9b27d3c58e0f2a71b4c6d9e3   events,orders
    tracking  a83b5d0c17e94f62b0d8c3e5f7a1b942   read
    """

    static func request(_ authorization: String?) -> HTTPRequest {
        HTTPRequest(method: "POST", path: "/v1/events", query: [:], headers: authorization.map { [("authorization", $0)] } ?? [], body: [])
    }

    @Test func eachTokenMayDoWhatItsLineSays() throws {
        var tokens = try AccessTokens.parse(Self.file, name: "tokens")
        #expect(tokens.refusal(Self.request("Bearer 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3"), needs: .events, now: 0) == nil)
        #expect(tokens.refusal(Self.request("Bearer 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3"), needs: .read, now: 0)?.status == 403)
        #expect(tokens.refusal(Self.request("Bearer a83b5d0c17e94f62b0d8c3e5f7a1b942"), needs: .read, now: 0) == nil)
        for wrong in [nil, "Bearer ", "Bearer 6f1c0e4a9b27d3c58e0f2a71b4c6d9e", "Bearer 6f1c0e4a9b27d3c58e0f2a71b4c6d9e30", "Basic b21zOng=",
                      "Bearer 6f1c0e4a9b27d3c58e0f2a71b4c6d9e4"] {
            let refusal = tokens.refusal(Self.request(wrong), needs: .events, now: 0)
            #expect(refusal?.status == 401, "\(wrong ?? "no header")")
            #expect(refusal?.headers.contains { $0.name == "WWW-Authenticate" } == true)
        }
    }

    @Test func eachTokenHasItsRateWithABurstOfTwiceItThen429() throws {
        var tokens = try AccessTokens.parse("slow 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3 events 5\nfast a83b5d0c17e94f62b0d8c3e5f7a1b942 events", name: "tokens")
        let slow = Self.request("Bearer 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3"), fast = Self.request("Bearer a83b5d0c17e94f62b0d8c3e5f7a1b942")
        let burst = (0..<12).map { _ in tokens.refusal(slow, needs: .events, now: 100)?.status }
        #expect(burst.prefix(10).allSatisfy { $0 == nil } && burst.suffix(2).allSatisfy { $0 == 429 }, "\(burst)")
        #expect(tokens.refusal(fast, needs: .events, now: 100) == nil, "one integration's burst does not stop another")
        #expect(tokens.refusal(slow, needs: .events, now: 100.3) == nil, "a fifth of a second later there is room for one more")
        #expect(tokens.refusal(slow, needs: .events, now: 100.3)?.headers.contains { $0.name == "Retry-After" } == true)
    }

    /// Asking about a request's head before its body comes (a client waiting for `100 Continue`) refuses what the
    /// whole request would be refused, and takes nothing from the holder's rate: the whole request is asked again.
    @Test func aHeadAskedBeforeItsBodySpendsNothing() throws {
        var tokens = try AccessTokens.parse("slow 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3 events 5", name: "tokens")
        let slow = Self.request("Bearer 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3")
        #expect((0..<20).allSatisfy { _ in tokens.refusal(slow, needs: .events, now: 100, spending: false) == nil })
        #expect(tokens.refusal(Self.request(nil), needs: .events, now: 100, spending: false)?.status == 401)
        #expect(tokens.refusal(slow, needs: .orders, now: 100, spending: false)?.status == 403)
        let burst = (0..<11).map { _ in tokens.refusal(slow, needs: .events, now: 100)?.status }
        #expect(burst.prefix(10).allSatisfy { $0 == nil } && burst.last == 429, "the burst whole after the heads: \(burst)")
        #expect(tokens.refusal(slow, needs: .events, now: 100, spending: false)?.status == 429, "an empty rate refuses a head too")
    }

    @Test func aBrokenLineIsAnErrorNamingIt() {
        for text in ["oms short events", "oms 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3 write", "oms 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3",
                     "oms 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3 events -1", "oms 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3 events 5 extra",
                     "a 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3 read\nb 6f1c0e4a9b27d3c58e0f2a71b4c6d9e3 read"] {
            #expect(throws: ToolError.self, "\(text)") { try AccessTokens.parse(text, name: "tokens") }
        }
    }

    @Test func aTokenFileOthersCanReadIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tower-tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(Self.file.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        do {
            _ = try AccessTokens.load(path: path)
            Issue.record("a world-readable token file was taken")
        } catch {
            #expect("\(error)".contains("chmod 600"), "\(error)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(throws: Never.self) { try AccessTokens.load(path: path) }
    }
}
