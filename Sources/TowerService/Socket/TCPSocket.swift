import Foundation
import Glibc
import TowerCore

/// TCP listening sockets (IPv4) through POSIX.
public enum TCPSocket {
    /// Listens on `HOST:PORT` (a dotted IPv4 address, or `localhost`; port 0 takes a free one). Returns the
    /// descriptor and the port bound.
    public static func listen(_ address: String) throws -> (fd: Int32, port: UInt16) {
        let parts = address.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let port = UInt16(parts[1]) else { throw ToolError("'\(TextSanitizer.clean(address))': expected HOST:PORT, e.g. 127.0.0.1:8480") }
        var host = in_addr()
        let name = parts[0].isEmpty || parts[0] == "localhost" ? "127.0.0.1" : String(parts[0])
        guard inet_pton(AF_INET, name, &host) == 1 else { throw ToolError("'\(TextSanitizer.clean(address))': the host must be an IPv4 address") }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ToolError("\(address): \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var socketAddress = sockaddr_in()
        socketAddress.sin_family = sa_family_t(AF_INET)
        socketAddress.sin_port = port.bigEndian
        socketAddress.sin_addr = host
        let bound = withUnsafePointer(to: &socketAddress) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(fd, 512) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ToolError("\(address): cannot listen: \(reason)")
        }
        var actual = sockaddr_in()
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) } }
        UnixSocket.setNonBlocking(fd)
        return (fd, UInt16(bigEndian: actual.sin_port))
    }
}
