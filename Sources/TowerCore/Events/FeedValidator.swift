/// Checks a feed line by line against a world that the valid lines build up, collecting every problem.
public struct FeedValidator {
    public private(set) var world: World
    public private(set) var diagnostics: [LineDiagnostic] = []
    public private(set) var lines = 0
    public private(set) var valid = 0

    public init(world: World = World()) { self.world = world }

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
            do {
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
