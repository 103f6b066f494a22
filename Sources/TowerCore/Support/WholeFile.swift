import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files a command writes whole (a scenario, a report, a model, a history) and the folders they go in, with failures
/// a user can act on: the path and the system's reason ("No such file or directory", "Permission denied", "Not a
/// directory"), where Foundation's errors print their domain, code and a dictionary.
public enum WholeFile {
    /// Writes `data` to `path`, replacing what is there: written beside it and renamed over it, so a reader never sees
    /// half a file and a failed write leaves the old one. `what` names the file in the error ("the report").
    public static func write(_ data: Data, to path: String, what: String) throws {
        guard !path.isEmpty else { throw ToolError("cannot write \(what): no path given") }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw ToolError("cannot write \(what) \(shown(path)): it is a folder")
        }
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ToolError("cannot write \(what) \(shown(path)): \(reason(errno))") }
        var failure: Int32 = 0
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, path) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw ToolError("cannot write \(what) \(shown(path)): \(reason(failure))")
        }
    }

    /// Creates the folder `path` and any missing parents; a folder already there is fine, a file in the way is named.
    public static func makeFolder(_ path: String, what: String) throws {
        guard !path.isEmpty else { throw ToolError("cannot create \(what): no folder given") }
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            if mkdir(prefix, 0o755) != 0 {
                let failure = errno
                var status = stat()
                guard stat(prefix, &status) == 0 else { throw ToolError("cannot create \(what) \(shown(path)): \(reason(failure))") }
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    throw ToolError("cannot create \(what) \(shown(path)): \(shown(prefix)) is a file, not a folder")
                }
            }
            prefix += "/"
        }
    }

    /// Whether `path` can be written, checked before work whose result goes there (hours of simulation, say): its
    /// folder exists and is writable, and it is not a folder itself.
    public static func checkWritable(_ path: String, what: String) throws {
        guard !path.isEmpty else { throw ToolError("cannot write \(what): no path given") }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            throw ToolError("cannot write \(what) \(shown(path)): it is a folder")
        }
        let folder = (path as NSString).deletingLastPathComponent
        guard access(folder.isEmpty ? "." : folder, W_OK) == 0 else {
            throw ToolError("cannot write \(what) \(shown(path)): \(reason(errno))")
        }
    }

    /// Refuses `path` when it is there and is not a regular file. What is read back and appended to (a journal, an
    /// outbox, dead letters) must be one: reading a named pipe waits for a writer that never comes, and a device
    /// takes what it is given and gives nothing back.
    public static func requireRegular(_ path: String, what: String) throws {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG else { return }
        let kind = switch status.st_mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a named pipe"
        default: "a device or socket"
        }
        throw ToolError("\(what) \(shown(path)) is \(kind), not a file: it is read back and appended to")
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// A path from the command line as it may be shown on a terminal.
    private static func shown(_ path: String) -> String { TextSanitizer.clean(path) }
}
