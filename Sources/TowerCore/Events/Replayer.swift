/// Rebuilds a world from a journal: every line decoded, checked and applied in order.
public enum Replayer {
    public struct Result {
        public var world: World
        public var events: [Event]
        /// The torn last line, if the journal ends with an incomplete line (reported, skipped).
        public var tornLastLine: Int?
    }

    /// Replays `path`. A bad line before the end means the journal is damaged: that is an error naming the line.
    /// - Parameter keepEvents: keep the decoded events (for resuming); off for plain replays to save memory.
    public static func replay(path: String, keepEvents: Bool = false) throws -> Result {
        var world = World()
        var events: [Event] = []
        var failure: ToolError?
        let summary = try JournalReader.read(path: path) { number, line in
            switch line {
            case let .bad(error):
                failure = ToolError("\(path) line \(number): \(error) (the journal is damaged here; lines before it are intact)")
                return false
            case let .event(event, _):
                do {
                    try world.check(event)
                } catch {
                    failure = ToolError("\(path) line \(number): \(error)")
                    return false
                }
                world.apply(event)
                if keepEvents { events.append(event) }
                return true
            }
        }
        if let failure { throw failure }
        return Result(world: world, events: events, tornLastLine: summary.tornLastLine)
    }
}
