/// A vehicle routing problem with capacities and time windows, as the solver sees it: node 0 is the depot,
/// nodes 1…n the customers; distances equal travel times.
public struct VRPInstance: Sendable {
    public enum Objective: String, Sendable {
        /// Fewest vehicles first, then least distance (the Solomon convention).
        case vehiclesThenDistance
        /// Least distance; the number of vehicles follows.
        case distance
    }

    public var name: String
    /// Customer numbers as the source file gives them (index 0: the depot), for output.
    public var labels: [Int]
    public var demand: [Int]
    public var ready: [Double]
    public var due: [Double]
    public var service: [Double]
    public var capacity: Int
    /// Vehicles available (the fleet size of the file).
    public var maxVehicles: Int
    public var objective: Objective
    /// Row-major (n+1)×(n+1) distances.
    public var distances: [Double]

    public var customerCount: Int { labels.count - 1 }
    public var nodeCount: Int { labels.count }

    @inline(__always) public func distance(_ a: Int, _ b: Int) -> Double { distances[a * nodeCount + b] }

    public init(name: String, labels: [Int], demand: [Int], ready: [Double], due: [Double], service: [Double], capacity: Int,
                maxVehicles: Int, objective: Objective, distances: [Double]) {
        self.name = name; self.labels = labels; self.demand = demand; self.ready = ready; self.due = due; self.service = service
        self.capacity = capacity; self.maxVehicles = maxVehicles; self.objective = objective; self.distances = distances
    }

    /// Checks that each customer can be served at all (capacity, reachable in its window and back to the depot in time).
    public func checkServable() throws {
        for customer in 1...max(1, customerCount) where customer <= customerCount {
            if demand[customer] > capacity {
                throw ToolError("\(name): customer \(labels[customer]) demands \(demand[customer]), more than the vehicle capacity \(capacity)")
            }
            let start = max(ready[customer], distance(0, customer))
            if start > due[customer] + 1e-9 {
                throw ToolError("\(name): customer \(labels[customer]) cannot be reached before its window closes (\(formatNumber(due[customer])))")
            }
            if start + service[customer] + distance(customer, 0) > due[0] + 1e-9 {
                throw ToolError("\(name): customer \(labels[customer]) cannot be served and the vehicle back at the depot by \(formatNumber(due[0]))")
            }
        }
    }
}

/// A solution: routes of customer indices (1…n), each leaving from and returning to the depot.
public struct VRPSolution: Sendable {
    public var routes: [[Int]]
    public var distance: Double
    public var vehicles: Int { routes.count }

    /// Routes written with the file's customer numbers.
    public func labelled(_ instance: VRPInstance) -> [[Int]] { routes.map { $0.map { instance.labels[$0] } } }
}
