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
    ///
    /// A path that is there and is not a file (`/dev/null`, `/dev/stdout`, a named pipe) is written in place: renamed
    /// over, a device was replaced by a file (as root, `/dev/null` itself), and elsewhere the file beside it could not
    /// be made. A named pipe nobody reads is refused at once, not waited on. A link to a file replaces the file it
    /// names, and stays a link.
    public static func write(_ data: Data, to path: String, what: String) throws {
        guard !path.isEmpty else { throw ToolError("cannot write \(what): no path given") }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            guard status.st_mode & S_IFMT != S_IFDIR else { throw cannotWrite(what, path, "it is a folder") }
            // Opened without waiting: a named pipe nobody reads would hold the open for ever.
            let fd = open(path, O_WRONLY | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else {
                let failure = errno
                throw cannotWrite(what, path, failure == ENXIO && status.st_mode & S_IFMT == S_IFIFO ? "it is a named pipe nobody is reading" : reason(failure))
            }
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)  // then written as any file, waiting for room
            var failure = writeAll(data, to: fd)
            if close(fd) != 0, failure == 0 { failure = errno }
            guard failure == 0 else { throw cannotWrite(what, path, reason(failure)) }
            return
        }
        let destination = linkedFile(path) ?? path
        let temporary = destination + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw cannotWrite(what, path, reason(errno)) }
        var failure = writeAll(data, to: fd)
        if close(fd) != 0, failure == 0 { failure = errno }
        if failure == 0, rename(temporary, destination) != 0 { failure = errno }
        if failure != 0 {
            unlink(temporary)
            throw cannotWrite(what, path, reason(failure))
        }
    }

    /// Writes all of `data` to `fd`; the system's error code, or 0.
    private static func writeAll(_ data: Data, to fd: Int32) -> Int32 {
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int32 in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return 0
        }
    }

    /// The file a symbolic link at `path` leads to, when it is one and its file is there; nil otherwise.
    private static func linkedFile(_ path: String) -> String? {
        var status = stat()
        guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFLNK, let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
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
    /// folder exists and is writable, and it is not a folder itself; or it is a device or a pipe this process may
    /// write (`write` writes those in place).
    public static func checkWritable(_ path: String, what: String) throws {
        guard !path.isEmpty else { throw ToolError("cannot write \(what): no path given") }
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            guard status.st_mode & S_IFMT != S_IFDIR else { throw cannotWrite(what, path, "it is a folder") }
            guard access(path, W_OK) == 0 else { throw cannotWrite(what, path, reason(errno)) }
            return
        }
        let folder = ((linkedFile(path) ?? path) as NSString).deletingLastPathComponent
        guard access(folder.isEmpty ? "." : folder, W_OK) == 0 else {
            throw cannotWrite(what, path, reason(errno))
        }
    }

    /// Refuses `path` when it is there and is not a regular file, saying `why` it must be one. What is read back and
    /// appended to (a journal, an outbox, dead letters) must be: reading a named pipe waits for a writer that never
    /// comes, and a device takes what it is given and gives nothing back.
    public static func requireRegular(_ path: String, what: String, why: String = "it is read back and appended to") throws {
        var status = stat()
        guard stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG else { return }
        let kind = switch status.st_mode & S_IFMT {
        case S_IFDIR: "a folder"
        case S_IFIFO: "a named pipe"
        default: "a device or socket"
        }
        throw ToolError("\(what) \(shown(path)) is \(kind), not a file: \(why)")
    }

    private static func reason(_ code: Int32) -> String { String(cString: strerror(code)) }

    /// The error of a write to `path` that cannot happen, and why.
    private static func cannotWrite(_ what: String, _ path: String, _ why: String) -> ToolError {
        ToolError("cannot write \(what) \(shown(path)): \(why)")
    }

    /// A path from the command line as it may be shown on a terminal.
    private static func shown(_ path: String) -> String { TextSanitizer.clean(path) }
}
