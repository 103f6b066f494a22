import Foundation
import TowerCore

/// `tower bench eta`: the learned ETAs on held-out days of a history (the first four fifths of the days to learn,
/// the rest to test), and the time to train on 100,000 rows.
enum ETABench {
    static func run(history path: String) throws {
        let rows = try HistoryReader.read(path: path, requireTimes: true).rows
        let days = Array(Set(rows.map { ISOTime.startOfDay($0.departedAt, offsetSeconds: $0.utcOffsetSeconds) })).sorted()
        guard days.count >= 5 else { throw ToolError("\(path): \(days.count) days; the benchmark needs at least 5") }
        let cut = days[days.count * 4 / 5]
        let train = rows.filter { $0.departedAt < cut }, test = rows.filter { $0.departedAt >= cut }
        let model = try ETAModel(training: train)
        print("history: \(rows.count) rows over \(days.count) days; learning on \(train.count) rows, testing on \(test.count) (the last \(days.count - days.count * 4 / 5) days)")
        for online in [false, true] {
            let result = ETAEvaluation(model: model, rows: test, online: online)
            let m = result.model, b = result.baseline
            print(String(format: "%@: travel MAE %.2f min (baseline %.2f, %.1f%% of it), P90 %.2f min (%.2f); arrival MAE %.2f min (%.2f), within ±5 min %.1f%% (%.1f%%), ±10 min %.1f%% (%.1f%%); P10–P90 coverage %.1f%%",
                         online ? "online (each test row learned after it is predicted)" : "trained model",
                         m.travelMAE / 60, b.travelMAE / 60, m.travelMAE / b.travelMAE * 100, m.travelP90 / 60, b.travelP90 / 60,
                         m.arrivalMAE / 60, b.arrivalMAE / 60, m.within5 * 100, b.within5 * 100, m.within10 * 100, b.within10 * 100, (m.coverage ?? 0) * 100))
        }
        var large: [HistoryRow] = []
        while large.count < 100_000 { large += rows }
        let start = DispatchTime.now().uptimeNanoseconds
        let big = try ETAModel(training: Array(large.prefix(100_000)))
        print(String(format: "training on %d rows: %.2f s (target: under 10 s on one core)", big.trainedRows, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9))
    }
}
