import Foundation
import TowerCore

/// `tower solve`: solves a benchmark VRPTW (Solomon) or CVRP (Loggi) instance.
enum SolveCommand: Command {
    static let spec = CommandSpec(
        name: "solve",
        summary: "Solve a Solomon VRPTW or Loggi CVRP instance; print vehicles, distance and routes.",
        arguments: [.init(name: "FILE", help: "The instance file.")],
        options: [
            .init(name: "format", value: "solomon|loggi", help: "The file's format (default: loggi for .json, else solomon)."),
            .init(name: "time-limit", value: "SECONDS", help: "Search time (default 1)."),
            .init(name: "iterations", value: "N", help: "Stop after N iterations instead (exactly reproducible for a seed)."),
            .init(name: "seed", value: "N", help: "Seed of the search (default 1)."),
            .init(name: "json", value: nil, help: "Print one JSON object: {\"vehicles\", \"distance\", \"routes\"}."),
        ],
        discussion: """
        Solomon: vehicles first, then total distance (double-precision Euclidean, not rounded); routes use the file's
        customer numbers. Loggi: great-circle kilometres, least distance; deliveries numbered from 1 in file order.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let instance = try InstanceReader.read(path: arguments.positionals[0], format: arguments.value("format"))
        var settings = RuinRecreateSolver.Settings(seed: try arguments.seed())
        if let iterations = arguments.value("iterations") {
            guard let count = Int(iterations), count >= 1 else {
                throw UsageError(message: "--iterations needs a whole number ≥ 1, got '\(iterations)'", command: spec.name)
            }
            settings.iterations = count
            settings.timeLimit = arguments.value("time-limit") == nil ? nil : try arguments.double("time-limit", default: 1, in: 0.01...86400)
        } else {
            settings.timeLimit = try arguments.double("time-limit", default: 1, in: 0.01...86400)
        }
        var solver = RuinRecreateSolver(instance: instance, settings: settings)
        let solution = try solver.solve()
        if case let .failure(fault) = SolutionChecker.check(solution.routes, instance: instance) {
            throw ToolError("\(instance.name): the solver produced an infeasible solution (\(fault)); please report it")
        }
        let routes = solution.labelled(instance)
        if arguments.has("json") {
            var w = JSONWriter()
            w.beginObject()
            w.key("vehicles"); w.value(solution.vehicles)
            w.key("distance"); w.value(solution.distance)
            w.key("routes"); w.beginArray()
            for route in routes { w.beginArray(); for customer in route { w.value(customer) }; w.endArray() }
            w.endArray()
            w.endObject()
            print(w.string)
        } else {
            // The name is the instance file's first line: text from a file, never written to a terminal raw.
            print("instance: \(TextSanitizer.clean(instance.name))")
            print("vehicles: \(solution.vehicles)")
            print(String(format: "distance: %.2f", solution.distance))
            for (index, route) in routes.enumerated() { print("route \(index + 1): \(route.map(String.init).joined(separator: " "))") }
        }
        return 0
    }
}
