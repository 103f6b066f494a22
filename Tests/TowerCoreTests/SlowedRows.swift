@testable import TowerCore

extension HistoryRow {
    /// The leg with its travel `factor` times as long (a closure, a wet day, a slower fleet): its arrival and its end
    /// later by the extra seconds, its dwell kept, its noise-free travel scaled alike. A leg without an arrival is
    /// kept as it is.
    func slowed(by factor: Double) -> HistoryRow {
        guard let travel = travelSeconds, let arrived = arrivedAt else { return self }
        var row = self
        let extra = Int64((travel * (factor - 1)).rounded())
        row.arrivedAt = arrived + extra
        row.completedAt = completedAt.map { $0 + extra }
        row.noiseFreeTravel = noiseFreeTravel.map { $0 * factor }
        return row
    }
}
