import Glibc
import TowerCore

/// A client of `tower serve`'s socket: connects, says what it wants (`attach`), sends commands and takes what the
/// server sends. Non-blocking: `receive` waits at most its timeout.
public final class ServiceClient {
    public let socketPath: String
    private let connection: FramedConnection
    private var nextID = 1

    /// The longest message taken from the server (a hello carries the ETA model).
    static let maxServerLine = 512 * 1024 * 1024

    /// Connects and asks to attach.
    public init(socketPath: String, request: ServiceFrame.AttachRequest) throws {
        self.socketPath = socketPath
        let fd = try UnixSocket.connect(path: socketPath)
        UnixSocket.setNonBlocking(fd)
        connection = FramedConnection(fd: fd, maxLine: Self.maxServerLine)
        connection.queue(ServiceFrame.attach(request).encoded())
        if let failed = connection.flush() { throw ToolError("socket \(socketPath): \(failed)") }
    }

    /// Sends a command; returns its id (the reply carries it), or nil when the connection has failed.
    public func send(_ command: OperatorCommand) -> Int? {
        let id = nextID
        nextID += 1
        connection.queue(ServiceFrame.command(id: id, command).encoded())
        return connection.flush() == nil ? id : nil
    }

    /// What has arrived, waiting up to `timeout` milliseconds for something; `ended` says why the connection
    /// ended, if it did (the frames before it are still good).
    public func receive(timeout: Int32) -> (frames: [ServiceFrame], ended: String?) {
        if connection.pendingBytes > 0, let failed = connection.flush() { return ([], failed) }
        var descriptor = pollfd(fd: connection.fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&descriptor, 1, timeout)
        let (lines, ended) = connection.read()
        var frames: [ServiceFrame] = []
        for line in lines {
            do { frames.append(try ServiceFrame.decode(line)) } catch {
                return (frames, "the server sent \(error)")
            }
        }
        return (frames, ended)
    }

    public func close() { connection.close() }
}
