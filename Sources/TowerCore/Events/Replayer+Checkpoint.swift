extension Replayer {
    /// The last whole checkpoint of a journal: the event its last line is, and what it says.
    struct LastCheckpoint {
        var seq: Int64
        var checkpoint: CoreCheckpoint

        /// The lanes' ranges' state it holds, at its last event (see `Options.ranges`).
        var ranges: (seq: Int64, state: RangeLearner)? { checkpoint.ranges.map { (seq, $0) } }
    }

    /// How the lanes' ranges spread where the journal's last whole checkpoint stands (a clean stop: the day's end):
    /// what a later day of the same city may start from (`session.started`'s `ranges`), and the learned ETA model
    /// the day's lanes were timed with (its `eta_model`; empty: the travel model). Nil when no checkpoint holds them
    /// learned from an arrival: a day stopped before its first checkpoint or its first arrival, or written before
    /// checkpoints held them.
    public static func learnedRanges(path: String) throws -> (ranges: RangeCalibration, etaModel: String)? {
        guard let ranges = try lastCheckpoint(path: path)?.ranges?.state.calibration.nonEmpty else { return nil }
        var model = ""
        try JournalReader.scan(path: path) { _, _, bytes, _ in
            if case let .sessionStarted(_, _, _, _, _, etaModel, _, _)? = try? EventCodec.decode(line: bytes).event.body { model = etaModel }
            return false
        }
        return (ranges, model)
    }

    /// Finds the journal's last whole checkpoint (nil when it has none: a day stopped before its first, or a journal
    /// from before checkpoints were written). This costs a read of the file, not a replay: a line is looked at only
    /// when it names the type, only its numbers are read, and only the last whole checkpoint's lines are decoded. One
    /// cut short by a crash is passed over for the one before it.
    static func lastCheckpoint(path: String) throws -> LastCheckpoint? {
        var found: [[UInt8]] = []
        var open: (next: Int64, lines: [[UInt8]])?
        try JournalReader.scan(path: path) { _, _, bytes, _ in
            guard find(typeField, in: bytes) != nil, let seq = number("seq", in: bytes), let part = number("part", in: bytes),
                  let parts = number("parts", in: bytes) else { return true }
            if part == 1 {
                open = (seq + 1, [Array(bytes)])
            } else if let group = open, group.next == seq, group.lines.count == part - 1 {
                open = (seq + 1, group.lines + [Array(bytes)])
            } else {
                open = nil
            }
            if let group = open, group.lines.count == parts {
                found = group.lines
                open = nil
            }
            return true
        }
        var seq: Int64 = 0
        var texts: [String] = []
        for line in found {
            guard let event = try? EventCodec.decode(line: line).event, case let .checkpoint(_, _, state) = event.body,
                  let number = event.seq else { return nil }  // numbers that looked right on a line that is not one
            seq = number
            texts.append(state)
        }
        return found.isEmpty ? nil : LastCheckpoint(seq: seq, checkpoint: try CoreCheckpoint.assemble(texts))
    }

    private static let typeField = Array(#""type":"core.checkpoint""#.utf8)

    /// The whole number after `"key":` on a journal line, if there is one.
    private static func number(_ key: String, in bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard var index = find(Array("\"\(key)\":".utf8), in: bytes) else { return nil }
        var value: Int64 = 0
        let start = index
        while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57, index - start < 18 {
            value = value * 10 + Int64(bytes[index] - 48)
            index += 1
        }
        return index > start ? value : nil
    }

    /// Where `needle` ends in `bytes`, if it occurs.
    private static func find(_ needle: [UInt8], in bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard let first = needle.first, bytes.count >= needle.count else { return nil }
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == first, needle.indices.allSatisfy({ bytes[index + $0] == needle[$0] }) { return index + needle.count }
            index += 1
        }
        return nil
    }
}
