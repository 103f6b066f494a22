/// Checks a feed line by line against a world that the valid lines build up, collecting every problem.
public struct FeedValidator {
    public private(set) var world: World
    public private(set) var diagnostics: [LineDiagnostic] = []
    public private(set) var lines = 0
    public private(set) var valid = 0

    /// Lines dated later are errors (a scenario's `latestEventTime`), as the core would refuse them.
    public var latestEventTime: Instant?

    public init(world: World = World(), latestEventTime: Instant? = nil) {
        self.world = world
        self.latestEventTime = latestEventTime
    }

    /// Validates a file, streaming it: each line once the next is read, so a slip of the feed's time is told as the
    /// core tells it (`FeedSlip`).
    public mutating func validate(path: String) throws {
        var held: (line: JournalReader.Line, number: Int)?
        try JournalReader.lines(path: path) { number, bytes, _ in
            let line = JournalReader.decode(bytes)
            if let held { validate(line: held.line, number: held.number, next: line.time) }
            held = (line, number)
            return true
        }
        if let held { validate(line: held.line, number: held.number) }
    }

    /// Validates one decoded line; `next`: the time of the line after it, when known.
    public mutating func validate(line: JournalReader.Line, number: Int, next: Instant? = nil) {
        lines += 1
        switch line {
        case let .bad(error):
            diagnostics.append(LineDiagnostic(line: number, severity: .error, error: error))
        case let .event(event, warnings):
            do throws(EventError) {
                if let latest = latestEventTime, let refusal = DayBound(latest: latest).refusal(of: event, offsetSeconds: world.utcOffsetSeconds) {
                    throw refusal
                }
                if let slip = FeedSlip.refusal(of: event, clock: world.clock, next: next, offsetSeconds: world.utcOffsetSeconds) { throw slip }
                try world.check(event)
                world.apply(event)
                valid += 1
                for warning in warnings { diagnostics.append(LineDiagnostic(line: number, severity: .warning, error: warning)) }
            } catch {
                diagnostics.append(LineDiagnostic(line: number, severity: .error, error: error))
            }
        }
    }
}
