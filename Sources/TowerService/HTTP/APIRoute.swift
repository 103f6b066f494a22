/// The core API's endpoints, by the shape of their paths: one table for the router (`CoreAPI.answer`), the 405's
/// `Allow`, the screen a request's head goes through before its body (`CoreAPI.refusal(beforeBody:)`), the scope a
/// token needs and the name `/metrics` counts a request under.
enum APIRoute: Equatable {
    case health
    case metrics
    case events
    case orders
    case order(String)
    case riderRoute(String)
    case stop(rider: String, order: String)

    /// The endpoint a path's segments name, nil for none.
    init?(path parts: [String]) {
        switch parts.count {
        case 1 where parts[0] == "healthz": self = .health
        case 1 where parts[0] == "metrics": self = .metrics
        case 2 where parts[0] == "v1" && parts[1] == "events": self = .events
        case 2 where parts[0] == "v1" && parts[1] == "orders": self = .orders
        case 3 where parts[0] == "v1" && parts[1] == "orders": self = .order(parts[2])
        case 4 where parts[0] == "v1" && parts[1] == "riders" && parts[3] == "route": self = .riderRoute(parts[2])
        case 5 where parts[0] == "v1" && parts[1] == "riders" && parts[3] == "stops": self = .stop(rider: parts[2], order: parts[4])
        default: return nil
        }
    }

    /// Whether it reads (GET, and HEAD, which the server turns into a GET without the body) or takes input (POST).
    var reads: Bool {
        switch self {
        case .health, .metrics, .order, .riderRoute: true
        case .events, .orders, .stop: false
        }
    }

    /// The methods it takes, as a 405's `Allow` names them.
    var allowed: String { reads ? "GET, HEAD" : "POST" }

    /// Whether a request's method (HEAD already turned into GET) is one it takes.
    func takes(_ method: String) -> Bool { method == (reads ? "GET" : "POST") }

    /// The endpoints' names, as `/metrics` counts requests under them.
    enum Name: String {
        case health = "/healthz"
        case metrics = "/metrics"
        case events = "/v1/events"
        case orders = "/v1/orders"
        case order = "/v1/orders/{order}"
        case riderRoute = "/v1/riders/{rider}/route"
        case stop = "/v1/riders/{rider}/stops/{order}"
    }

    var name: Name {
        switch self {
        case .health: .health
        case .metrics: .metrics
        case .events: .events
        case .orders: .orders
        case .order: .order
        case .riderRoute: .riderRoute
        case .stop: .stop
        }
    }

    /// The scope a token needs for a request (nil: none, `/healthz` is for probes); a path no route takes needs the
    /// scope its method would, so a caller without a token hears 401 before it learns which paths exist.
    static func scope(of route: APIRoute?, method: String) -> AccessTokens.Scope? {
        if route == .health { return nil }
        if method == "GET" { return .read }
        return route == .orders ? .orders : .events
    }
}
