import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.1 POST over a fresh TCP connection, written on POSIX sockets for `http://` webhooks.
///
/// Foundation's client on Linux waits out its whole timeout when an endpoint drops a connection unanswered and
/// then sends the POST again on its own, unseen by the relay. Here a drop is a failure at once, every request has
/// one connection (`Connection: close`), and the only retries are the relay's, each with its Idempotency-Key.
struct PlainHTTPPost {
    let host: String
    let port: UInt16
    let path: String
    let timeout: Double

    /// The status of the answer, or why there is none.
    func send(_ body: [UInt8], headers: [(String, String)]) -> Result<Int, PostFailure> {
        let deadline = Date().addingTimeInterval(timeout)
        let fd: Int32
        switch connect(deadline: deadline) {
        case let .success(socket): fd = socket
        case let .failure(failure): return .failure(failure)
        }
        defer { close(fd) }
        var request = "POST \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n"
        for (name, value) in headers { request += "\(name): \(value)\r\n" }
        let bytes = Array((request + "\r\n").utf8) + body
        var sent = 0
        while sent < bytes.count {
            guard wait(fd, for: Int16(POLLOUT), until: deadline) else { return .failure(PostFailure("no answer in \(Int(timeout)) s")) }
            let count = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(PostFailure("connection lost while sending: \(String(cString: strerror(errno)))"))
            }
            sent += count
        }
        // Only the status line is needed: read until its end (or the endpoint closes).
        var answer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1024)
        while !answer.contains(UInt8(ascii: "\n")), answer.count < 8192 {
            guard wait(fd, for: Int16(POLLIN), until: deadline) else { return .failure(PostFailure("no answer in \(Int(timeout)) s")) }
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(PostFailure("connection lost before the answer: \(String(cString: strerror(errno)))"))
            }
            if count == 0 { return .failure(PostFailure("the endpoint closed the connection without an answer")) }
            answer.append(contentsOf: chunk[0..<count])
        }
        let line = String(decoding: answer.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]), (100...599).contains(status) else {
            return .failure(PostFailure("not an HTTP answer"))
        }
        return .success(status)
    }

    struct PostFailure: Error {
        let reason: String
        init(_ reason: String) { self.reason = reason }
    }

    private func connect(deadline: Date) -> Result<Int32, PostFailure> {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            return .failure(PostFailure("cannot resolve \(host)"))
        }
        defer { freeaddrinfo(list) }
        var reason = "cannot connect to \(host):\(port)"
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            entry = info.pointee.ai_next
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue),
                            info.pointee.ai_protocol)
            guard fd >= 0 else { continue }
            if Glibc.connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 { return .success(fd) }
            if errno == EINPROGRESS, wait(fd, for: Int16(POLLOUT), until: deadline) {
                var error: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
                if error == 0 { return .success(fd) }
                reason = "cannot connect to \(host):\(port): \(String(cString: strerror(error)))"
            }
            close(fd)
        }
        return .failure(PostFailure(reason))
    }

    /// Waits until `fd` is ready for `events` or the deadline passes.
    private func wait(_ fd: Int32, for events: Int16, until deadline: Date) -> Bool {
        while true {
            let left = deadline.timeIntervalSinceNow
            guard left > 0 else { return false }
            var descriptor = pollfd(fd: fd, events: events, revents: 0)
            let ready = poll(&descriptor, 1, Int32(min(left * 1000, 1000).rounded(.up)))
            if ready > 0 { return true }
            if ready < 0, errno != EINTR { return false }
        }
    }
}
