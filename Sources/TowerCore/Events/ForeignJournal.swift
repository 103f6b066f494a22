/// A journal this build cannot go on with though nothing in it is damaged: another version of Tower, another policy
/// or another ETA model wrote it, so the day re-run here would not be the day it records. A simulated day whose
/// journal nobody named may start over (the board's quick start after an upgrade); any other core stops with it.
public struct ForeignJournal: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
