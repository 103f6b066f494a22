import Foundation

/// Reads a policy file: `[section]` headers and `key = value` lines; `#` starts a comment.
///
/// Sections are `general`, `detect`, `templates` and one per exception kind (`[predicted_late]`, ...). What a
/// file leaves out keeps the standard value. Anything unknown or malformed refuses the whole file with the line,
/// the key and the reason: a policy decides what the core does on its own, so it is never half-read.
public enum PolicyParser {
    public static func load(path: String) throws(ToolError) -> Policy {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("\(path): cannot read the policy file") }
        guard let text = String(data: data, encoding: .utf8) else { throw ToolError("\(path): not UTF-8 text") }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(ToolError) -> Policy {
        var policy = Policy.standard
        var section: String?
        var firstSet: [String: Int] = [:]  // "section.key" → the line that set it
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let place = "\(file) line \(index + 1)"
            let line = (section == "templates" ? String(rawLine) : String(rawLine.prefix { $0 != "#" }))
                .trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw ToolError("\(place): a section header is written [name]") }
                let name = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                guard ["general", "detect", "templates"].contains(name) || ExceptionKind(rawValue: name) != nil else {
                    throw ToolError("\(place): unknown section [\(TextSanitizer.clean(name))] (known: general, detect, templates, "
                        + ExceptionKind.allCases.map(\.rawValue).joined(separator: ", ") + ")")
                }
                section = name
                continue
            }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else { throw ToolError("\(place): expected 'key = value'") }
            guard let section else { throw ToolError("\(place): '\(TextSanitizer.clean(parts[0]))' comes before any [section]") }
            if let first = firstSet.updateValue(index + 1, forKey: section + "." + parts[0]) {
                throw ToolError("\(place): [\(section)] \(TextSanitizer.clean(parts[0])) is set twice (first on line \(first)); which one is meant?")
            }
            let setting = Setting(key: parts[0], value: parts[1], place: "\(place), [\(section)] \(TextSanitizer.clean(parts[0]))")
            switch section {
            case "general": try setGeneral(setting, in: &policy)
            case "detect": try setThreshold(setting, in: &policy.thresholds)
            case "templates": try setTemplate(setting, in: &policy)
            default:
                let kind = ExceptionKind(rawValue: section)!
                var rule = policy.rule(kind)
                try setRule(setting, in: &rule)
                policy.rules[kind] = rule
            }
        }
        for (kind, rule) in policy.rules {
            guard !rule.actions.isEmpty else { throw ToolError("\(file): [\(kind.rawValue)] lists no actions") }
            if case let .action(action) = rule.defaultChoice, !rule.actions.contains(action), action != .none {
                throw ToolError("\(file): [\(kind.rawValue)] default '\(action.rawValue)' is not one of its actions")
            }
        }
        return policy
    }

    private struct Setting {
        var key: String
        var value: String
        var place: String

        func error(_ reason: String) -> ToolError { ToolError("\(place): \(reason)") }

        /// `90s`, `15m`, `2h` or `0`; at most two days (a policy's times are within a day and the night after it).
        func seconds() throws(ToolError) -> Int64 {
            if value == "0" { return 0 }
            let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600]
            guard let unit = value.last.flatMap({ units[$0] }), let amount = Double(value.dropLast()) else {
                throw error("'\(TextSanitizer.clean(value))' is not a duration (write 90s, 15m or 2h)")
            }
            let seconds = amount * Double(unit)
            guard seconds >= 0, seconds <= 48 * 3600 else {
                throw error("'\(TextSanitizer.clean(value))' is not a duration from 0 to 48h")
            }
            return Int64(seconds.rounded())
        }

        func number(in range: ClosedRange<Double>) throws(ToolError) -> Double {
            guard let number = Double(value), range.contains(number) else {
                throw error("'\(TextSanitizer.clean(value))' is not a number from \(formatNumber(range.lowerBound)) to \(formatNumber(range.upperBound))")
            }
            return number
        }

        func flag() throws(ToolError) -> Bool {
            switch value {
            case "yes", "true", "on": return true
            case "no", "false", "off": return false
            default: throw error("'\(TextSanitizer.clean(value))' is not yes or no")
            }
        }

        /// An action a policy may list or default to (`ActionKind.isListable`).
        func action(_ word: String) throws(ToolError) -> ActionKind {
            guard let action = ActionKind(rawValue: word) else {
                let known = ActionKind.allCases.filter(\.isListable).map(\.rawValue)
                throw error("unknown action '\(TextSanitizer.clean(word))' (known: \(known.joined(separator: ", ")))")
            }
            guard action.isListable else {
                throw error("'\(action.rawValue)' is offered by the core on an order no rider can take: a policy cannot list it or default to it")
            }
            return action
        }

        func unknownKey(_ known: [String]) -> ToolError { error("unknown key (known: \(known.joined(separator: ", ")))") }
    }

    private static func setGeneral(_ s: Setting, in policy: inout Policy) throws(ToolError) {
        switch s.key {
        case "cost_limit": policy.costLimit = try s.number(in: 0...1_000_000)
        case "deadline": policy.deadline = try s.seconds()
        case "notify_interval": policy.notifyInterval = try s.seconds()
        case "arriving_soon": policy.arrivingSoon = try s.seconds()
        case "escalate_critical":
            switch s.value {
            case "choice": policy.escalateCritical = .choice
            default: policy.escalateCritical = try s.flag() ? .always : .never
            }
        case "promise_notice": policy.promiseNotice = try s.seconds()
        case "decision_horizon": policy.decisionHorizon = try s.seconds()
        case "human_time":
            guard let mode = Policy.HumanTime(rawValue: s.value) else {
                throw s.error("'\(TextSanitizer.clean(s.value))' is not one of \(Policy.HumanTime.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            policy.humanTime = mode
        case "moved_promise_cost": policy.movedPromiseCost = try s.number(in: 0...1_000_000)
        default: throw s.unknownKey(["cost_limit", "deadline", "notify_interval", "arriving_soon", "escalate_critical", "promise_notice",
                                     "moved_promise_cost", "human_time", "decision_horizon"])
        }
    }

    private static func setThreshold(_ s: Setting, in t: inout Policy.Thresholds) throws(ToolError) {
        switch s.key {
        case "predicted_late": t.predictedLate = try s.seconds()
        case "stalled": t.stalled = try s.seconds()
        case "offline": t.offline = try s.seconds()
        case "off_route_km": t.offRouteKm = try s.number(in: 0.05...100)
        case "geofence_margin_km": t.geofenceMarginKm = try s.number(in: 0...100)
        case "critical_waiting": t.criticalWaiting = try s.seconds()
        case "unassigned": t.unassigned = try s.seconds()
        case "capacity_horizon": t.capacityHorizon = try s.seconds()
        default:
            throw s.unknownKey(["predicted_late", "stalled", "offline", "off_route_km", "geofence_margin_km", "critical_waiting",
                                "unassigned", "capacity_horizon"])
        }
    }

    private static func setTemplate(_ s: Setting, in policy: inout Policy) throws(ToolError) {
        guard let kind = NoticeKind(rawValue: s.key) else { throw s.unknownKey(NoticeKind.allCases.map(\.rawValue)) }
        guard !s.value.isEmpty else { throw s.error("empty template") }
        if let problem = Template.problem(in: s.value) { throw s.error(problem) }
        policy.templates[kind] = s.value
    }

    private static func setRule(_ s: Setting, in rule: inout Policy.Rule) throws(ToolError) {
        switch s.key {
        case "enabled": rule.enabled = try s.flag()
        case "actions":
            var actions: [ActionKind] = []
            for word in s.value.split(whereSeparator: { $0 == " " || $0 == "," }) {
                actions.append(try s.action(String(word)))
            }
            rule.actions = actions
        case "routine":
            guard let routine = Policy.Routine(rawValue: s.value) else {
                throw s.error("'\(TextSanitizer.clean(s.value))' is not one of \(Policy.Routine.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            rule.routine = routine
        case "default":
            switch s.value {
            case "best": rule.defaultChoice = .best
            case "none": rule.defaultChoice = .none
            default: rule.defaultChoice = .action(try s.action(s.value))
            }
        case "deadline": rule.deadline = try s.seconds()
        case "cooldown": rule.cooldown = try s.seconds()
        default: throw s.unknownKey(["enabled", "actions", "routine", "default", "deadline", "cooldown"])
        }
    }
}
