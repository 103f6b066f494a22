import Foundation
import Glibc
import TowerCore

/// A small HTTP/1.1 server on the core's loop: keep-alive, pipelining, limits on every size, a cap on
/// connections, and timeouts against slow clients. Requests are answered by `handler` on the core's thread; the
/// replies of one pass go out after `beforeReplies` (the journal's fsync: one per pass for every request in it,
/// so a reply is sent only once what it accepted is on disk).
public final class HTTPServer {
    public let port: UInt16
    private let listener: Int32
    private let parser: HTTPParser
    private let handler: (HTTPRequest) -> HTTPResponse
    private var connections: [Connection] = []
    /// Where reads land before they are appended to a connection's input (one buffer, reused every pass).
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// Called once a pass has handled requests, before any reply of it is sent.
    public var beforeReplies: (() -> Void)?

    public static let maxConnections = 512
    /// A connection with nothing to do is closed after this; a request begun must be complete within
    /// `requestTimeout` (a client sending a byte a minute holds nothing for long).
    static let idleTimeout = 60.0
    static let requestTimeout = 10.0

    final class Connection {
        let fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var written = 0
        var lastActivity = Date()
        var requestStarted: Date?
        var closing = false
        var gone = false
        init(fd: Int32) { self.fd = fd }
    }

    public init(address: String, limits: HTTPParser.Limits = HTTPParser.Limits(), handler: @escaping (HTTPRequest) -> HTTPResponse) throws {
        (listener, port) = try TCPSocket.listen(address)
        parser = HTTPParser(limits: limits)
        self.handler = handler
    }

    /// Connections open now.
    public var connectionCount: Int { connections.count }

    /// What to wait for: new connections, requests, room to write.
    public func descriptors() -> [pollfd] {
        [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            + connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN) | ($0.written < $0.output.count ? Int16(POLLOUT) : 0), revents: 0) }
    }

    /// Handles what `descriptors()` polled ready (in the same order).
    public func handle(_ ready: ArraySlice<pollfd>) {
        let ready = Array(ready)
        var answered = false
        for (index, connection) in connections.enumerated() where index + 1 < ready.count && ready[index + 1].revents != 0 {
            if read(connection) { answered = true }
        }
        if !ready.isEmpty, ready[0].revents & Int16(POLLIN) != 0 { acceptWaiting() }
        if answered { beforeReplies?() }
        let now = Date()
        for connection in connections {
            flush(connection)
            if let started = connection.requestStarted, now.timeIntervalSince(started) > Self.requestTimeout, !connection.closing {
                queue(HTTPResponse.error(408, "the request was not complete within \(Int(Self.requestTimeout)) s"), on: connection, closing: true)
                flush(connection)
            }
            if now.timeIntervalSince(connection.lastActivity) > Self.idleTimeout { connection.gone = true }
            if connection.closing, connection.written == connection.output.count { connection.gone = true }
        }
        connections.removeAll { connection in
            guard connection.gone else { return false }
            Glibc.close(connection.fd)
            return true
        }
    }

    /// One pass on its own (when the server is the only thing the loop waits on).
    public func serve(timeout: Int32) {
        var fds = descriptors()
        _ = poll(&fds, nfds_t(fds.count), timeout)
        handle(fds[...])
    }

    public func close() {
        for connection in connections { Glibc.close(connection.fd) }
        connections.removeAll()
        Glibc.close(listener)
    }

    private func acceptWaiting() {
        while let fd = UnixSocket.accept(listener) {
            let connection = Connection(fd: fd)
            connections.append(connection)
            if connections.count > Self.maxConnections {
                queue(HTTPResponse.error(503, "too many connections (\(Self.maxConnections)): try again shortly"), on: connection, closing: true)
            }
        }
    }

    /// Reads what arrived and answers every whole request in it; returns whether any was answered.
    private func read(_ connection: Connection) -> Bool {
        while !connection.closing {
            let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                connection.input.append(contentsOf: chunk[0..<count])
                connection.lastActivity = Date()
                if connection.requestStarted == nil { connection.requestStarted = Date() }
                if count < chunk.count { break }
            } else if count == 0 {
                connection.closing = true
                if connection.written == connection.output.count { connection.gone = true }
                break
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { connection.gone = true }
                break
            }
        }
        var answered = false
        var offset = 0
        while !connection.closing, offset < connection.input.count {
            switch parser.parse(connection.input[offset...]) {
            case .incomplete:
                break
            case let .request(request, consumed):
                offset += consumed
                queue(handler(request), on: connection, closing: request.closes)
                answered = true
                continue
            case let .failure(status, reason):
                queue(HTTPResponse.error(status, reason), on: connection, closing: true)
                answered = true
            }
            break
        }
        if offset > 0 { connection.input.removeFirst(offset) }
        connection.requestStarted = connection.input.isEmpty ? nil : connection.requestStarted
        return answered
    }

    private func queue(_ response: HTTPResponse, on connection: Connection, closing: Bool) {
        connection.output.append(contentsOf: response.encoded(closing: closing))
        if closing { connection.closing = true }
    }

    private func flush(_ connection: Connection) {
        while connection.written < connection.output.count {
            let count = connection.output[connection.written...].withUnsafeBytes { send(connection.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count > 0 {
                connection.written += count
                connection.lastActivity = Date()
            } else if count < 0, errno == EINTR {
                continue
            } else {
                if count < 0, errno != EAGAIN, errno != EWOULDBLOCK { connection.gone = true }
                break
            }
        }
        if connection.written == connection.output.count {
            connection.output.removeAll(keepingCapacity: true)
            connection.written = 0
        }
    }
}
