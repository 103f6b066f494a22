/// An independent check of a solution, written apart from the solver: every customer exactly once, capacity,
/// time windows (waiting allowed), back at the depot before it closes. Returns the distance, or the first fault.
public enum SolutionChecker {
    public static func check(_ routes: [[Int]], instance: VRPInstance) -> Result<Double, ToolError> {
        var visits = [Int](repeating: 0, count: instance.nodeCount)
        var total = 0.0
        for (number, route) in routes.enumerated() {
            guard !route.isEmpty else { return .failure(ToolError("route \(number + 1) is empty")) }
            var load = 0
            var time = instance.ready[0]
            var previous = 0
            for customer in route {
                guard customer >= 1, customer <= instance.customerCount else {
                    return .failure(ToolError("route \(number + 1) visits unknown node \(customer)"))
                }
                visits[customer] += 1
                load += instance.demand[customer]
                total += instance.distance(previous, customer)
                time = max(time + instance.distance(previous, customer), instance.ready[customer])
                if time > instance.due[customer] + 1e-9 {
                    return .failure(ToolError("route \(number + 1): customer \(instance.labels[customer]) served at \(time), after its window closes at \(instance.due[customer])"))
                }
                time += instance.service[customer]
                previous = customer
            }
            total += instance.distance(previous, 0)
            time += instance.distance(previous, 0)
            if time > instance.due[0] + 1e-9 { return .failure(ToolError("route \(number + 1) returns at \(time), after the depot closes")) }
            if load > instance.capacity { return .failure(ToolError("route \(number + 1) carries \(load), over the capacity \(instance.capacity)")) }
        }
        if let missing = (1...max(1, instance.customerCount)).first(where: { $0 <= instance.customerCount && visits[$0] != 1 }) {
            return .failure(ToolError("customer \(instance.labels[missing]) is visited \(visits[missing]) times"))
        }
        return .success(total)
    }
}
