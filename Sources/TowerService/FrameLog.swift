/// The frames a server sends every board (events, outlooks), back to back, with where each ends, from stream byte
/// `base` (bytes before it were dropped) to `end`. A board reads it at its own position, a chunk at a time; a chunk
/// always ends at a frame's end, even inside a binary frame that holds newlines, so a board that stops there can
/// be sent a snapshot next.
struct FrameLog {
    private var bytes: [UInt8] = []
    /// The stream position where each frame held ends, in order.
    private var ends: [Int] = []
    private(set) var base = 0
    var end: Int { base + bytes.count }
    var count: Int { bytes.count }

    mutating func append(_ frame: [UInt8]) {
        guard !frame.isEmpty else { return }
        bytes.append(contentsOf: frame)
        ends.append(end)
    }

    /// The frames from `cursor` (a frame's end at or after `base`) up to `limit` bytes, or the first whole frame if
    /// it is longer, and the position after them.
    func chunk(from cursor: Int, limit: Int) -> (bytes: ArraySlice<UInt8>, next: Int) {
        // The last frame end within the limit; the first one after the cursor when none is.
        var low = 0, high = ends.count
        while low < high {
            let mid = (low + high) / 2
            if ends[mid] <= cursor + limit { low = mid + 1 } else { high = mid }
        }
        var next = low > 0 ? ends[low - 1] : cursor
        if next <= cursor, low < ends.count { next = ends[low] }
        return (bytes[(cursor - base)..<(next - base)], next)
    }

    /// Drops the frames that end at or before `position` (a frame's end).
    mutating func drop(through position: Int) {
        guard position > base else { return }
        let kept = ends.firstIndex { $0 > position } ?? ends.count
        bytes.removeFirst(position - base)
        ends.removeFirst(kept)
        base = position
    }
}
