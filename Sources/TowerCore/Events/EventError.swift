/// Why a feed line or event was refused: the field (dotted path, or empty for the whole line) and the reason.
public struct EventError: Error, Hashable, Sendable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field; self.reason = reason
    }

    public var description: String { field.isEmpty ? reason : "field \"\(field)\": \(reason)" }
}

/// A problem found in a feed at a line; warnings are repaired and the line is kept.
public struct LineDiagnostic: Hashable, Sendable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }

    public var line: Int
    public var severity: Severity
    public var error: EventError

    public init(line: Int, severity: Severity, error: EventError) {
        self.line = line; self.severity = severity; self.error = error
    }

    public var description: String { "line \(line): \(severity.rawValue): \(error)" }
}
