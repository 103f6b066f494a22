import Foundation
import Glibc
import TowerCore

/// What replies wait for: the journal's sync (`GroupCommit`). A reply carries a ticket; it is sent once the gate has
/// released its ticket, and a connection's replies always go in the order of its requests.
public protocol ReplyGate: AnyObject {
    /// Called before a pass reads requests: the journal may keep the pass's steps until `endPass`.
    func beginPass()
    /// Called after: writes out what the pass journaled and covers it with a new ticket.
    func endPass()
    /// The ticket a reply made now waits for (everything journaled before it durable).
    func ticket() -> Int
    /// The highest ticket released.
    var released: Int { get }
    /// Readable when a ticket is released, to wake the loop's poll; `drain` empties it.
    var wakeDescriptor: Int32 { get }
    func drain()
}

/// A small HTTP/1.1 server on the core's loop: keep-alive, pipelining, limits on every size, a cap on
/// connections, and timeouts against slow clients. Requests are answered by `handler` on the core's thread; a
/// reply is sent only once what was journaled before it is on disk (`gate`: one fsync per pass for every request
/// in it, made off the core's thread while the core goes on). A handler may answer later (`HTTPAnswer.later`):
/// its work goes on a share each pass, the requests pipelined behind it on that connection wait for it, and every
/// other connection is served meanwhile.
public final class HTTPServer {
    public let port: UInt16
    private let listener: Int32
    private let acceptor: Acceptor
    private let parser: HTTPParser
    private let handler: (HTTPRequest) -> HTTPAnswer
    private var connections: [Connection] = []
    /// Where reads land before they are appended to a connection's input (one buffer, reused every pass).
    private var chunk = [UInt8](repeating: 0, count: 65536)
    /// What replies wait for; nil: they go at once.
    public var gate: ReplyGate?
    /// Asked of a request's head when its client waits to hear `100 Continue`: a refusal (a token that may not
    /// post, a path nothing takes the request on) is answered instead, before the body is sent, and the connection
    /// closed (RFC 9110 10.1.1).
    public var screen: ((HTTPRequest) -> HTTPResponse?)?

    public static let maxConnections = 512
    /// A connection with nothing to do is closed after this; a request begun must be complete within
    /// `requestTimeout` (a client sending a byte a minute holds nothing for long).
    static let idleTimeout = 60.0
    var requestTimeout = 10.0
    /// Replies a connection may have waiting to be sent before its next requests are read or answered: a client
    /// that pipelines requests and does not read the replies holds this much of the core's memory, and the rest of
    /// its requests wait in its socket.
    static let maxPendingReplies = 1 << 20

    final class Connection {
        let fd: Int32
        var input: [UInt8] = []
        /// Replies waiting for their ticket, in the order of the requests.
        var held: [(ticket: Int, bytes: [UInt8])] = []
        var heldBytes = 0
        var output: [UInt8] = []
        var written = 0
        /// Whether requests read are waiting for the replies before them to be sent (`maxPendingReplies`).
        var waitingForRoom = false
        var lastActivity = Date()
        var requestStarted: Date?
        var closing = false
        var gone = false
        /// A request answered later: its work, whether the connection closes after its reply, and whether the reply
        /// goes without its body (HEAD). It is finished even when the client goes: the core took part of it already.
        var work: (next: () -> HTTPResponse?, closes: Bool, headOnly: Bool)?
        /// Whether the request being read was told `100 Continue` (it is told once).
        var continued = false
        init(fd: Int32) { self.fd = fd }

        /// Reply bytes not yet sent, held or in the socket's way.
        var pendingReplies: Int { heldBytes + output.count - written }
        /// Whether more of its requests may be read and answered now.
        var hasRoom: Bool { work == nil && !closing && pendingReplies < HTTPServer.maxPendingReplies }

        func hold(_ ticket: Int, _ bytes: [UInt8]) {
            held.append((ticket, bytes))
            heldBytes += bytes.count
        }
    }

    public init(address: String, limits: HTTPParser.Limits = HTTPParser.Limits(), handler: @escaping (HTTPRequest) -> HTTPAnswer) throws {
        (listener, port) = try TCPSocket.listen(address)
        acceptor = Acceptor(listener: listener)
        parser = HTTPParser(limits: limits)
        self.handler = handler
    }

    /// A server whose every answer is given at once.
    public convenience init(address: String, limits: HTTPParser.Limits = HTTPParser.Limits(),
                            respond: @escaping (HTTPRequest) -> HTTPResponse) throws {
        try self.init(address: address, limits: limits, handler: { .now(respond($0)) })
    }

    /// Connections open now.
    public var connectionCount: Int { connections.count }

    /// Whether a request is being answered later: the loop should come back at once rather than wait on `poll`.
    public var busy: Bool { connections.contains { $0.work != nil || ($0.waitingForRoom && $0.hasRoom) } }

