import Testing
@testable import TowerService

/// The server's log of frames for boards: a chunk always ends at a frame's end, even when a binary frame holds
/// newlines, so a board stopped there can be sent a snapshot next; dropping keeps positions in the stream.
@Suite struct FrameLogTests {
    @Test func chunksEndAtFrameEndsWhateverTheFramesHold() {
        var log = FrameLog()
        let frames: [[UInt8]] = [Array("event a\n".utf8), ServiceFrame.outlook([0x0A, 0x0A, 0x41, 0x0A, 0x42]).encoded(), Array("event b\n".utf8)]
        for frame in frames { log.append(frame) }
        let ends = frames.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.count) }
        #expect(log.end == ends.last)
        // Every limit: the chunk ends at a frame's end, the longest within the limit, or the first whole frame.
        for limit in 1...log.end {
            var cursor = 0
            var read: [UInt8] = []
            while cursor < log.end {
                let (bytes, next) = log.chunk(from: cursor, limit: limit)
                #expect(ends.contains(next) && next > cursor, "limit \(limit): from \(cursor) to \(next)")
                #expect(next - cursor <= limit || !ends.contains { $0 > cursor && $0 < next }, "limit \(limit): a frame end within it was passed")
                read += bytes
                cursor = next
            }
            #expect(read == frames.flatMap { $0 })
        }
        log.drop(through: ends[1])
        #expect(log.base == ends[1] && log.count == frames[2].count)
        let (rest, next) = log.chunk(from: ends[1], limit: 1)
        #expect(Array(rest) == frames[2] && next == ends[2])
    }
}
