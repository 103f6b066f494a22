import Foundation
import TowerCore

/// `tower replay`: rebuilds the world from a journal.
enum ReplayCommand: Command {
    static let spec = CommandSpec(
        name: "replay",
        summary: "Rebuild the world from a journal; print a summary and the world's digest.",
        arguments: [.init(name: "JOURNAL", help: "A journal written by Tower (JSON lines).")],
        discussion: "A torn last line (a crash mid-write) and a last step cut short are reported on stderr and left out; a damaged line before the end is an error naming it.")

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let path = arguments.positionals[0]
        let result = try Replayer.replay(path: path)
        if let torn = result.tornLastLine {
            FileHandle.standardError.write(Data("tower: \(path) line \(torn): torn last line skipped (the writer stopped mid-line)\n".utf8))
        }
        if let cut = result.cutShortStep {
            FileHandle.standardError.write(Data("tower: \(path) line \(cut.line): the last step was cut short by a crash (\(cut.written) of its \(cut.expected) events written); left out of the replay, and made again when the journal is resumed\n".utf8))
        }
        for line in WorldSummary.lines(result.world) { print(line) }
        print("digest: \(result.world.digest)")
        return 0
    }
}
