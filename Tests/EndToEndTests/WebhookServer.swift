import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP endpoint on 127.0.0.1 for the webhook tests: it answers each POST with the status a script
/// gives for the request's number and records the idempotency key and the body. A status of `drop` closes the
/// connection without an answer; a negative one holds it that many seconds first (a hung endpoint).
final class WebhookServer: @unchecked Sendable {
    struct Request { var key: String; var body: String; var status: Int; var at = Date() }
    static let drop = 0

    let port: UInt16
    private let fd: Int32
    private let lock = NSLock()
    private var received: [Request] = []
    private let status: @Sendable (Int) -> Int

    init(status: @escaping @Sendable (Int) -> Int = { _ in 200 }) throws {
        self.status = status
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.fd = fd
        port = UInt16(bigEndian: address.sin_port)
        Thread { [self] in serve() }.start()
    }

    var requests: [Request] { lock.withLock { received } }
    var url: String { "http://127.0.0.1:\(port)/hook" }

    /// Ends the serving: a waiting `accept` fails at once, and the serving thread closes the socket when it leaves.
    /// Closed here, its number could be another test's socket (the suites share a process) by the time that thread,
    /// still busy with a request, called `accept` again, and it would take that test's connection.
    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
    }

    private func serve() {
        defer { close(fd) }
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { return }
            // Keep-alive, as real endpoints do: requests on one connection until the client closes it or a drop.
            var data: [UInt8] = []
            while handle(client, &data) {}
            close(client)
        }
    }

    /// Answers one request; false when the connection is to be closed.
    private func handle(_ client: Int32, _ data: inout [UInt8]) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        func readMore() -> Bool {
            let n = chunk.withUnsafeMutableBytes { read(client, $0.baseAddress!, $0.count) }
            if n > 0 { data.append(contentsOf: chunk[0..<n]) }
            return n > 0
        }
        let separator = Array("\r\n\r\n".utf8)
        var headerEnd: Int?
        while headerEnd == nil {
            if data.count < 4 || (0...(data.count - 4)).allSatisfy({ Array(data[$0..<($0 + 4)]) != separator }) {
                guard readMore() else { return false }
            }
            headerEnd = (0...max(0, data.count - 4)).first { Array(data[$0..<min(data.count, $0 + 4)]) == separator }
        }
        let head = String(decoding: data[0..<headerEnd!], as: UTF8.self)
        func header(_ name: String) -> String? {
            head.split(separator: "\r\n").first { $0.lowercased().hasPrefix(name + ":") }
                .map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) }
        }
        let length = Int(header("content-length") ?? "0") ?? 0
        while data.count < headerEnd! + 4 + length { guard readMore() else { return false } }
        let body = String(decoding: data[(headerEnd! + 4)..<(headerEnd! + 4 + length)], as: UTF8.self)
        let code = lock.withLock { () -> Int in
            let code = status(received.count + 1)
            received.append(Request(key: header("idempotency-key") ?? "", body: body, status: code))
            return code
        }
        data.removeFirst(headerEnd! + 4 + length)
        if code <= WebhookServer.drop {
            if code < 0 { Thread.sleep(forTimeInterval: Double(-code)) }
            return false
        }
        let answer = Array("HTTP/1.1 \(code) X\r\nContent-Length: 0\r\n\r\n".utf8)
        _ = answer.withUnsafeBytes { write(client, $0.baseAddress!, $0.count) }
        return true
    }
}
