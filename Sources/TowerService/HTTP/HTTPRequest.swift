import Foundation
import TowerCore

/// One HTTP/1.1 request as the server took it: method, path and query (percent-decoded), headers (names in lower
/// case), body.
public struct HTTPRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    /// The client asked HEAD: the server hands it on as a GET and sends the reply's head alone. A handler whose GET
    /// changes state (the OsmAnd port records a position) refuses it, since HEAD must change nothing.
    public var headOnly = false

    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    /// Whether the client asks to close the connection after this request (HTTP/1.1 keeps it open by default).
    public var closes: Bool { header("connection")?.lowercased() == "close" }

    /// `a=1&b=x%20y` as a dictionary (`+` is a space); a name given twice keeps its first value.
    public static func form(_ text: Substring) -> [String: String] { form(Array(text.utf8)[...]) }

    static func form(_ bytes: ArraySlice<UInt8>) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? pair.endIndex
            guard let name = percentDecoded(pair[..<equals]), !name.isEmpty, fields[name] == nil else { continue }
            fields[name] = equals < pair.endIndex ? percentDecoded(pair[(equals + 1)...]) ?? "" : ""
        }
        return fields
    }

    /// Percent-decoding with `+` as a space; nil for a broken escape or bytes that are not UTF-8.
    static func percentDecoded(_ text: ArraySlice<UInt8>) -> String? {
        guard text.contains(where: { $0 == UInt8(ascii: "%") || $0 == UInt8(ascii: "+") }) else { return String(validating: text, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count)
        var iterator = text.makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "+"): bytes.append(0x20)
            case UInt8(ascii: "%"):
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            default: bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }
}

/// Reads requests out of the bytes a connection has received, within limits: a request that breaks the protocol
/// or a limit is an error with the status to answer and the reason, never a crash or an unbounded buffer.
public struct HTTPParser: Sendable {
    public struct Limits: Sendable {
        public var requestLine = 8 * 1024
        public var headerBytes = 32 * 1024
        public var headerCount = 100
        public var body = 4 * 1024 * 1024
        public init() {}
    }

    public enum Outcome: Sendable {
        /// More bytes are needed.
        case incomplete
        /// The head is whole (`head`, without its body) and the body is still to come; `continues`: the client
        /// waits to hear `100 Continue` before it sends the body (`Expect: 100-continue`, as curl and .NET clients
        /// send for large bodies).
        case awaitingBody(head: HTTPRequest, continues: Bool)
        /// A whole request, and how many bytes of the buffer it took.
        case request(HTTPRequest, consumed: Int)
        /// The connection must be answered with `status` and closed.
        case failure(status: Int, reason: String)
    }

    public var limits: Limits
    public init(limits: Limits = Limits()) { self.limits = limits }