    /// What to wait for: new connections, requests, room to write.
    public func descriptors() -> [pollfd] {
        [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            + connections.map { connection in
                let events = (connection.hasRoom ? Int16(POLLIN) : 0) | (connection.written < connection.output.count ? Int16(POLLOUT) : 0)
                return pollfd(fd: connection.fd, events: events, revents: 0)
            }
            + (gate.map { [pollfd(fd: $0.wakeDescriptor, events: Int16(POLLIN), revents: 0)] } ?? [])
    }

    /// Handles what `descriptors()` polled ready (in the same order).
    public func handle(_ ready: ArraySlice<pollfd>) {
        let ready = Array(ready)
        gate?.beginPass()
        for (index, connection) in connections.enumerated() where index + 1 < ready.count && ready[index + 1].revents != 0 {
            read(connection)
        }
        if !ready.isEmpty, ready[0].revents & Int16(POLLIN) != 0 { acceptWaiting() }
        for connection in connections {
            guard let work = connection.work, let response = work.next() else { continue }
            connection.work = nil
            queue(response, on: connection, closing: work.closes, headOnly: work.headOnly, ticket: response.waitsForJournal ? gate?.ticket() ?? 0 : 0)
            answerWaiting(connection)
        }
        if let gate {
            gate.endPass()
            gate.drain()
        }
        let released = gate?.released ?? .max
        let now = Date()
        for connection in connections {
            if connection.waitingForRoom, connection.hasRoom { answerWaiting(connection) }
            // Requests waiting for room are whole: they wait on the client reading its replies, which the idle
            // timeout bounds, not on the client sending them.
            if connection.work == nil, !connection.waitingForRoom, let started = connection.requestStarted,
               now.timeIntervalSince(started) > requestTimeout, !connection.closing {
                queue(HTTPResponse.error(408, "the request was not complete within \(String(format: "%g", requestTimeout)) s"), on: connection, closing: true, ticket: 0)
            }
            while let first = connection.held.first, first.ticket <= released {
                connection.output.append(contentsOf: first.bytes)
                connection.heldBytes -= first.bytes.count
                connection.held.removeFirst()
            }
            flush(connection)
            if now.timeIntervalSince(connection.lastActivity) > Self.idleTimeout, connection.held.isEmpty, connection.work == nil { connection.gone = true }
            if connection.closing, connection.held.isEmpty, connection.written == connection.output.count { connection.gone = true }
        }
        connections.removeAll { connection in
            guard connection.gone, connection.work == nil else { return false }
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
        let refusal = { HTTPResponse.error(503, "the core has no file descriptors left: try again shortly").encoded(closing: true) }
        while let fd = acceptor.next(refusal: refusal()) {
            let connection = Connection(fd: fd)
            connections.append(connection)
            if connections.count > Self.maxConnections {
                queue(HTTPResponse.error(503, "too many connections (\(Self.maxConnections)): try again shortly"), on: connection, closing: true, ticket: 0)
            }
        }
    }

    /// Reads what arrived and answers every whole request in it. A connection whose request is answered later is
    /// not read meanwhile (what it pipelines behind waits in the socket, not in memory), nor is one whose replies
    /// wait to be sent (`maxPendingReplies`).
    private func read(_ connection: Connection) {
        guard connection.hasRoom else { return }
        // The largest request the limits allow, and a chunk: beyond it the input holds whole requests to answer first.
        let readAhead = parser.limits.requestLine + parser.limits.headerBytes + parser.limits.body + chunk.count
        while !connection.closing, connection.input.count < readAhead {
            let count = chunk.withUnsafeMutableBytes { recv(connection.fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                connection.input.append(contentsOf: chunk[0..<count])
                connection.lastActivity = Date()
                if connection.requestStarted == nil { connection.requestStarted = Date() }
                if count < chunk.count { break }
            } else if count == 0 {
                connection.closing = true
                if connection.held.isEmpty, connection.written == connection.output.count, connection.work == nil { connection.gone = true }
                break
            } else {
                if errno == EINTR { continue }
                if errno != EAGAIN && errno != EWOULDBLOCK { connection.gone = true }
                break
            }
        }
        answerWaiting(connection)
    }

    /// Answers the whole requests read so far, in order, until one is answered later. HEAD is answered as GET
    /// would be, without the body (RFC 9110 9.3.2: every general-purpose server takes GET and HEAD; a body after a
    /// HEAD's reply would be read as the next reply on the connection).
    private func answerWaiting(_ connection: Connection) {
        var offset = 0
        while connection.hasRoom, offset < connection.input.count {
            switch parser.parse(connection.input[offset...]) {
            case .incomplete:
                break
            case let .awaitingBody(head, continues):
                if continues, !connection.continued {
                    connection.continued = true
                    if let refusal = screen?(head) {
                        queue(refusal, on: connection, closing: true, ticket: 0)
                    } else {
                        connection.hold(0, Array("HTTP/1.1 100 Continue\r\n\r\n".utf8))
                    }
                }
            case .request(var request, let consumed):
                offset += consumed
                connection.continued = false
                if request.method == "HEAD" { (request.method, request.headOnly) = ("GET", true) }
                switch handler(request) {
                case let .now(response):
                    queue(response, on: connection, closing: request.closes, headOnly: request.headOnly, ticket: response.waitsForJournal ? gate?.ticket() ?? 0 : 0)
                case let .later(next):
                    connection.work = (next, request.closes, request.headOnly)
                }
                continue
            case let .failure(status, reason):
                queue(HTTPResponse.error(status, reason), on: connection, closing: true, ticket: 0)
            }
            break
        }
        if offset > 0 { connection.input.removeFirst(offset) }
        // Stored, not derived: once replies drain the connection has room again, and the loop must still know that
        // requests read before wait to be answered.
        connection.waitingForRoom = !connection.input.isEmpty && connection.work == nil && !connection.closing
            && connection.pendingReplies >= Self.maxPendingReplies
        connection.requestStarted = connection.input.isEmpty ? nil : connection.requestStarted
    }

    /// Holds a reply until its ticket is released (a later reply on the connection waits behind an earlier one).
    private func queue(_ response: HTTPResponse, on connection: Connection, closing: Bool, headOnly: Bool = false, ticket: Int) {
        connection.hold(ticket, response.encoded(closing: closing, headOnly: headOnly))
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
