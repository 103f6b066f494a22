import Foundation
import TowerCore

/// `tower generate`: writes a new scenario folder.
enum GenerateCommand: Command {
    static let spec = CommandSpec(
        name: "generate",
        summary: "Make a new scenario folder from a seed and a size.",
        arguments: [.init(name: "DIR", help: "The folder to write (created; existing files are replaced).")],
        options: [
            .init(name: "seed", value: "N", help: "Seed (default 1)."),
            .init(name: "riders", value: "N", help: "Number of riders (default 40)."),
            .init(name: "orders", value: "N", help: "Number of orders over the day (default 800)."),
            .init(name: "name", value: "NAME", help: "Scenario name (default: the folder's name)."),
            .init(name: "plan-horizon", value: "MIN", help: "Plan each order this many minutes before its window opens, not all at the plan lock (default: all at the lock)."),
        ])

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let directory = arguments.positionals[0]
        let name = arguments.value("name") ?? URL(fileURLWithPath: directory).lastPathComponent
        var generator = ScenarioGenerator(name: name, seed: try arguments.seed(),
                                          riders: try arguments.int("riders", default: 40, in: 1...100_000),
                                          orders: try arguments.int("orders", default: 800, in: 1...2_000_000))
        if arguments.value("plan-horizon") != nil { generator.planHorizonMinutes = try arguments.int("plan-horizon", default: 0, in: 60...1440) }
        try generator.write(to: directory)
        _ = try ScenarioLoader.load(directory: directory)
        print("wrote scenario \"\(TextSanitizer.clean(name))\" to \(TextSanitizer.clean(directory)): \(generator.riders) riders, \(generator.orders) orders")
        return 0
    }
}
