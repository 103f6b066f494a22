import Foundation

/// Ridge regression that keeps learning: fitted in one pass over the training rows (normal equations, Cholesky),
/// then updated row by row with recursive least squares, which keeps exactly the ridge solution of everything seen,
/// with older rows slowly forgotten (`forgetting` < 1) so the model follows a world that changes.
///
/// Intervals come from the spread of its recent errors: the 10th, 50th and 90th percentiles of the residuals, from
/// the training rows first and then from a window of the latest out-of-sample errors.
public struct RidgeRegression: Codable, Sendable {
    public private(set) var weights: [Double]
    /// (XᵀX + λI)⁻¹ over the shared inputs (all but the separate ones, below), row-major: what recursive least
    /// squares needs to take one more row.
    private var inverse: [Double]
    /// The last inputs are separate: one indicator per rider, each learned with a variance of its own and no
    /// covariance with the rest (a block-diagonal filter). Exact recursive least squares keeps a matrix of every input
    /// squared, so each leg cost the square of the fleet: at 2,000 riders 4 million numbers a leg, a restart that
    /// learned the day again took 88 s, and every board attached learned each delivery too. Now a leg costs the
    /// square of the shared inputs and one number per rider.
    private var separate: [Double]
    public var forgetting: Double
    public private(set) var quantiles: [Double]  // residual P10, P50, P90
    private var recent: [Double] = []
    private var updates = 0
    static let window = 500

    public var dimension: Int { weights.count }

    /// Fits `targets` on `rows` (each of the same dimension) with penalty `lambda`.
    ///
    /// The weights are the fit on every row alike. The matrix online learning goes on from is the one recursive
    /// least squares would hold after taking the rows one by one in the given order (oldest first) with its
    /// forgetting: without that, the first weeks after training would learn as if every training row were still
    /// fresh, and a change in the world (a closure) would take thousands of legs to be followed instead of dozens.
    /// The last `separateLast` inputs are learned online each on its own (see `separate`); the fit itself is the
    /// ridge solution over every input alike.
    public init(rows: [[Double]], targets: [Double], lambda: Double = 1.0, forgetting: Double = 0.999, separateLast: Int = 0) throws {
        guard let d = rows.first?.count, !rows.isEmpty, rows.count == targets.count, (0...d).contains(separateLast) else {
            throw ToolError("no rows to learn from")
        }
        var gram = [Double](repeating: 0, count: d * d), recentGram = gram
        var moment = [Double](repeating: 0, count: d)
        var age = pow(forgetting, Double(rows.count - 1))
        // Most features are indicators: each row adds only its non-zero pairs (the same sums in the same order as
        // the full loops; the work skipped is zeros).
        var nonzero: [Int] = []
        nonzero.reserveCapacity(d)
        gram.withUnsafeMutableBufferPointer { gram in
            recentGram.withUnsafeMutableBufferPointer { recentGram in
                for (x, y) in zip(rows, targets) {
                    nonzero.removeAll(keepingCapacity: true)
                    for i in 0..<d where x[i] != 0 { nonzero.append(i) }
                    for (k, i) in nonzero.enumerated() {
                        let xi = x[i]
                        moment[i] += xi * y
                        for j in nonzero[k...] {
                            gram[i * d + j] += xi * x[j]
                            recentGram[i * d + j] += age * xi * x[j]
                        }
                    }
                    age /= forgetting
                }
            }
        }
        for i in 0..<d {
            gram[i * d + i] += lambda
            recentGram[i * d + i] += lambda
            for j in 0..<i { gram[i * d + j] = gram[j * d + i]; recentGram[i * d + j] = recentGram[j * d + i] }
        }
        let fitted = RidgeRegression.solve(try RidgeRegression.cholesky(gram, d), d, moment)
        weights = fitted
        // The online state: the shared inputs' block of the matrix inverted, and each separate input's own variance.
        let shared = d - separateLast
        var block = [Double](repeating: 0, count: shared * shared)
        for i in 0..<shared { for j in 0..<shared { block[i * shared + j] = recentGram[i * d + j] } }
        let factor = try RidgeRegression.cholesky(block, shared)
        inverse = [Double](repeating: 0, count: shared * shared)
        for column in 0..<shared {
            var unit = [Double](repeating: 0, count: shared)
            unit[column] = 1
            let solved = RidgeRegression.solve(factor, shared, unit)
            for row in 0..<shared { inverse[row * shared + column] = solved[row] }
        }
        separate = (shared..<d).map { 1 / recentGram[$0 * d + $0] }
        self.forgetting = forgetting
        let residuals = zip(rows, targets).map { $1 - RidgeRegression.dot($0, fitted) }
        quantiles = RidgeRegression.percentiles(residuals)
    }

    public func predict(_ x: [Double]) -> Double { RidgeRegression.dot(x, weights) }

    /// Whether this state (read from a file) fits `dimension` inputs: the weights, the shared inputs' square matrix
    /// and a positive variance per separate input, three percentiles, all finite, and a forgetting in (0, 1].
    func fits(dimension d: Int) -> Bool {
        let shared = d - separate.count
        return weights.count == d && shared >= 0 && inverse.count == shared * shared && quantiles.count == 3 && forgetting > 0 && forgetting <= 1
            && weights.allSatisfy(\.isFinite) && inverse.allSatisfy(\.isFinite) && quantiles.allSatisfy(\.isFinite)
            && separate.allSatisfy { $0.isFinite && $0 > 0 }
    }

