import TowerCore

/// The `:` command line's memory and completion, like k9s's: ↑ ↓ recall earlier commands, tab completes the word
/// being typed (a command, then the order, rider or case its arguments name).
public struct CommandHistory: Sendable, Equatable {
    /// Earlier commands, oldest first (at most `limit`).
    public private(set) var entries: [String]
    /// Which entry ↑ ↓ show (nil: the line being typed).
    var position: Int?
    /// The line being typed when ↑ was first pressed, given back by ↓ past the newest entry.
    var draft = ""
    public static let limit = 200

    public init(entries: [String] = []) { self.entries = Array(entries.suffix(Self.limit)) }

    /// Remembers a command that was run (not twice in a row).
    mutating func remember(_ command: String) {
        position = nil
        guard !command.isEmpty, entries.last != command else { return }
        entries.append(command)
        if entries.count > Self.limit { entries.removeFirst(entries.count - Self.limit) }
    }

    /// The entry ↑ (older) or ↓ (newer) shows instead of `line`.
    mutating func step(older: Bool, from line: String) -> String {
        guard !entries.isEmpty else { return line }
        if position == nil {
            guard older else { return line }
            draft = line
            position = entries.count - 1
        } else if older {
            position = max(0, position! - 1)
        } else if position! + 1 < entries.count {
            position! += 1
        } else {
            position = nil
            return draft
        }
        return entries[position!]
    }
}

/// What tab can complete: the commands, and the ids the board knows.
public struct Completion: Sendable {
    public static let commands = ["open", "assign", "reject", "undo", "map", "metrics", "board", "speed", "theme", "pause", "resume", "help", "quit"]
    public static let themes = ["dark", "light", "high-contrast", "colorblind", "mono"]

    /// What `:open` can open: every rider, order and case, in that order.
    static func openable(_ world: World) -> [String] { world.riderIDs + world.orderIDs + world.exceptions.keys.sorted() }

    /// The line with its last word completed as far as the candidates agree, and the candidates when several remain.
    public static func complete(_ line: String, world: World?) -> (line: String, choices: [String]) {
        let words = line.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        let prefix = words.last ?? ""
        let candidates: [String]
        switch (words.count, words.first) {
        case (1, _): candidates = commands
        case (2, "assign"): candidates = world.map { w in w.orderIDs.filter { w.orders[$0].map { !$0.status.isFinal } ?? false } } ?? []
        case (3, "assign"): candidates = world?.riderIDs ?? []
        case (2, "reject"): candidates = world?.escalatedCases.map(\.id) ?? []
        case (2, "open"): candidates = world.map(openable) ?? []
        case (2, "theme"): candidates = themes
        default: candidates = []
        }
        let matches = candidates.filter { $0.hasPrefix(prefix) }
        guard let first = matches.first else { return (line, []) }
        var common = first
        for match in matches.dropFirst() { while !match.hasPrefix(common) { common.removeLast() } }
        let completed = (words.dropLast() + [common]).joined(separator: " ") + (matches.count == 1 ? " " : "")
        return (completed, matches.count == 1 ? [] : matches)
    }
}
