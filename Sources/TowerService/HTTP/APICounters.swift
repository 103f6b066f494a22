/// What `/metrics` counts of the HTTP API and the OsmAnd endpoint: requests answered, by what answered them and the
/// status; inputs, by event type and outcome.
struct APICounters {
    /// What answered a request: an endpoint, or the check that answered before one could.
    enum Answerer: Hashable, Comparable {
        case endpoint(APIRoute.Name)
        /// A token's refusal (401, 403, 429).
        case auth
        /// No endpoint takes the request (404, 405).
        case other
        case osmand

        var label: String {
            switch self {
            case let .endpoint(name): name.rawValue
            case .auth: "auth"
            case .other: "other"
            case .osmand: "osmand"
            }
        }

        static func < (a: Answerer, b: Answerer) -> Bool { a.label < b.label }
    }

    enum Outcome: String, Comparable {
        case accepted, refused
        /// A phone's position too old to say where the rider is now: answered, not applied.
        case stale

        static func < (a: Outcome, b: Outcome) -> Bool { a.rawValue < b.rawValue }
    }

    private struct Request: Hashable {
        let answerer: Answerer
        let status: Int
    }

    private struct Input: Hashable {
        /// The event type as the input named it (`unknown` when it named none that reads as one).
        let type: String
        let outcome: Outcome
    }

    private var requests: [Request: Int] = [:]
    private var inputs: [Input: Int] = [:]

    mutating func answered(by answerer: Answerer, status: Int) { requests[Request(answerer: answerer, status: status), default: 0] += 1 }

    mutating func took(_ type: String, _ outcome: Outcome) { inputs[Input(type: type, outcome: outcome), default: 0] += 1 }

    /// `tower_http_requests_total`'s samples: labels (route, code) and counts, in a stable order.
    var requestSamples: [(labels: [(String, String)], count: Int)] {
        requests.sorted { ($0.key.answerer, $0.key.status) < ($1.key.answerer, $1.key.status) }
            .map { ([("route", $0.key.answerer.label), ("code", String($0.key.status))], $0.value) }
    }

    /// `tower_inputs_total`'s samples: labels (type, outcome) and counts, in a stable order.
    var inputSamples: [(labels: [(String, String)], count: Int)] {
        inputs.sorted { ($0.key.type, $0.key.outcome) < ($1.key.type, $1.key.outcome) }
            .map { ([("type", $0.key.type), ("outcome", $0.key.outcome.rawValue)], $0.value) }
    }
}
