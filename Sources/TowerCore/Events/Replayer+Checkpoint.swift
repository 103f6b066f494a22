extension Replayer {
    /// The last whole checkpoint of a journal: the event its last line is, and what it says.
    struct LastCheckpoint {
        var seq: Int64
        var checkpoint: CoreCheckpoint
    }

    /// Finds the journal's last whole checkpoint (nil when it has none: a day stopped before its first, or a journal
    /// from before checkpoints were written). Only lines that name the type are decoded, so this costs a read of
    /// the file, not a replay; a checkpoint cut short by a crash is passed over for the one before it.
    static func lastCheckpoint(path: String) throws -> LastCheckpoint? {
        let needle = Array("\"type\":\"core.checkpoint\"".utf8)
        var found: (seq: Int64, parts: [String])?
        var open: (next: Int64, parts: [String])?
        try JournalReader.scan(path: path) { _, _, bytes, _ in
            guard contains(bytes, needle), let event = try? EventCodec.decode(line: bytes).event, let seq = event.seq,
                  case let .checkpoint(part, parts, state) = event.body else { return true }
            if part == 1 {
                open = (seq + 1, [state])
            } else if let group = open, group.next == seq, group.parts.count == part - 1 {
                open = (seq + 1, group.parts + [state])
            } else {
                open = nil
            }
            if let group = open, group.parts.count == parts {
                found = (seq, group.parts)
                open = nil
            }
            return true
        }
        guard let found else { return nil }
        return LastCheckpoint(seq: found.seq, checkpoint: try CoreCheckpoint.assemble(found.parts))
    }

    private static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var index = 0
        while index <= bytes.count - needle.count {
            if bytes[index] == first, needle.indices.allSatisfy({ bytes[index + $0] == needle[$0] }) { return true }
            index += 1
        }
        return false
    }
}
