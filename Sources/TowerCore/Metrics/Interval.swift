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

    /// The one-sided 95% critical value of Student's t (a mean this many standard errors above zero is above it
    /// with 95% confidence).
    static func oneSided95(degreesOfFreedom df: Int) -> Double {
        let table: [Double] = [6.314, 2.920, 2.353, 2.132, 2.015, 1.943, 1.895, 1.860, 1.833, 1.812,
                               1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.740, 1.734, 1.729, 1.725,
                               1.721, 1.717, 1.714, 1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697]
        if df >= 1, df <= table.count { return table[df - 1] }
        return df <= 60 ? 1.671 : (df <= 120 ? 1.658 : 1.645)
    }
}
