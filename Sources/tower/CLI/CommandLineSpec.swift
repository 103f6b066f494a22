/// What a command accepts, for parsing and for `--help`.
struct CommandSpec {
    var name: String
    var summary: String
    var arguments: [Argument] = []
    var options: [Option] = []
    var discussion: String = ""

    struct Argument {
        var name: String
        var help: String
        var optional = false
        /// The last argument may be given more than once (`JOURNAL...`).
        var repeats = false
    }

    struct Option {
        var name: String
        /// Nil for a flag that takes no value.
        var value: String?
        var help: String
        /// The value taken when the option is given alone (`--http` for `--http 127.0.0.1:8480`); nil: a value is needed.
        var bare: String?

        init(name: String, value: String?, help: String, bare: String? = nil) {
            self.name = name
            self.value = value
            self.help = help
            self.bare = bare
        }
    }

    var usage: String {
        var parts = ["tower", name]
        if !options.isEmpty { parts.append("[options]") }
        parts += arguments.map { ($0.optional ? "[\($0.name)]" : $0.name) + ($0.repeats ? "..." : "") }
        return parts.joined(separator: " ")
    }

    var helpText: String {
        var text = "\(summary)\n\nUsage: \(usage)\n"
        if !arguments.isEmpty {
            text += "\nArguments:\n"
            for argument in arguments { text += "  " + pad(argument.name, 24) + argument.help + "\n" }
        }
        text += "\nOptions:\n"
        for option in options + [Option(name: "help", value: nil, help: "Show this help.")] {
            let left = "--\(option.name)" + (option.value.map { option.bare == nil ? " \($0)" : " [\($0)]" } ?? "")
            text += "  " + pad(left, 24) + option.help + "\n"
        }
        if !discussion.isEmpty { text += "\n" + discussion + "\n" }
        return text
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width - 1 ? text + "\n" + String(repeating: " ", count: width + 2) : text + String(repeating: " ", count: width - text.count)
    }
}

/// A wrong command line: reported on stderr with exit status 2.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var command: String?
    var description: String { message }
}

/// Parsed options and arguments of one command.
struct ParsedArguments {
    private(set) var values: [String: String] = [:]
    private(set) var flags: Set<String> = []
    private(set) var positionals: [String] = []
    let command: String

    init(_ words: [String], spec: CommandSpec) throws(UsageError) {
        command = spec.name
        var index = 0
        var onlyPositionals = false
        while index < words.count {
            let word = words[index]
            index += 1
            if onlyPositionals || !word.hasPrefix("--") || word == "-" {
                if word == "--" && !onlyPositionals { onlyPositionals = true; continue }
                if word.hasPrefix("-") && word != "-" && !onlyPositionals && word.count > 1 {
                    throw UsageError(message: "unknown option '\(word)' for 'tower \(spec.name)' (see 'tower \(spec.name) --help')", command: spec.name)
                }
                positionals.append(word)
                continue
            }
            var name = String(word.dropFirst(2))
            var inline: String?
            if let equals = name.firstIndex(of: "=") {
                inline = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            }
            if name == "help" { flags.insert("help"); continue }
            guard let option = spec.options.first(where: { $0.name == name }) else {
                throw UsageError(message: "unknown option '--\(name)' for 'tower \(spec.name)' (see 'tower \(spec.name) --help')", command: spec.name)
            }
            if option.value == nil {
                if inline != nil { throw UsageError(message: "option '--\(name)' takes no value", command: spec.name) }
                flags.insert(name)
            } else if let inline {
                values[name] = inline
            } else if let bare = option.bare, index == words.count || words[index].hasPrefix("--") {
                values[name] = bare
            } else {
                guard index < words.count else {
                    throw UsageError(message: "option '--\(name)' needs a value \(option.value!)", command: spec.name)
                }
                values[name] = words[index]
                index += 1
            }
        }
        if flags.contains("help") { return }
        let required = spec.arguments.filter { !$0.optional }.count
        if positionals.count < required {
            throw UsageError(message: "'tower \(spec.name)' needs \(spec.arguments[positionals.count].name) (usage: \(spec.usage))", command: spec.name)
        }
        if positionals.count > spec.arguments.count, !(spec.arguments.last?.repeats ?? false) {
            throw UsageError(message: "unexpected argument '\(positionals[spec.arguments.count])' for 'tower \(spec.name)' (usage: \(spec.usage))", command: spec.name)
        }
    }

    func has(_ flag: String) -> Bool { flags.contains(flag) }
    func value(_ name: String) -> String? { values[name] }

    func int(_ name: String, default fallback: Int, in range: ClosedRange<Int>) throws(UsageError) -> Int {
        guard let text = values[name] else { return fallback }
        guard let number = Int(text), range.contains(number) else {
            throw UsageError(message: "--\(name) needs a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'", command: command)
        }
        return number
    }

    func double(_ name: String, default fallback: Double, in range: ClosedRange<Double>) throws(UsageError) -> Double {
        guard let text = values[name] else { return fallback }
        guard let number = Double(text), range.contains(number) else {
            throw UsageError(message: "--\(name) needs a number from \(range.lowerBound) to \(range.upperBound), got '\(text)'", command: command)
        }
        return number
    }

    func seed() throws(UsageError) -> UInt64 {
        guard let text = values["seed"] else { return 1 }
        guard let seed = UInt64(text), seed <= UInt64(Int64.max) else {
            throw UsageError(message: "--seed needs a whole number from 0 to \(Int64.max), got '\(text)'", command: command)
        }
        return seed
    }
}
