/// Riders in several `RiderGrid`s (layers: one per channel, say), so a search walks only the layers that can
/// hold what it looks for. Each layer keeps the least rank of the riders ever put in it (the earliest shift start,
/// say), so a search can pass over a layer none of whose riders can qualify.
///
/// Kept by `World.apply` from the riders each event changed (see `World.followRiders`). Never encoded: a decoded
/// world's layers are not `isBuilt`, and its first `apply` builds them (until then the search walks every rider,
/// with the same result).
struct RiderLayers: Sendable, Codable {
    private var grids: [Int: RiderGrid] = [:]
    private var layerOfRider: [String: Int] = [:]
    private var leastRank: [Int: Int64] = [:]
    private(set) var isBuilt = false

    init() {}
    init(from decoder: Decoder) throws { self.init() }
    func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encodeNil()
    }

    /// Marks the layers as holding every rider (after the world placed them all).
    mutating func markBuilt() { isBuilt = true }

    /// Puts a rider at `anchor` in `layer` (out of any other), or takes it out with nil. Changes nothing when the
    /// rider stays where it is, so a copy of the world (a draft) that moves no rider shares the layers.
    mutating func place(_ id: String, layer: Int, rank: Int64, at anchor: GeoPoint?, marks: @autoclosure () -> [GeoPoint] = []) {
        let old = layerOfRider[id]
        if let anchor {
            if rank < leastRank[layer] ?? .max { leastRank[layer] = rank }
            if old == layer, grids[layer]?.holds(id, at: anchor) == true { return }
            if let old, old != layer { grids[old]?.place(id, at: nil) }
            layerOfRider[id] = layer
            grids[layer, default: RiderGrid()].place(id, at: anchor, marks: marks())
        } else if let old {
            grids[old]?.place(id, at: nil)
            layerOfRider.removeValue(forKey: id)
        }
    }

    /// Takes every rider but `kept` out of the layers (see `RiderGrid.keepOnly`).
    mutating func keepOnly(_ kept: Set<String>) {
        layerOfRider = layerOfRider.filter { kept.contains($0.key) }
        for layer in Array(grids.keys) { grids[layer]!.keepOnly(kept) }
    }

    /// Sets the marks of a rider the layers hold (see `RiderGrid.setMarks`).
    mutating func setMarks(_ id: String, _ marks: [GeoPoint]) {
        guard let layer = layerOfRider[id] else { return }
        grids[layer]?.setMarks(id, marks)
    }

    /// `RiderGrid.visit` over the layers `keep` accepts (given each layer and its least rank), one after the other
    /// in layer order: a search that keeps the best riders over all of them stops each walk once the riders left
    /// in that layer are too far.
    func visit(around point: GeoPoint, kmPerDegreeLon: Double, layers keep: (Int, Int64) -> Bool, enough: (Double) -> Bool,
               _ body: (RiderGrid.Entry) -> Void) {
        for layer in grids.keys.sorted() where keep(layer, leastRank[layer] ?? .max) {
            grids[layer]!.visit(around: point, kmPerDegreeLon: kmPerDegreeLon, enough: enough, body)
        }
    }
}
