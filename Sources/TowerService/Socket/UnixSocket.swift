import CServiceShims
import Foundation
import Glibc
import TowerCore

/// Unix stream sockets through POSIX: listen, accept, connect, and who is on the other end.
public enum UnixSocket {
    /// The longest path a socket address holds (`sun_path` less its terminating zero).
    static let maxPathBytes = MemoryLayout.size(ofValue: sockaddr_un().sun_path) - 1

    /// Listens on `path` with the file mode `mode`. The mode is set between bind and listen: until listen, no one
    /// can connect whatever the mode, so there is no moment when it is wider, and the process's umask (shared by every
    /// thread and by every program it starts) is never changed. An existing file there is removed first: the caller
    /// holds the journal's lock, so it is stale.
    public static func listen(path: String, mode: mode_t = 0o660) throws -> Int32 {
        var address = try self.address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ToolError("socket \(path): \(String(cString: strerror(errno)))") }
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, chmod(path, mode) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ToolError("socket \(path): cannot listen: \(reason)")
        }
        guard Glibc.listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ToolError("socket \(path): cannot listen: \(reason)")
        }
        setNonBlocking(fd)
        return fd
    }

    /// Connects to the server listening on `path`.
    public static func connect(path: String) throws -> Int32 {
        var address = try self.address(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ToolError("socket \(path): \(String(cString: strerror(errno)))") }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let reason = errno == ENOENT || errno == ECONNREFUSED ? "no core is serving there" : String(cString: strerror(errno))
            close(fd)
            throw ToolError("socket \(path): \(reason)")
        }
        return fd
    }

    /// A new connection on a listening socket, non-blocking, or nil when none is waiting.
    public static func accept(_ listener: Int32) -> Int32? {
        let fd = Glibc.accept(listener, nil, nil)
        guard fd >= 0 else { return nil }
        setNonBlocking(fd)
        // A board's snapshot is megabytes: a larger send buffer (the kernel caps it at net.core.wmem_max) takes it in
        // a few of the core's passes rather than a hundred of 200 KB.
        var size: Int32 = 4 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        return fd
    }

    /// The user id of the process at the other end, as the kernel saw it connect (never the client's word).
    public static func peerUser(_ fd: Int32) -> uid_t? {
        var uid: UInt32 = 0
        guard tower_peer_uid(fd, &uid) == 0 else { return nil }
        return uid_t(uid)
    }

    /// The login name of `uid` from the user database, or `uid-N` when it has none.
    public static func loginName(_ uid: uid_t) -> String {
        var entry = passwd()
        var result: UnsafeMutablePointer<passwd>?
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &entry, &buffer, buffer.count, &result) == 0, result != nil, let name = entry.pw_name else { return "uid-\(uid)" }
        return String(cString: name)
    }

    public static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    private static func address(_ path: String) throws -> sockaddr_un {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maxPathBytes else {
            throw ToolError("socket \(path): the path is \(bytes.count) bytes; a Unix socket's path holds 1 to \(maxPathBytes) (pass a shorter --socket)")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        return address
    }
}
