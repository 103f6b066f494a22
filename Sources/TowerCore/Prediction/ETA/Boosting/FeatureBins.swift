/// Each feature cut into at most `maxBins` bins at its quantiles, so a tree's split search counts bins, not rows
/// (histogram-based split finding): a bin is the number of cut points strictly below the value. A categorical
/// feature (a category's index, -1 when unknown) has a bin per category instead: its index plus one, up to
/// `slots` − 1 (bin 0: unknown), and no cuts.
struct FeatureBins: Codable, Sendable, Equatable {
    /// Per feature, ascending cut points; a split "bin ≤ b" is the split "value ≤ cuts[b]".
    var cuts: [[Double]]
    /// The features that are categories, ascending.
    var categorical: [Int] = []
    static let maxBins = 64
    /// Bins a histogram keeps per feature: room for categories beyond the numeric features' `maxBins`.
    static let slots = 256

    /// The bin of category index `value` (-1 or any other unknown: 0).
    static func category(_ value: Double) -> UInt8 {
        value >= 0 && value.isFinite ? UInt8(min(Double(slots - 1), value + 1)) : 0
    }

    /// Cut points from (a sample of) the rows' values.
    init(rows: [[Double]], categorical: Set<Int> = []) {
        self.categorical = categorical.sorted()
        let features = rows.first?.count ?? 0
        let step = max(1, rows.count / 20_000)
        cuts = (0..<features).map { feature in
            guard !categorical.contains(feature) else { return [] }
            let values = stride(from: 0, to: rows.count, by: step).map { rows[$0][feature] }.sorted()
            var cuts: [Double] = []
            for q in 1..<FeatureBins.maxBins {
                let value = values[min(values.count - 1, values.count * q / FeatureBins.maxBins)]
                if cuts.last.map({ value > $0 }) ?? true { cuts.append(value) }
            }
            // The largest value needs no cut: nothing lies above it.
            if cuts.last == values.last { cuts.removeLast() }
            return cuts
        }
    }

    func bin(_ value: Double, feature: Int) -> UInt8 {
        if categorical.contains(feature) { return FeatureBins.category(value) }
        let cuts = self.cuts[feature]
        var low = 0, high = cuts.count
        while low < high {
            let mid = (low + high) / 2
            if cuts[mid] < value { low = mid + 1 } else { high = mid }
        }
        return UInt8(low)
    }

    /// The rows binned.
    func binned(_ rows: [[Double]]) -> BinnedRows {
        var bins: [UInt8] = []
        bins.reserveCapacity(rows.count * cuts.count)
        for row in rows { for feature in cuts.indices { bins.append(bin(row[feature], feature: feature)) } }
        return BinnedRows(features: cuts.count, bins: bins)
    }
}

/// Rows as their bins, row by row: a row's features side by side, so a histogram pass reads each row's bins (one
/// cache line) and its residual once, whichever rows a node holds.
struct BinnedRows: Sendable {
    let features: Int
    let bins: [UInt8]
}
