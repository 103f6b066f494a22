import Glibc
import Testing
@testable import TowerService

/// Messages on a socket: lines, and sized messages (a `#N` line, then N bytes taken as they are) that arrive in
/// pieces, hold newlines and bytes of any value, and never make the reader buffer past its limit.
@Suite struct FramedConnectionTests {
    /// Two ends of a local stream socket, non-blocking.
    private static func pair(maxLine: Int = 1 << 20, readSize: Int = 1 << 18) -> (writer: Int32, reader: FramedConnection) {
        var fds: [Int32] = [0, 0]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
        UnixSocket.setNonBlocking(fds[1])
        return (fds[0], FramedConnection(fd: fds[1], maxLine: maxLine, readSize: readSize))
    }

    private static func write(_ fd: Int32, _ bytes: [UInt8]) {
        #expect(bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) } == bytes.count)
    }

    @Test func aSizedMessageArrivesWholeBetweenLinesWhateverItHolds() {
        let (writer, reader) = Self.pair()
        defer { close(writer) }
        let binary = (0..<70_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }  // newlines and '#' among them
        let stream = Array("event {\"a\":1}\n".utf8) + FramedConnection.sized(Array("snapshot ".utf8) + binary) + Array("status {}\n".utf8)
        var messages: [[UInt8]] = []
        // In pieces: the length line cut in two, the body in odd sizes.
        var at = 0
        for size in [3, 14, 2, 9_999, 1, 40_000, 100_000] where at < stream.count {
            Self.write(writer, Array(stream[at..<min(stream.count, at + size)]))
            at += size
            let (lines, ended) = reader.read()
            #expect(ended == nil)
            messages += lines
        }
        #expect(messages.count == 3)
        #expect(messages.first == Array("event {\"a\":1}".utf8) && messages.last == Array("status {}".utf8))
        #expect(messages.dropFirst().first == Array("snapshot ".utf8) + binary)
        if case let .snapshot(bytes)? = try? ServiceFrame.decode(messages[1]) { #expect(bytes == binary) } else { Issue.record("not a snapshot") }
    }

    /// Messages that arrive with the other end's close are still read (a refusal, then the close), also when the
    /// read that finds the close took them (reads of exactly the stream's size make it so).
    @Test func whatArrivesWithTheCloseIsStillRead() {
        let stream = Array("refused {}\n".utf8) + FramedConnection.sized(Array("snapshot \n".utf8))
        let (writer, reader) = Self.pair(readSize: stream.count)
        Self.write(writer, stream)
        close(writer)
        var lines: [[UInt8]] = []
        var ended: String?
        for _ in 0..<10 where ended == nil {
            let read = reader.read()
            lines += read.lines
            ended = read.ended
        }
        #expect(lines == [Array("refused {}".utf8), Array("snapshot \n".utf8)])
        #expect(ended == "closed by the other end")
    }

    @Test func aBrokenOrTooLongSizeEndsTheConnection() {
        for (header, why) in [("#12x\n", "not a number"), ("#-5\n", "not a number"), ("#99999999999999999999999\n", "not a number"),
                              ("#2000\n", "longer than 1000 bytes")] {
            let (writer, reader) = Self.pair(maxLine: 1000)
            defer { close(writer) }
            Self.write(writer, Array(header.utf8))
            let (lines, ended) = reader.read()
            #expect(lines.isEmpty && ended?.contains(why) == true, "\(header): \(String(describing: ended))")
        }
    }
}
