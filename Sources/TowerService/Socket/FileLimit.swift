import Glibc

/// The process's limit on open files. A core holds a descriptor for each board, each HTTP client and each phone's
/// connection, and the usual soft limit (1,024) is below what `HTTPServer.maxConnections` on two ports and
/// `CoreServer.maxClients` allow together; a core raises it to the hard limit, as Go's runtime does for every
/// program. (Past the limit connections are shed, not left to spin the loop: `Acceptor`.)
enum FileLimit {
    static func raiseToHard() {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit)
    }
}
