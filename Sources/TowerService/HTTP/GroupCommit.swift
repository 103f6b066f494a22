import Foundation
import Glibc
import Synchronization
import TowerCore

/// Group commit with the fsync off the core's thread. A pass of the core's loop journals what it accepts (its steps
/// kept in memory until the pass ends, then written at once); `commit()` then asks a background queue to fsync the
/// journal and returns a ticket. The pass's replies wait for their ticket (see `HTTPServer`) while the core goes on
/// with the next pass, so the disk's latency is no longer time the core stands still. A pipe wakes the loop's poll
/// when a sync is done. A sync that fails releases nothing more: those replies never go out, and `failure` says why.
public final class GroupCommit: ReplyGate {
    private final class Progress: Sendable {
        let done = Atomic<Int>(0)
        let syncs = Mutex(DurationTally())
        /// The last ticket asked for, and whether a sync is running (one at a time: those asked for meanwhile are
        /// covered together by the next, the group in group commit).
        let asked = Mutex((ticket: 0, running: false))
        /// Why a sync failed (the disk said so): no ticket is released after it.
        let failure = Mutex<String?>(nil)
    }

    private let engine: Engine
    /// The journal's file, duplicated: it stays valid for a sync in flight even once the journal is closed.
    private let fd: Int32?
    private let pipe: (read: Int32, write: Int32)
    private let queue = DispatchQueue(label: "tower.group-commit")
    private let progress = Progress()
    /// The last ticket given, and when each ticket not yet done was asked for.
    public private(set) var requested = 0
    private var waitingSince: [(ticket: Int, at: Date)] = []
    /// The journal's last event covered by a ticket given.
    private var coveredSeq: Int64

    public init(engine: Engine) throws {
        self.engine = engine
        fd = engine.journal?.duplicateDescriptor()
        var ends: [Int32] = [0, 0]
        guard Glibc.pipe(&ends) == 0 else { throw ToolError("cannot make a pipe: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        pipe = (ends[0], ends[1])
        coveredSeq = engine.world.lastSeq
    }

    deinit {
        queue.sync {}
        if let fd { Glibc.close(fd) }
        Glibc.close(pipe.read)
        Glibc.close(pipe.write)
    }

    /// Whether the journal holds events no ticket covers yet.
    public var hasUncovered: Bool { engine.world.lastSeq > coveredSeq }

    public func beginPass() { engine.holdJournalWrites() }

    /// Writes out the pass's steps and asks for their sync; when the journal cannot be written the core has
    /// stopped, and the pass's replies are never released (their senders try again).
    public func endPass() {
        engine.writeOut()
        if engine.halted == nil, hasUncovered { _ = commit() }
    }

    /// Asks for a sync of everything journaled so far; its ticket.
    public func commit() -> Int {
        engine.writeOut()
        coveredSeq = engine.world.lastSeq
        requested += 1
        let ticket = requested
        waitingSince.append((ticket, Date()))
        guard let fd else {
            progress.done.store(ticket, ordering: .releasing)
            return ticket
        }
        let start = progress.asked.withLock { asked in
            asked.ticket = ticket
            defer { asked.running = true }
            return !asked.running
        }
        guard start else { return ticket }
        let progress = progress, wake = pipe.write
        queue.async {
            while true {
                // Everything written before the last ticket was asked for is covered by this sync.
                let target = progress.asked.withLock { $0.ticket }
                let started = DispatchTime.now().uptimeNanoseconds
                let synced = fsync(fd) == 0
                let took = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
                progress.syncs.withLock { $0.add(took) }  // not held during the sync: a monitor reads it meanwhile
                guard synced else {
                    let reason = String(cString: strerror(errno))
                    progress.failure.withLock { $0 = "the journal's sync failed: \(reason)" }
                    return  // `running` stays set: no sync starts again, no reply is released
                }
                progress.done.store(target, ordering: .releasing)
                var byte: UInt8 = 1
                _ = Glibc.write(wake, &byte, 1)
                let more = progress.asked.withLock { asked in
                    if asked.ticket > target { return true }
                    asked.running = false
                    return false
                }
                if !more { return }
            }
        }
        return ticket
    }

    /// The ticket replies wait for now: a new one when the journal holds events no ticket covers, else the last
    /// one given (everything journaled before the reply was made is durable once it is done).
    public func ticket() -> Int { hasUncovered ? requested + 1 : requested }

    public var released: Int { progress.done.load(ordering: .acquiring) }
    public var wakeDescriptor: Int32 { pipe.read }

    public func drain() {
        var bytes = [UInt8](repeating: 0, count: 64)
        while bytes.withUnsafeMutableBytes({ Glibc.read(pipe.read, $0.baseAddress, $0.count) }) > 0 {}
        let done = released
        waitingSince.removeAll { $0.ticket <= done }
    }

    /// Why the journal can no longer be made durable, once a sync has failed.
    public var failure: String? { progress.failure.withLock { $0 } }

    /// The syncs made, and how long they took.
    public var syncs: DurationTally { progress.syncs.withLock { $0 } }

    /// How long the oldest sync not yet done has been waiting (0 when none is).
    public var oldestWaiting: Double {
        let done = released
        guard let oldest = waitingSince.first(where: { $0.ticket > done }) else { return 0 }
        return Date().timeIntervalSince(oldest.at)
    }

    /// Waits for every sync asked for (at shutdown, and in tests).
    public func finish() {
        queue.sync {}
        drain()
    }
}
