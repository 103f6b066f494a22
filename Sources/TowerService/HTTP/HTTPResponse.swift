import Foundation

/// A handler's answer: a response now, or work the server goes on with once a pass until it gives the response (a
/// long body taken a share at a time, so the core's loop goes on between shares: phones, boards, the health check).
public enum HTTPAnswer {
    case now(HTTPResponse)
    case later(() -> HTTPResponse?)
}

/// An HTTP/1.1 response: status, content type and body; written with Content-Length, so keep-alive needs no
/// chunking.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(name: String, value: String)] = []
    /// Whether it waits until everything journaled before it is on disk (every reply but the health check, which
    /// must answer while a sync hangs).
    public var waitsForJournal = true

    public init(status: Int, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A JSON body from an encodable value (keys sorted, so replies are stable).
    public static func json(_ status: Int, _ value: some Encodable) -> HTTPResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return HTTPResponse(status: status, body: Array(data) + [0x0A])
    }

    /// `{"error": reason}` with the status.
    public static func error(_ status: Int, _ reason: String) -> HTTPResponse { json(status, ["error": reason]) }

    public static func text(_ status: Int, _ text: String, contentType: String = "text/plain; charset=utf-8") -> HTTPResponse {
        HTTPResponse(status: status, contentType: contentType, body: Array(text.utf8))
    }

    /// The reply's bytes; `headOnly` (a HEAD's): the head alone, its Content-Length the body's it would have had.
    func encoded(closing: Bool, headOnly: Bool = false) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.phrase(status))\r\nContent-Type: \(contentType)\r\nContent-Length: \(body.count)\r\n"
        for header in headers { head += "\(header.name): \(header.value)\r\n" }
        if closing { head += "Connection: close\r\n" }
        return Array((head + "\r\n").utf8) + (headOnly ? [] : body)
    }

    static func phrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 202: "Accepted"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Content"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 503: "Service Unavailable"
        case 505: "HTTP Version Not Supported"
        default: "Status"
        }
    }
}
