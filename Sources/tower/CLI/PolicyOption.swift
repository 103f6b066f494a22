import Foundation
import TowerCore

/// `--policy NAME|FILE`: how much the core does on its own (`static`, `continuous`, `continuous-auto`), or a
/// policy file, which runs `continuous-auto` under that file's rules.
struct PolicyChoice {
    var mode: EngineSettings.Mode
    var policy: Policy
    var name: String

    static let option = CommandSpec.Option(name: "policy", value: "NAME|FILE",
                                   help: "static, continuous or continuous-auto (the default), or a policy file (see sample-data/policy.conf).")

    static func parse(_ text: String?) throws -> PolicyChoice {
        guard let text else { return PolicyChoice(mode: .continuousAuto, policy: .standard, name: EngineSettings.Mode.continuousAuto.rawValue) }
        if let mode = EngineSettings.Mode(rawValue: text) { return PolicyChoice(mode: mode, policy: .standard, name: text) }
        guard FileManager.default.fileExists(atPath: text) else {
            throw ToolError("--policy: '\(TextSanitizer.clean(text))' is neither static, continuous, continuous-auto nor a policy file")
        }
        return PolicyChoice(mode: .continuousAuto, policy: try PolicyParser.load(path: text), name: text)
    }
}
