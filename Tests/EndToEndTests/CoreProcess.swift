import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A `tower serve` running in the background for a test: its output goes to files in its folder; it is stopped
/// (SIGTERM, then SIGKILL) when the test lets go of it.
final class CoreProcess {
    let process = Process()
    let folder: String
    let socket: String
    let log: String

    /// Starts `tower serve ARGUMENTS` in `folder` and waits (up to `timeout` seconds) for its socket; with
    /// `openFiles`, under that limit on open files (`ulimit -n`, soft and hard).
    init(_ arguments: [String], socket: String, in folder: String, openFiles: Int? = nil, timeout: Double = 120,
         sourceLocation: SourceLocation = #_sourceLocation) throws {
        self.folder = folder
        self.socket = socket
        log = folder + "/serve-\(UUID().uuidString.prefix(6)).log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        if let openFiles {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -n \(openFiles) && exec \"$0\" \"$@\"", Tower.binary, "serve"] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: Tower.binary)
            process.arguments = ["serve"] + arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = Tower.environment(state: folder + "/state")
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline, process.isRunning, !Self.listening(socket) { Thread.sleep(forTimeInterval: 0.1) }
        if !Self.listening(socket) {
            Issue.record("tower serve did not listen on \(socket): \(self.output)", sourceLocation: sourceLocation)
        }
    }

    deinit { stop() }

    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Stops it with `signal` and waits for it to end; returns its exit status.
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, signal)
            let deadline = Date().addingTimeInterval(20)
            while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        return process.terminationStatus
    }

    /// Whether a server accepts connections on `path` (a socket file left by a killed one does not).
    static func listening(_ path: String) -> Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { Glibc.close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (index, byte) in bytes.enumerated() { raw[index] = byte } }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        } == 0
    }
}
