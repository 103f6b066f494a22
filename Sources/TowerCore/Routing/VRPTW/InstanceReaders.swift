import Foundation

/// Reads benchmark instances: Solomon's VRPTW text format and Loggi's BUD CVRP JSON.
public enum InstanceReader {
    /// Solomon format: a name line, `VEHICLE` / `NUMBER CAPACITY` / the two numbers, then `CUSTOMER`, a header line,
    /// and one line per node (`CUST NO. XCOORD. YCOORD. DEMAND READY TIME DUE DATE SERVICE TIME`), node 0 the depot.
    /// Distances are Euclidean in double precision, not rounded. CRLF or LF line ends.
    public static func solomon(text: String, file: String) throws -> VRPInstance {
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { String($0).trimmingCharacters(in: .whitespacesAndNewlines) }
        guard let name = lines.first(where: { !$0.isEmpty }) else { throw ToolError("\(file): empty file") }
        guard let vehicleLine = lines.firstIndex(where: { $0.uppercased().hasPrefix("VEHICLE") }) else {
            throw ToolError("\(file): no VEHICLE section (is this a Solomon instance?)")
        }
        var index = vehicleLine + 1
        var fleet: [Double] = []
        while index < lines.count, fleet.isEmpty {
            let numbers = lines[index].split(whereSeparator: { $0 == " " || $0 == "\t" }).compactMap { Double($0) }
            if numbers.count == 2 { fleet = numbers }
            index += 1
        }
        guard fleet.count == 2, fleet[0] >= 1, fleet[1] >= 1 else { throw ToolError("\(file): no vehicle number and capacity after VEHICLE") }
        // Whole numbers within what an instance holds (the Loggi reader's bounds): a larger one does not fit an Int.
        guard fleet[0] <= 100_000, fleet[1] <= 100_000_000, fleet.allSatisfy({ $0 == $0.rounded() }) else {
            throw ToolError("\(file): the vehicle number (at most 100,000) and capacity (at most 100,000,000) must be whole numbers")
        }
        guard let customerLine = lines[index...].firstIndex(where: { $0.uppercased().hasPrefix("CUSTOMER") }) else {
            throw ToolError("\(file): no CUSTOMER section")
        }
        var rows: [(line: Int, values: [Double])] = []
        for number in (customerLine + 1)..<lines.count {
            let words = lines[number].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard !words.isEmpty, words[0].first?.isNumber == true else { continue }
            let values = words.compactMap { Double($0) }
            guard values.count == 7, values.allSatisfy(\.isFinite) else {
                throw ToolError("\(file) line \(number + 1): expected 7 numbers (number, x, y, demand, ready, due, service), got \"\(TextSanitizer.clean(String(lines[number].prefix(80))))\"")
            }
            rows.append((number + 1, values))
        }
        guard rows.count >= 2 else { throw ToolError("\(file): fewer than a depot and one customer") }
        guard rows[0].values[0] == 0 else { throw ToolError("\(file) line \(rows[0].line): the first node must be the depot, number 0") }
        var seen = Set<Int>()
        for row in rows {
            let v = row.values
            guard v[0] == v[0].rounded(), (0...1_000_000).contains(v[0]), seen.insert(Int(v[0])).inserted else {
                throw ToolError("\(file) line \(row.line): customer number \(formatNumber(v[0])) repeated, not whole or past 1,000,000")
            }
            guard (0...1_000_000).contains(v[3]), v[3] == v[3].rounded() else {
                throw ToolError("\(file) line \(row.line): customer \(Int(v[0])): demand must be a whole number from 0 to 1,000,000")
            }
            guard v[4] <= v[5] else { throw ToolError("\(file) line \(row.line): customer \(Int(v[0])): window opens at \(formatNumber(v[4])) after it closes at \(formatNumber(v[5]))") }
            guard v[6] >= 0 else { throw ToolError("\(file) line \(row.line): customer \(Int(v[0])): negative service time") }
        }
        let n = rows.count
        var distances = [Double](repeating: 0, count: n * n)
        for a in 0..<n {
            for b in 0..<n {
                let dx = rows[a].values[1] - rows[b].values[1], dy = rows[a].values[2] - rows[b].values[2]
                distances[a * n + b] = (dx * dx + dy * dy).squareRoot()
            }
        }
        let instance = VRPInstance(name: name, labels: rows.map { Int($0.values[0]) }, demand: rows.map { Int($0.values[3]) },
                                   ready: rows.map { $0.values[4] }, due: rows.map { $0.values[5] }, service: rows.map { $0.values[6] },
                                   capacity: Int(fleet[1]), maxVehicles: Int(fleet[0]), objective: .vehiclesThenDistance, distances: distances)
        try instance.checkServable()
        return instance
    }

    /// Loggi BUD CVRP JSON: `origin` {lat, lng}, `vehicle_capacity`, `deliveries` [{id, point {lat, lng}, size}].
    /// Distances are great-circle kilometres; there are no time windows; customers are numbered 1… in file order.
    public static func loggi(text: String, file: String) throws -> VRPInstance {
        do {
            let json: JSONValue
            do { json = try JSONParser.parse(text) } catch { throw EventError(field: "", reason: error.description) }
            var r = try FieldReader(json)
            var origin = try FieldReader(try r.value("origin"), path: "origin")
            var points = [try origin.point(lat: "lat", lon: "lng")]
            var demand = [0]
            for (index, item) in try r.array("deliveries").enumerated() {
                var delivery = try FieldReader(item, path: "deliveries[\(index)]")
                var point = try FieldReader(try delivery.value("point"), path: "deliveries[\(index)].point")
                points.append(try point.point(lat: "lat", lon: "lng"))
                demand.append(try delivery.int("size", in: 0...1_000_000))
            }
            let capacity = try r.int("vehicle_capacity", in: 1...100_000_000)
            let n = points.count
            guard n >= 2 else { throw EventError(field: "deliveries", reason: "no deliveries") }
            var distances = [Double](repeating: 0, count: n * n)
            for a in 0..<n { for b in 0..<n where a != b { distances[a * n + b] = points[a].distanceKm(to: points[b]) } }
            let instance = VRPInstance(name: (try? r.text("name")) ?? file, labels: Array(0..<n), demand: demand,
                                       ready: Array(repeating: 0, count: n), due: Array(repeating: 1e12, count: n),
                                       service: Array(repeating: 0, count: n), capacity: capacity, maxVehicles: n - 1,
                                       objective: .distance, distances: distances)
            try instance.checkServable()
            return instance
        } catch let error as EventError {
            throw ToolError("\(file): \(error)")
        }
    }

    /// Reads a file by format name (`solomon` or `loggi`), or guessed from its extension when nil.
    public static func read(path: String, format: String?) throws -> VRPInstance {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ToolError("cannot read \(path): no such file, not readable, or not UTF-8")
        }
        switch format ?? (path.lowercased().hasSuffix(".json") ? "loggi" : "solomon") {
        case "solomon": return try solomon(text: text, file: path)
        case "loggi": return try loggi(text: text, file: path)
        case let other: throw ToolError("unknown format '\(TextSanitizer.clean(other))'; expected solomon or loggi")
        }
    }
}