    public func parse(_ buffer: ArraySlice<UInt8>) -> Outcome {
        let start = buffer.startIndex
        guard let headEnd = Self.find([13, 10, 13, 10], in: buffer) else {
            if let lineEnd = Self.find([13, 10], in: buffer), lineEnd - start > limits.requestLine {
                return .failure(status: 414, reason: "the request line is longer than \(limits.requestLine) bytes")
            }
            if Self.find([13, 10], in: buffer) == nil, buffer.count > limits.requestLine {
                return .failure(status: 414, reason: "the request line is longer than \(limits.requestLine) bytes")
            }
            if buffer.count > limits.requestLine + limits.headerBytes {
                return .failure(status: 431, reason: "the headers are longer than \(limits.headerBytes) bytes")
            }
            return .incomplete
        }
        // The head is read as bytes (no String until a piece is kept): the request line, then one header a line.
        var lines = Self.lines(of: buffer[start..<headEnd])
        let requestLine = lines.removeFirst()
        guard requestLine.count <= limits.requestLine else {
            return .failure(status: 414, reason: "the request line is longer than \(limits.requestLine) bytes")
        }
        guard requestLine.allSatisfy({ $0 < 0x80 }) || String(validating: requestLine, as: UTF8.self) != nil else {
            return .failure(status: 400, reason: "the request line is not UTF-8")
        }
        guard headEnd - start - requestLine.count <= limits.headerBytes else {
            return .failure(status: 431, reason: "the headers are longer than \(limits.headerBytes) bytes")
        }
        guard lines.count <= limits.headerCount else { return .failure(status: 431, reason: "more than \(limits.headerCount) headers") }
        let parts = requestLine.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy({ (0x41...0x5A).contains($0) }) else {
            return .failure(status: 400, reason: "the request line is not METHOD TARGET HTTP/1.x")
        }
        guard parts[2].elementsEqual("HTTP/1.1".utf8) || parts[2].elementsEqual("HTTP/1.0".utf8) else {
            return .failure(status: 505, reason: "only HTTP/1.0 and HTTP/1.1 are spoken here, not '\(TextSanitizer.clean(String(decoding: parts[2].prefix(20), as: UTF8.self)))'")
        }
        var target = parts[1]
        // RFC 9112 3.2.2: a server takes the absolute form (`http://host/path`, as proxies send it) and reads the path.
        for scheme in ["http://", "https://"] where target.first != UInt8(ascii: "/") && target.count > scheme.utf8.count
            && target.prefix(scheme.utf8.count).map({ (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }).elementsEqual(scheme.utf8) {
            let authority = target.dropFirst(scheme.utf8.count)
            target = authority.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }.map { authority[$0...] } ?? []
            if target.first != UInt8(ascii: "/") { target = Array("/".utf8)[...] + target }
        }
        guard target.first == UInt8(ascii: "/") else { return .failure(status: 400, reason: "the target must be a path starting with / (or an absolute http URL)") }
        let mark = target.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex
        guard let path = HTTPRequest.percentDecoded(target[..<mark]), !path.utf8.contains(0) else {
            return .failure(status: 400, reason: "the path has a broken percent escape")
        }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count)
        for line in lines {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex else {
                return .failure(status: 400, reason: "a header line without a name and a colon")
            }
            let name = line[..<colon]
            guard name.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return .failure(status: 400, reason: "a header name with a space or a byte that is not a token's") }
            var value = line[(colon + 1)...]
            while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
            while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
            guard let text = String(validating: value, as: UTF8.self) else { return .failure(status: 400, reason: "a header value is not UTF-8") }
            headers.append((String(decoding: name.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }, as: UTF8.self), text))
        }
        var request = HTTPRequest(method: String(decoding: parts[0], as: UTF8.self), path: path,
                                  query: mark < target.endIndex ? HTTPRequest.form(target[(mark + 1)...]) : [:], headers: headers, body: [])
        if request.header("transfer-encoding") != nil {
            return .failure(status: 501, reason: "Transfer-Encoding is not taken here: send Content-Length")
        }
        let lengths = headers.filter { $0.name == "content-length" }
        var length = 0
        if let first = lengths.first {
            guard lengths.allSatisfy({ $0.value == first.value }), let value = Int(first.value), value >= 0 else {
                return .failure(status: 400, reason: "Content-Length is not one whole number")
            }
            length = value
        }
        guard length <= limits.body else { return .failure(status: 413, reason: "the body is \(length) bytes, more than \(limits.body)") }
        let bodyStart = headEnd + 4
        guard buffer.endIndex - bodyStart >= length else {
            return .awaitingBody(head: request, continues: parts[2].elementsEqual("HTTP/1.1".utf8) && request.header("expect")?.lowercased() == "100-continue")
        }
        request.body = Array(buffer[bodyStart..<(bodyStart + length)])
        return .request(request, consumed: bodyStart + length - start)
    }

    /// The CRLF-separated lines of a request's head.
    private static func lines(of head: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var from = head.startIndex
        var index = head.startIndex
        while index + 1 < head.endIndex {
            if head[index] == 13, head[index + 1] == 10 {
                lines.append(head[from..<index])
                index += 2
                from = index
            } else {
                index += 1
            }
        }
        lines.append(head[from..<head.endIndex])
        return lines
    }

    private static func find(_ needle: [UInt8], in haystack: ArraySlice<UInt8>) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        var index = haystack.startIndex
        let last = haystack.endIndex - needle.count
        while index <= last {
            if haystack[index] == needle[0] {
                var match = true
                for offset in 1..<needle.count where haystack[index + offset] != needle[offset] {
                    match = false
                    break
                }
                if match { return index }
            }
            index += 1
        }
        return nil
    }
}