    /// Adds `count` separate inputs at the end, weighted 0 and as uncertain as the penalty allows, for online
    /// learning to fill in (a rider the training rows never saw).
    public mutating func extend(by count: Int, lambda: Double = 1.0) {
        guard count > 0 else { return }
        separate += [Double](repeating: 1 / lambda, count: count)
        weights += [Double](repeating: 0, count: count)
    }

    /// Sets the interval from errors on rows the fit did not see (in-sample errors are too kind).
    public mutating func calibrate(residuals: [Double]) {
        guard !residuals.isEmpty else { return }
        quantiles = RidgeRegression.percentiles(residuals)
    }

    /// Learns one more row (after it was predicted, so its error is an honest one for the intervals).
    public mutating func update(_ x: [Double], _ y: Double) {
        let d = dimension - separate.count
        let residual = y - predict(x)
        // The features are mostly indicators (hour, channel, zone, rider): P·x touches only x's non-zero columns.
        let nonzero = (0..<d).filter { x[$0] != 0 }
        let separateNonzero = (d..<dimension).filter { x[$0] != 0 }
        var px = [Double](repeating: 0, count: d)
        inverse.withUnsafeBufferPointer { p in
            for i in 0..<d {
                var sum = 0.0
                for j in nonzero { sum += p[i * d + j] * x[j] }
                px[i] = sum
            }
        }
        var denominator = forgetting
        for i in nonzero { denominator += x[i] * px[i] }
        for j in separateNonzero { denominator += x[j] * separate[j - d] * x[j] }
        guard denominator > 1e-12 else { return }
        for i in 0..<d { weights[i] += px[i] / denominator * residual }
        for j in separateNonzero { weights[j] += separate[j - d] * x[j] / denominator * residual }
        let forgetting = forgetting
        for k in separate.indices {
            let j = d + k
            if x[j] != 0 {
                let pj = separate[k] * x[j]
                separate[k] = (separate[k] - pj * pj / denominator) / forgetting
            } else if forgetting != 1 {
                separate[k] /= forgetting
            }
        }
        // P ← (P − (P·x)(P·x)ᵀ / denominator) / forgetting, a row at a time: the rank-one step where P·x is not 0,
        // then the forgetting, element by element as before, in one pass over the row where both apply (each
        // element still subtracted, then divided: the same numbers, half the passes over a matrix that does not
        // fit the cache; every board attached to a core learns each delivery too).
        inverse.withUnsafeMutableBufferPointer { p in
            px.withUnsafeBufferPointer { v in
                for i in 0..<d {
                    let row = p.baseAddress! + i * d
                    switch (v[i] != 0, forgetting != 1) {
                    case (true, true):
                        let scale = v[i] / denominator
                        for j in 0..<d { row[j] = (row[j] - scale * v[j]) / forgetting }
                    case (true, false):
                        let scale = v[i] / denominator
                        for j in 0..<d { row[j] -= scale * v[j] }
                    case (false, true):
                        for j in 0..<d { row[j] /= forgetting }
                    case (false, false):
                        break
                    }
                }
            }
        }
        recent.append(residual)
        if recent.count > RidgeRegression.window { recent.removeFirst(recent.count - RidgeRegression.window) }
        updates += 1
        if updates % 25 == 0, recent.count >= 100 { quantiles = RidgeRegression.percentiles(recent) }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        var sum = 0.0
        for i in 0..<min(a.count, b.count) where a[i] != 0 { sum += a[i] * b[i] }
        return sum
    }

    /// The P10 / P50 / P90 of residuals, the P10 and P90 at split-conformal ranks: of n residuals, the
    /// ⌊(n+1)·0.1⌋-th smallest and the ⌈(n+1)·0.9⌉-th. A leg drawn like them falls below the k-th smallest of n with
    /// chance k/(n+1), so each side is missed at most a tenth of the time. The nearest-rank percentiles missed more
    /// the fewer the residuals: each side 12% from 40 (a regime's least), 11% from 100, so a regime of a few dozen
    /// held-out legs covered about 76% instead of 80%.
    static func percentiles(_ values: [Double]) -> [Double] {
        let sorted = values.sorted(), n = sorted.count
        guard n > 0 else { return [0, 0, 0] }
        let below = max(1, Int((Double(n + 1) * ConformalSides.missShare).rounded(.down)))
        let above = min(n, Int((Double(n + 1) * (1 - ConformalSides.missShare)).rounded(.up)))
        return [sorted[below - 1], sorted.quantile(0.5), sorted[above - 1]]
    }

    /// The lower Cholesky factor of a symmetric positive-definite matrix.
    static func cholesky(_ a: [Double], _ d: Int) throws -> [Double] {
        var l = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in 0...i {
                var sum = a[i * d + j]
                for k in 0..<j { sum -= l[i * d + k] * l[j * d + k] }
                if i == j {
                    guard sum > 0 else { throw ToolError("the training rows do not determine the model (matrix not positive definite)") }
                    l[i * d + i] = sum.squareRoot()
                } else {
                    l[i * d + j] = sum / l[j * d + j]
                }
            }
        }
        return l
    }

    /// Solves L Lᵀ x = b.
    static func solve(_ l: [Double], _ d: Int, _ b: [Double]) -> [Double] {
        var y = b
        for i in 0..<d {
            for k in 0..<i { y[i] -= l[i * d + k] * y[k] }
            y[i] /= l[i * d + i]
        }
        var x = y
        for i in stride(from: d - 1, through: 0, by: -1) {
            for k in (i + 1)..<d { x[i] -= l[k * d + i] * x[k] }
            x[i] /= l[i * d + i]
        }
        return x
    }
}
