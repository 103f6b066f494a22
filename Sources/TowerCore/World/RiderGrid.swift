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

    private var cellOfRider: [String: Cell] = [:]
    private var ridersIn: [Cell: [String]] = [:]
    /// Riders whose anchor has no cell (not a finite point): visited first, whatever the distance.
    private var nowhere: Set<String> = []
    /// The columns and rows any rider ever stood in (empty while `firstColumn > lastColumn`): the rings stop there.
    private var firstColumn = Int.max, lastColumn = Int.min, firstRow = Int.max, lastRow = Int.min

    private static func index(_ degrees: Double) -> Int? {
        let value = (degrees / cellDegrees).rounded(.down)
        return value.isFinite && abs(value) < 1e9 ? Int(value) : nil
    }

    private static func pack(_ column: Int, _ row: Int) -> Cell { Int64(column) << 32 | Int64(UInt32(truncatingIfNeeded: row)) }

    /// Whether the grid holds the rider at `anchor`'s cell (or, for a point with none, anywhere).
    func holds(_ id: String, at anchor: GeoPoint) -> Bool {
        guard let column = Self.index(anchor.lon), let row = Self.index(anchor.lat) else { return nowhere.contains(id) }
        return cellOfRider[id] == Self.pack(column, row)
    }

    /// Puts a rider at `anchor`, or takes it out with nil. Changes nothing when the rider stays in its cell, so a
    /// copy of the world (a draft) that moves no rider shares its grid.
    mutating func place(_ id: String, at anchor: GeoPoint?) {
        var cell: Cell?
        if let anchor, let column = Self.index(anchor.lon), let row = Self.index(anchor.lat) {
            cell = Self.pack(column, row)
            if cellOfRider[id] == cell { return }
            firstColumn = min(firstColumn, column); lastColumn = max(lastColumn, column)
            firstRow = min(firstRow, row); lastRow = max(lastRow, row)
        } else if anchor != nil {
            if nowhere.contains(id) { return }
        } else if cellOfRider[id] == nil, !nowhere.contains(id) {
            return
        }
        if let old = cellOfRider.removeValue(forKey: id) {
            ridersIn[old]?.removeAll { $0 == id }
            if ridersIn[old]?.isEmpty == true { ridersIn.removeValue(forKey: old) }
        }
        nowhere.remove(id)
        if let cell {
            cellOfRider[id] = cell
            ridersIn[cell, default: []].append(id)
        } else if anchor != nil {
            nowhere.insert(id)
        }
    }

    /// Visits the riders nearest cells first around `point`, asking `enough` before each cell or ring of cells with
    /// the least distance any rider in it can have from `point`, and stops when it says that nothing at least that
    /// far matters. Distances are `TravelConditions.flatKm`'s (less a micrometre, for rounding at a cell's edge).
    func visit(around point: GeoPoint, kmPerDegreeLon: Double, enough: (Double) -> Bool, _ body: (String) -> Void) {
        for id in nowhere { body(id) }
        guard let column = Self.index(point.lon), let row = Self.index(point.lat), !ridersIn.isEmpty else {
            for cell in ridersIn.values { for id in cell { body(id) } }
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
                for id in ridersIn[cell]! { body(id) }
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
                guard x >= firstColumn, x <= lastColumn, y >= firstRow, y <= lastRow, let ids = ridersIn[Self.pack(x, y)] else { return }
                for id in ids { body(id) }
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
