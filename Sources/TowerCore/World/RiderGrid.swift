/// The riders by where they start from (their anchor: the position of a rider on shift, the hub of one before it),
/// in square cells of a hundredth of a degree, so the candidate search looks at the riders near an order first and
/// stops once the rest are too far to matter, instead of walking the whole fleet for every order.
///
/// One layer of `RiderLayers`.
struct RiderGrid: Sendable {
    /// Degrees of latitude and of longitude per cell side (about 1.1 km north–south).
    static let cellDegrees = 0.01

    /// A cell's column and row, packed.
    typealias Cell = Int64

    /// A rider in a cell with its way (its anchor and its route's marks, `World.routeMarks`), so a search can rank
    /// it before it looks the rider up: most riders a walk passes are too far to be kept, and at a hub a whole
    /// crowd ranks alike and only the lowest ids are kept.
    struct Entry: Sendable {
        let id: String
        var anchor: GeoPoint
        var marks: [GeoPoint] = []
    }

    private var cellOfRider: [String: Cell] = [:]
    private var ridersIn: [Cell: [Entry]] = [:]
    /// Riders whose anchor has no cell (not a finite point): visited first, whatever the distance.
    private var nowhere: [String: Entry] = [:]
    /// The columns and rows any rider ever stood in (empty while `firstColumn > lastColumn`): the rings stop there.
    private var firstColumn = Int.max, lastColumn = Int.min, firstRow = Int.max, lastRow = Int.min

    private static func index(_ degrees: Double) -> Int? {
        let value = (degrees / cellDegrees).rounded(.down)
        return value.isFinite && abs(value) < 1e9 ? Int(value) : nil
    }

    private static func pack(_ column: Int, _ row: Int) -> Cell { Int64(column) << 32 | Int64(UInt32(truncatingIfNeeded: row)) }

    /// Whether the grid holds the rider at `anchor` (or, for a point with no cell, anywhere).
    func holds(_ id: String, at anchor: GeoPoint) -> Bool {
        guard let column = Self.index(anchor.lon), let row = Self.index(anchor.lat) else { return nowhere[id] != nil }
        let cell = Self.pack(column, row)
        return cellOfRider[id] == cell && ridersIn[cell]?.contains { $0.id == id && $0.anchor == anchor } == true
    }

    /// Puts a rider at `anchor`, or takes it out with nil. A rider the grid holds keeps its marks (`setMarks` changes
    /// them); one it did not hold gets `marks`. Changes nothing when the rider stays where it is, so a copy of the
    /// world (a draft) that moves no rider shares its grid.
    mutating func place(_ id: String, at anchor: GeoPoint?, marks fresh: @autoclosure () -> [GeoPoint] = []) {
        var cell: Cell?
        if let anchor, let column = Self.index(anchor.lon), let row = Self.index(anchor.lat) {
            let here = Self.pack(column, row)
            cell = here
            if cellOfRider[id] == here {
                if let slot = ridersIn[here]?.firstIndex(where: { $0.id == id }), ridersIn[here]![slot].anchor != anchor {
                    ridersIn[here]![slot].anchor = anchor
                }
                return
            }
            firstColumn = min(firstColumn, column); lastColumn = max(lastColumn, column)
            firstRow = min(firstRow, row); lastRow = max(lastRow, row)
        } else if anchor != nil {
            if nowhere[id] != nil { return }
        } else if cellOfRider[id] == nil, nowhere[id] == nil {
            return
        }
        var marks: [GeoPoint]?
        if let old = cellOfRider.removeValue(forKey: id), let slot = ridersIn[old]?.firstIndex(where: { $0.id == id }) {
            marks = ridersIn[old]!.remove(at: slot).marks
            if ridersIn[old]!.isEmpty { ridersIn.removeValue(forKey: old) }
        }
        if let gone = nowhere.removeValue(forKey: id) { marks = gone.marks }
        guard let anchor else { return }
        let entry = Entry(id: id, anchor: anchor, marks: marks ?? fresh())
        if let cell {
            cellOfRider[id] = cell
            ridersIn[cell, default: []].append(entry)
        } else {
            nowhere[id] = entry
        }
    }

