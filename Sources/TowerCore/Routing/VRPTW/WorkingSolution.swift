/// A solution being searched, with per-position times kept so any insertion is checked in constant time:
/// `start[r][k]` is when service at the k-th stop of route r begins; `latest[r][k]` is the latest it may begin
/// without making a later stop (or the return to the depot) late.
struct WorkingSolution {
    var routes: [[Int]] = []
    var start: [[Double]] = []
    var latest: [[Double]] = []
    var load: [Int] = []
    var length: [Double] = []
    var unassigned: [Int] = []
    var routeOf: [Int]

    init(customers: Int) { routeOf = Array(repeating: -1, count: customers + 1) }

    var distance: Double { length.reduce(0, +) }

    /// Recomputes the times, load and length of route `r`, and where its customers are.
    mutating func refresh(_ r: Int, _ instance: VRPInstance) {
        let nodes = routes[r]
        var starts = start[r]
        var latests = latest[r]
        starts.removeAll(keepingCapacity: true)
        latests.removeAll(keepingCapacity: true)
        starts.append(contentsOf: repeatElement(0, count: nodes.count))
        latests.append(contentsOf: repeatElement(0, count: nodes.count))
        var time = instance.ready[0]
        var previous = 0
        var total = 0.0
        var weight = 0
        for (k, customer) in nodes.enumerated() {
            let leg = instance.distance(previous, customer)
            total += leg
            time = max(time + instance.service[previous] + leg, instance.ready[customer])
            starts[k] = time
            weight += instance.demand[customer]
            previous = customer
            routeOf[customer] = r
        }
        total += instance.distance(previous, 0)
        var next = 0
        var nextLatest = instance.due[0]
        for k in stride(from: nodes.count - 1, through: 0, by: -1) {
            let customer = nodes[k]
            nextLatest = min(instance.due[customer], nextLatest - instance.distance(customer, next) - instance.service[customer])
            latests[k] = nextLatest
            next = customer
        }
        start[r] = starts
        latest[r] = latests
        load[r] = weight
        length[r] = total
    }

    mutating func appendRoute(_ nodes: [Int], _ instance: VRPInstance) {
        routes.append(nodes)
        start.append([])
        latest.append([])
        load.append(0)
        length.append(0)
        refresh(routes.count - 1, instance)
    }

    /// Removes empty routes, keeping `routeOf` right.
    mutating func dropEmptyRoutes(_ instance: VRPInstance) {
        guard routes.contains(where: \.isEmpty) else { return }
        var kept = WorkingSolution(customers: instance.customerCount)
        kept.unassigned = unassigned
        for index in routes.indices where !routes[index].isEmpty {
            kept.routes.append(routes[index]); kept.start.append(start[index]); kept.latest.append(latest[index])
            kept.load.append(load[index]); kept.length.append(length[index])
            for customer in routes[index] { kept.routeOf[customer] = kept.routes.count - 1 }
        }
        for customer in unassigned { kept.routeOf[customer] = -1 }
        self = kept
    }

    /// The cost of inserting `customer` before position `p` of route `r`, or nil when it breaks a window or capacity.
    @inline(__always)
    func insertionCost(of customer: Int, route r: Int, position p: Int, _ instance: VRPInstance) -> Double? {
        let nodes = routes[r]
        let previous = p == 0 ? 0 : nodes[p - 1]
        let next = p == nodes.count ? 0 : nodes[p]
        let previousStart = p == 0 ? instance.ready[0] : start[r][p - 1]
        let arrival = previousStart + instance.service[previous] + instance.distance(previous, customer)
        let begin = max(arrival, instance.ready[customer])
        guard begin <= instance.due[customer] else { return nil }
        let nextArrival = begin + instance.service[customer] + instance.distance(customer, next)
        let nextLatest = p == nodes.count ? instance.due[0] : latest[r][p]
        let nextBegin = next == 0 ? nextArrival : max(nextArrival, instance.ready[next])
        guard nextBegin <= nextLatest + 1e-9 else { return nil }
        return instance.distance(previous, customer) + instance.distance(customer, next) - instance.distance(previous, next)
    }
}
