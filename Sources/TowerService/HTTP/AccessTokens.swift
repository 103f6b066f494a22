import Foundation
import Glibc
import TowerCore

/// Bearer tokens for the HTTP API, one per integration, each with what it may do. Read from a file only its owner
/// may read (mode 0600 or stricter: a token file others can read is refused). One line per token:
///
///     # name     token                              scopes          [requests a second]
///     oms        6f1c0e4a9b27d3c58e0f2a71b4c6d9e3   events          50
///     tracking   a83b5d0c17e94f62b0d8c3e5f7a1b942   read
///
/// Each token may make its rate of requests a second (default `defaultRate`), with a burst of twice that; past it,
/// 429 with Retry-After.
/// Tokens are compared in constant time (no early exit on the first differing byte), against every token.
public struct AccessTokens: Sendable {
    /// What a token may do.
    public enum Scope: String, CaseIterable, Sendable {
        /// POST /v1/events and POST /v1/riders/{rider}/stops/{order}.
        case events
        /// POST /v1/orders.
        case orders
        /// The OsmAnd endpoint is keyed by device id, as Traccar's is; this scope is for positions posted as events.
        case positions
        /// GET /v1/orders/{order}, GET /v1/riders/{rider}/route, GET /metrics.
        case read
    }

    struct Entry: Sendable {
        var name: String
        var token: [UInt8]
        var scopes: Set<Scope>
        var rate: Double
    }

    public static let defaultRate = 1000.0
    private let entries: [Entry]
    /// Each token's bucket: requests it may still make now, and when it was last filled.
    private var buckets: [String: (tokens: Double, at: Double)] = [:]

    init(entries: [Entry]) { self.entries = entries }

    public static func load(path: String) throws -> AccessTokens {
        var status = stat()
        guard stat(path, &status) == 0 else { throw ToolError("cannot read tokens \(path): \(String(cString: strerror(errno)))") }
        guard status.st_mode & 0o077 == 0 else {
            throw ToolError("tokens \(path) may be read by others (mode \(String(status.st_mode & 0o777, radix: 8))): chmod 600 it first")
        }
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read tokens \(path)") }
        return try parse(String(decoding: data, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name path: String) throws -> AccessTokens {
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !fields.isEmpty else { continue }
            func fail(_ reason: String) -> ToolError { ToolError("\(path) line \(index + 1): \(reason)") }
            guard fields.count == 3 || fields.count == 4 else {
                throw fail("expected NAME TOKEN SCOPES [RATE] (scopes: events, orders, positions, read, comma-separated; rate: requests a second)")
            }
            var rate = defaultRate
            if fields.count == 4 {
                guard let given = Double(fields[3]), given.isFinite, given > 0 else { throw fail("the rate of \(fields[0]) is not a positive number of requests a second") }
                rate = given
            }
            guard fields[1].utf8.count >= 16 else { throw fail("the token of \(fields[0]) is shorter than 16 characters") }
            var scopes: Set<Scope> = []
            for word in fields[2].split(separator: ",") {
                guard let scope = Scope(rawValue: String(word)) else { throw fail("unknown scope '\(TextSanitizer.clean(String(word)))'") }
                scopes.insert(scope)
            }
            if entries.contains(where: { $0.token == Array(fields[1].utf8) }) { throw fail("the token of \(fields[0]) is already another's") }
            entries.append(Entry(name: String(fields[0]), token: Array(fields[1].utf8), scopes: scopes, rate: rate))
        }
        return AccessTokens(entries: entries)
    }

    /// Who `authorization` (the header's value) names, if it is `Bearer TOKEN` with a known token; every token is
    /// compared whole, so the time taken says nothing about how much of a guess was right.
    func holder(of authorization: String?) -> Entry? {
        guard let authorization, authorization.hasPrefix("Bearer ") else { return nil }
        let given = Array(authorization.utf8.dropFirst(7))
        var found: Entry?
        for entry in entries {
            var difference = UInt8(given.count == entry.token.count ? 0 : 1)
            for index in 0..<entry.token.count { difference |= entry.token[index] ^ (index < given.count ? given[index] : 0) }
            if difference == 0 { found = entry }
        }
        return found
    }

    /// Nil when the request may go on; else the 401, 403 or 429 to answer. `now`: seconds on a steady clock.
    /// `spending`: whether the request takes one from its holder's rate (not when only its head is asked about,
    /// before its body comes: the whole request is asked again then).
    mutating func refusal(_ request: HTTPRequest, needs scope: Scope, now: Double, spending: Bool = true) -> HTTPResponse? {
        guard let holder = holder(of: request.header("authorization")) else {
            var response = HTTPResponse.error(401, "a known bearer token is needed (Authorization: Bearer TOKEN)")
            response.headers.append(("WWW-Authenticate", "Bearer"))
            return response
        }
        guard holder.scopes.contains(scope) else { return HTTPResponse.error(403, "the token of \(holder.name) may not \(scope.rawValue)") }
        var bucket = buckets[holder.name] ?? (2 * holder.rate, now)
        bucket.tokens = min(2 * holder.rate, bucket.tokens + (now - bucket.at) * holder.rate)
        bucket.at = now
        guard bucket.tokens >= 1 else {
            buckets[holder.name] = bucket
            var response = HTTPResponse.error(429, "\(holder.name) may make \(formatRate(holder.rate)) requests a second")
            response.headers.append(("Retry-After", "1"))
            return response
        }
        if spending { bucket.tokens -= 1 }
        buckets[holder.name] = bucket
        return nil
    }

    private func formatRate(_ rate: Double) -> String { rate == rate.rounded() ? String(Int(rate)) : String(rate) }
}