    /// Takes every rider but `kept` out of the grid at once (a cell keeps its riders' order).
    mutating func keepOnly(_ kept: Set<String>) {
        cellOfRider = cellOfRider.filter { kept.contains($0.key) }
        nowhere = nowhere.filter { kept.contains($0.key) }
        for cell in Array(ridersIn.keys) {
            let left = ridersIn[cell]!.filter { kept.contains($0.id) }
            ridersIn[cell] = left.isEmpty ? nil : left
        }
    }

    /// Sets the marks of a rider the grid holds (nothing when they are the same, or it holds none).
    mutating func setMarks(_ id: String, _ marks: [GeoPoint]) {
        if let cell = cellOfRider[id] {
            guard let slot = ridersIn[cell]?.firstIndex(where: { $0.id == id }), ridersIn[cell]![slot].marks != marks else { return }
            ridersIn[cell]![slot].marks = marks
        } else if let entry = nowhere[id], entry.marks != marks {
            nowhere[id]!.marks = marks
        }
    }

    /// Visits the riders nearest cells first around `point`, asking `enough` before each cell or ring of cells with
    /// the least distance any rider in it can have from `point`, and stops when it says that nothing at least that
    /// far matters. Distances are `TravelConditions.flatKm`'s (less a micrometre, for rounding at a cell's edge).
    func visit(around point: GeoPoint, kmPerDegreeLon: Double, enough: (Double) -> Bool, _ body: (Entry) -> Void) {
        for entry in nowhere.values { body(entry) }
        guard let column = Self.index(point.lon), let row = Self.index(point.lat), !ridersIn.isEmpty else {
            for cell in ridersIn.values { for entry in cell { body(entry) } }
            return
        }
        let width = lastColumn - firstColumn + 1, height = lastRow - firstRow + 1
        if width * height > 16 * ridersIn.count + 64 {
            // Riders in few places far apart (before the shifts start, all at their hubs): rings would look at more
            // empty cells than there are riders, so the held cells are taken by their distance instead.
            let near = ridersIn.keys.map { (km: distance(from: point, to: $0, kmPerDegreeLon: kmPerDegreeLon), cell: $0) }
                .sorted { $0.km != $1.km ? $0.km < $1.km : $0.cell < $1.cell }
            for (km, cell) in near {
                if enough(km) { return }
                for entry in ridersIn[cell]! { body(entry) }
            }
            return
        }
        // A cell r rings out lies at least r - 1 whole cells away along its column or its row.
        let side = Self.cellDegrees * min(kmPerDegreeLon, TravelConditions.kmPerDegreeLat)
        let outside = max(firstColumn - column, column - lastColumn, firstRow - row, row - lastRow, 0)
        let reach = max(column - firstColumn, lastColumn - column, row - firstRow, lastRow - row)
        for ring in stride(from: outside, through: reach, by: 1) {
            if enough(max(0, Double(ring - 1) * side - Self.slackKm)) { return }
            func visitCell(_ x: Int, _ y: Int) {
                guard x >= firstColumn, x <= lastColumn, y >= firstRow, y <= lastRow, let entries = ridersIn[Self.pack(x, y)] else { return }
                for entry in entries { body(entry) }
            }
            if ring == 0 { visitCell(column, row); continue }
            for y in stride(from: max(row - ring, firstRow), through: min(row + ring, lastRow), by: 1) {
                visitCell(column - ring, y)
                visitCell(column + ring, y)
            }
            for x in stride(from: max(column - ring + 1, firstColumn), through: min(column + ring - 1, lastColumn), by: 1) {
                visitCell(x, row - ring)
                visitCell(x, row + ring)
            }
        }
    }

    /// Kilometres taken off a distance bound, so a rounding of a point into the next cell never overstates it.
    private static let slackKm = 1e-9

    /// The least distance from `point` to any place in `cell`.
    private func distance(from point: GeoPoint, to cell: Cell, kmPerDegreeLon: Double) -> Double {
        let west = Double(Int(cell >> 32)) * Self.cellDegrees, south = Double(Int(Int32(truncatingIfNeeded: cell))) * Self.cellDegrees
        let x = max(0, west - point.lon, point.lon - (west + Self.cellDegrees)) * kmPerDegreeLon
        let y = max(0, south - point.lat, point.lat - (south + Self.cellDegrees)) * TravelConditions.kmPerDegreeLat
        return max(0, (x * x + y * y).squareRoot() - Self.slackKm)
    }
}
