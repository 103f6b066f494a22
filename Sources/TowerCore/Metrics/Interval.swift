import Foundation

/// The mean of independent runs and the half-width of its 95% confidence interval (Student's t).
public struct Interval: Sendable, Equatable {
    public var mean: Double
    /// Half the width of the 95% interval; 0 for a single run.
    public var halfWidth: Double
    public var count: Int

    public init(_ values: [Double]) {
        count = values.count
        let mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        self.mean = mean
        guard values.count > 1 else { halfWidth = 0; return }
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
        halfWidth = Interval.t95(degreesOfFreedom: values.count - 1) * (variance / Double(values.count)).squareRoot()
    }

    /// The two-sided 95% critical value of Student's t.
    static func t95(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                               2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                               2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]
        if df >= 1, df <= table.count { return table[df - 1] }
        return df <= 60 ? 2.000 : (df <= 120 ? 1.980 : 1.960)
    }
}
