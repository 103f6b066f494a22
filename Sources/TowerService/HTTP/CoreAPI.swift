import Foundation
import TowerCore

/// The core's HTTP API and the OsmAnd endpoint, answered on the core's thread (see `HTTPServer`). Every input goes
/// through the core's `Ingestion`, as a feed line does: repeats recognised by id, refusals dead-lettered with the
/// reason and answered with it.
public final class CoreAPI {
    let session: CoreSession
    let ingestion: Ingestion
    public let devices: DeviceMap
    /// Requests by what answered them and status, inputs by event type and outcome: `/metrics`.
    var counters = APICounters()
    /// The group commits: one sync of the journal per pass that journaled something, off the core's thread; the
    /// servers' replies wait for them (set it as their `gate`).
    public let commits: GroupCommit
    /// The core loop's last pass (inputs, timers, replies), as the loop reports it: a long one means inputs waited.
    private(set) var lastPass = 0.0
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
    let orderMapping: OrderMapping?

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
    static func steadySeconds() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

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
}
