import Glibc

/// Accepts the connections waiting on a listener, and sheds them while the process has no file descriptor left
/// (EMFILE, ENFILE). A connection nobody accepts keeps the listener readable, so a loop polling it would spin at
/// full speed and answer nothing; instead the spare descriptor held here is given up to accept the connection, write
/// it a refusal and close it, and taken again.
final class Acceptor {
    private let listener: Int32
    private var spare: Int32

    init(listener: Int32) {
        self.listener = listener
        spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
    }

    deinit { if spare >= 0 { close(spare) } }

    /// The next connection waiting (non-blocking), or nil when none is; one that comes while descriptors have run
    /// out is answered with `refusal` and closed.
    func next(refusal: @autoclosure () -> [UInt8]) -> Int32? {
        while true {
            if let fd = UnixSocket.accept(listener) { return fd }
            guard errno == EMFILE || errno == ENFILE, spare >= 0 else { return nil }
            close(spare)
            let shed = accept(listener, nil, nil)
            if shed >= 0 {
                let bytes = refusal()
                _ = bytes.withUnsafeBytes { send(shed, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
                close(shed)
            }
            spare = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard shed >= 0 else { return nil }
        }
    }
}
