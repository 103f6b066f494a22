import Foundation
import TowerCore

/// Entry point: picks the command, parses its options, and maps errors to exit statuses
/// (1 for a failure of the work, 2 for a wrong command line).
func towerMain(_ words: [String]) -> Int32 {
    func overview() -> String {
        var text = "Tower: a terminal control tower for last-mile delivery.\n\nUsage: tower [COMMAND] [options]\n\nCommands:\n"
        for command in commands { text += "  " + command.spec.name.padding(toLength: 12, withPad: " ", startingAt: 0) + command.spec.summary + "\n" }
        text += "\nWith no command, 'tower' opens the live board on \(defaultScenarioName).\nRun 'tower COMMAND --help' for a command's options.\n"
        return text
    }
    var words = words
    if words.first == "--help" || words.first == "-h" || words.first == "help" {
        if words.count > 1, let command = commands.first(where: { $0.spec.name == words[1] }) {
            print(command.spec.helpText, terminator: "")
        } else {
            print(overview(), terminator: "")
        }
        return 0
    }
    if words.first == "--version" { print("tower 0.1.0"); return 0 }
    let name: String
    if let first = words.first, !first.hasPrefix("-") {
        name = first
        words.removeFirst()
    } else {
        name = "board"
    }
    guard let command = commands.first(where: { $0.spec.name == name }) else {
        FileHandle.standardError.write(Data("tower: unknown command '\(TextSanitizer.clean(name))' (see 'tower --help')\n".utf8))
        return 2
    }
    do {
        let arguments = try ParsedArguments(words, spec: command.spec)
        if arguments.has("help") {
            print(command.spec.helpText, terminator: "")
            return 0
        }
        return try command.run(arguments)
    } catch let error as UsageError {
        FileHandle.standardError.write(Data("tower: \(shown(error))\n".utf8))
        return 2
    } catch {
        FileHandle.standardError.write(Data("tower: \(shown(error))\n".utf8))
        return 1
    }
}

/// An error as it may reach a terminal: messages quote what they were given (an option's value, a file's field), so
/// escape sequences and control characters go, line by line.
private func shown(_ error: any Error) -> String {
    "\(error)".split(separator: "\n", omittingEmptySubsequences: false).map { TextSanitizer.clean(String($0)) }.joined(separator: "\n")
}

exit(towerMain(Array(CommandLine.arguments.dropFirst())))
