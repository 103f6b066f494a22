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

    /// Validates a file, streaming it.
    public mutating func validate(path: String) throws {
        try JournalReader.lines(path: path) { number, bytes, _ in
            validate(line: JournalReader.decode(bytes), number: number)
            return true
        }
    }

    /// Validates one decoded line.
    public mutating func validate(line: JournalReader.Line, number: Int) {
        lines += 1
        switch line {
        case let .bad(error):
            diagnostics.append(LineDiagnostic(line: number, severity: .error, error: error))
        case let .event(event, warnings):
            do throws(EventError) {
                if let latest = latestEventTime, let refusal = DayBound(latest: latest).refusal(of: event, offsetSeconds: world.utcOffsetSeconds) {
                    throw refusal
                }
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
