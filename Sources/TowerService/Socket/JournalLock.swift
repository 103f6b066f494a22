import Foundation
import Glibc
import TowerCore

/// One core per journal: an exclusive lock on `JOURNAL.lock`, held while the process lives (the kernel lets go
/// of it when the process ends, even by kill -9). The file says who holds it, so a second core can name the first.
public final class JournalLock {
    public let path: String
    private let fd: Int32

    /// Takes the lock for `journal`, writing `holder` (e.g. `tower serve, pid 123, socket /x.sock`) into it, or
    /// throws naming the core that has it.
    public init(journal: String, holder: String) throws {
        try WholeFile.requireRegular(journal, what: "journal")
        path = journal + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ToolError("\(path): cannot open the journal's lock: \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            let text = FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } ?? ""
            close(fd)
            guard busy else { throw ToolError("\(path): cannot lock the journal: \(reason)") }
            let who = TextSanitizer.clean(text.trimmingCharacters(in: .whitespacesAndNewlines))
            throw ToolError("journal \(journal) is already kept by another core (\(who.isEmpty ? "starting" : who)): attach to it with `tower attach`, or stop it first")
        }
        let line = Array((holder + "\n").utf8)
        _ = ftruncate(fd, 0)
        _ = line.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    deinit { close(fd) }
}
