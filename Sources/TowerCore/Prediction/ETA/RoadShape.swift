import Foundation

/// The shape of a leg's travel time that the rest of the learned model builds on: a time at the door (parking,
/// finding the way in: one per door zone) plus the leg's road distance at a pace, in seconds a kilometre, whose log
/// adds up where the leg drives (the zone its midpoint lies in, and that zone at each hour of the day), the hour,
/// the distance at each hour (long legs take faster roads, except when those are jammed), weekday, channel, the known
/// slowdown, the rider, and the rider in the door's zone.
///
/// Why a shape: the time at the door adds to the driving time instead of multiplying it, so a model of the log time
/// alone (the linear part, the trees) has to piece the two together band by band of distance, each piece learned
/// from the few legs in it; under heavy-tailed noise those pieces carry the noise (on the synthetic histories the
/// model trained on the noisy times erred twice as much against the noise-free ones as the same model trained on
/// them). Fitted at once on every leg, each of the shape's few hundred effects is estimated from all the legs it
/// touches. The linear part, the trees and the pair corrections then learn what the shape leaves, and online they
/// follow the day; the shape itself is fixed until the model is trained again.
///
/// Fitted by Gauss–Newton on the log time (plus `ETAModel.travelShift`, as the rest of the model) under Huber's loss
/// (iteratively reweighted): the shared effects in one damped step each round (Levenberg–Marquardt), the rider and
/// rider-in-zone effects, which can be thousands, each on its own (they touch few legs), with a ridge penalty pulling
/// each effect but the door times and the zones' base paces toward zero. A step is kept only when it lowers the
/// penalised loss, so the fit never ends worse than it started.
struct RoadShape: Codable, Sendable, Equatable {
    /// How many zones the model has (door zones and zones driven through alike).
    var zones: Int
    /// Log km at which the distance terms bend (the training legs' quintiles).
    var knots: [Double]
    /// The zone × hour cells with enough legs to have an effect of their own (`zone * 24 + hour`), ascending.
    var cells: [Int]
    /// The shared effects, laid out as `Layout` says.
    var shared: [Double]
    /// Per rider (the model's rider order), the rider's effect on the pace.
    var riders: [Double]
    /// The rider-in-door-zone pairs with enough legs to have an effect (`rider * zones + zone`), ascending, and theirs.
    var pairKeys: [Int]
    var pairs: [Double]

    static let hours = 24
    /// A zone × hour cell or a rider-in-zone pair needs this many training legs for an effect of its own.
    static let cellLegs = 10
    /// The ridge penalty, in legs: an effect seen on this many legs is pulled halfway to zero.
    static let penalty = 2.0
    /// What the door times and the zones' base paces are held to (they are always determined by the legs; this keeps
    /// a zone without legs well defined).
    static let basePenalty = 0.01
    static let rounds = 10
    /// Residuals beyond this many robust standard deviations count linearly (Huber's loss at its usual 95% efficiency):
    /// a leg a breakdown or a stall held up says nothing about the roads or the door, and heavy-tailed noise would
    /// otherwise pull every effect it touches. (The trees keep the squared loss: a robust loss there cost the shipped
    /// history 6–9%, whose large misses are incidents the trees learn; the shape cannot express those, and on it
    /// Huber's loss costs the shipped history nothing: BENCHMARKS.md, "Learned ETAs".)
    static let huber = 1.345

    /// Where each group of shared effects starts in `shared`.
    struct Layout {
        let zones: Int, knots: Int, cells: Int
        var door: Int { 0 }
        var through: Int { zones }
        var hour: Int { 2 * zones }
        var distance: Int { hour + RoadShape.hours }
        var distanceHour: Int { distance + knots }
        var weekday: Int { distanceHour + RoadShape.hours * knots }
        var channel: Int { weekday + 7 }
        var slowdown: Int { channel + ETAModel.channels.count }
        var cell: Int { slowdown + 1 }
        var count: Int { cell + cells }
    }

    var layout: Layout { Layout(zones: zones, knots: knots.count, cells: cells.count) }

    /// A leg as the shape sees it: its door zone, its distance, and its rider's and pair's places (nil when it has
    /// none); its shared pace effects are walked by `terms(_:_:_:)`.
    struct Leg {
        var door: Int?
        var km: Double
        var rider: Int?
        var pair: Int?
    }

    /// The leg's door, distance, rider and pair, calling `term` with each shared pace effect it touches (index into
    /// `shared` and value). Builds nothing: the board predicts every coming leg of every rider through it.
    func leg(_ row: HistoryRow, _ vocabulary: ETAModel.Vocabulary, term: (Int, Double) -> Void) -> Leg {
        let layout = layout
        let km = ETAModel.roadKm(row), hour = ETAModel.hour(row)
        let zone = vocabulary.zones[row.zone].flatMap { $0 < zones ? $0 : nil }
        if zones > 0, !vocabulary.centres.isEmpty {
            let through = vocabulary.through(row)
            term(layout.through + through, 1)
            if let cell = RoadShape.find(cells, through * RoadShape.hours + hour) { term(layout.cell + cell, 1) }
        }
        term(layout.hour + hour, 1)
        let logKm = log(km + 0.05)
        for (k, knot) in knots.enumerated() where logKm > knot {
            term(layout.distance + k, logKm - knot)
            term(layout.distanceHour + hour * knots.count + k, logKm - knot)
        }
        term(layout.weekday + ISOTime.weekday(row.departedAt, offsetSeconds: row.utcOffsetSeconds), 1)
        if let c = ETAModel.channels.firstIndex(of: row.channel) { term(layout.channel + c, 1) }
        if let slowdown = row.slowdown { term(layout.slowdown, -log(slowdown)) }
        let rider = vocabulary.riders[row.rider].flatMap { $0 < riders.count ? $0 : nil }
        let pair = rider.flatMap { r in zone.flatMap { RoadShape.find(pairKeys, r * zones + $0) } }
        return Leg(door: zone, km: km, rider: rider, pair: pair)
    }

    /// The index of `key` in the ascending `keys`, if there.
    static func find(_ keys: [Int], _ key: Int) -> Int? {
        var low = 0, high = keys.count
        while low < high {
            let middle = (low + high) / 2
            if keys[middle] < key { low = middle + 1 } else { high = middle }
        }
        return low < keys.count && keys[low] == key ? low : nil
    }

    /// The log of the door time (a zone the shape has none for: the zones' mean).
    func door(_ zone: Int?) -> Double {
        if let zone { return shared[layout.door + zone] }
        return zones == 0 ? log(60) : shared[0..<zones].reduce(0, +) / Double(zones)
    }

    /// Log seconds plus the shift, from the log door time, the log pace and the distance; with the shares of the
    /// time at the door and of the driving in it (the derivatives by the two logs).
    static func time(door: Double, pace: Double, km: Double) -> (value: Double, door: Double, pace: Double) {
        let doorSeconds = exp(min(door, ETAModel.longestLogTime)), driving = km * exp(min(pace, ETAModel.longestLogTime))
        let total = min(doorSeconds + driving, 86_400) + ETAModel.travelShift
        return (log(total), doorSeconds / total, driving / total)
    }

    /// The shape's log travel time (plus the shift) for a leg.
    func predict(_ row: HistoryRow, _ vocabulary: ETAModel.Vocabulary) -> Double { timing(row, vocabulary).value }

    /// The shape's log travel time (plus the shift) for a leg, with the shares of it at the door and on the road.
    func timing(_ row: HistoryRow, _ vocabulary: ETAModel.Vocabulary) -> (value: Double, door: Double, pace: Double) {
        var pace = 0.0
        let leg = leg(row, vocabulary) { pace += shared[$0] * $1 }
        if let r = leg.rider { pace += riders[r] }
        if let p = leg.pair { pace += pairs[p] }
        return RoadShape.time(door: door(leg.door), pace: pace, km: leg.km)
    }

    /// Whether the shape fits a model of `zones` zones and `riderCount` riders, with finite numbers throughout (a
    /// file is input). A model may know more riders than its shape (`ETAModel.adding(riders:)`); those have no effect
    /// in it.
    func fits(zones modelZones: Int, riderCount: Int) -> Bool {
        let all = knots + shared + riders + pairs
        return zones == modelZones && all.allSatisfy(\.isFinite) && knots == knots.sorted() && riders.count <= riderCount && pairs.count == pairKeys.count
            && shared.count == Layout(zones: zones, knots: knots.count, cells: cells.count).count
            && cells == cells.sorted() && cells.allSatisfy { (0..<zones * RoadShape.hours).contains($0) } && Set(cells).count == cells.count
            && pairKeys == pairKeys.sorted() && pairKeys.allSatisfy { (0..<zones * riders.count).contains($0) } && Set(pairKeys).count == pairKeys.count
    }

    /// Fits the shape to `targets` (log seconds plus the shift) of `rows` at `indices`.
    init(rows: [HistoryRow], targets: [Double], indices: some Collection<Int>, vocabulary: ETAModel.Vocabulary, riderCount: Int) {
        let zones = vocabulary.zones.count
        self.zones = zones
        let logKms = indices.map { log(ETAModel.roadKm(rows[$0]) + 0.05) }.sorted()
        knots = logKms.isEmpty ? [] : [0.2, 0.4, 0.6, 0.8].map { logKms.quantile($0) }
        var cellCounts: [Int: Int] = [:], pairCounts: [Int: Int] = [:]
        for i in indices {
            let row = rows[i], hour = ETAModel.hour(row)
            if zones > 0, !vocabulary.centres.isEmpty { cellCounts[vocabulary.through(row) * RoadShape.hours + hour, default: 0] += 1 }
            if let r = vocabulary.riders[row.rider], r < riderCount, let z = vocabulary.zones[row.zone] { pairCounts[r * zones + z, default: 0] += 1 }
        }
        cells = cellCounts.filter { $0.value >= RoadShape.cellLegs }.keys.sorted()
        pairKeys = pairCounts.filter { $0.value >= RoadShape.cellLegs }.keys.sorted()
        let layout = Layout(zones: zones, knots: knots.count, cells: cells.count)
        shared = [Double](repeating: 0, count: layout.count)
        riders = [Double](repeating: 0, count: riderCount)
        pairs = [Double](repeating: 0, count: pairKeys.count)
        // Start from a minute at the door and the legs' median pace.
        let paces = indices.compactMap { i -> Double? in
            let km = ETAModel.roadKm(rows[i])
            return km >= 1 ? exp(targets[i]) / km : nil
        }.sorted()
        let pace = log(paces.isEmpty ? 180 : max(10, paces.quantile(0.5)))
        for z in 0..<zones { shared[layout.door + z] = log(60); shared[layout.through + z] = pace }
        if zones == 0 || vocabulary.centres.isEmpty { shared[layout.hour..<layout.distance] = ArraySlice(repeating: pace, count: RoadShape.hours) }
        var legs = Legs()
        for i in indices {
            let leg = leg(rows[i], vocabulary) { legs.index.append(Int32($0)); legs.value.append($1) }
            legs.end.append(legs.index.count)
            legs.door.append(leg.door ?? -1); legs.km.append(leg.km); legs.rider.append(leg.rider ?? -1); legs.pair.append(leg.pair ?? -1)
            legs.target.append(targets[i])
        }
        fit(legs)
    }

    /// The fitting legs side by side (each leg's shared effects in `index` / `value` up to its `end`; -1: none).
    private struct Legs {
        var end: [Int] = [], index: [Int32] = [], value: [Double] = []
        var door: [Int] = [], km: [Double] = [], rider: [Int] = [], pair: [Int] = [], target: [Double] = []
        var count: Int { end.count }
        func start(_ i: Int) -> Int { i == 0 ? 0 : end[i - 1] }
    }

    /// Each leg's residual and the derivatives of its prediction by the log door time and the log pace, and the
    /// penalised loss (squared within `clip`, linear beyond).
    private func residuals(_ legs: Legs, clip: Double = .infinity) -> (residual: [Double], door: [Double], pace: [Double], loss: Double) {
        var residual = [Double](repeating: 0, count: legs.count), doorShare = residual, paceShare = residual
        var loss = 0.0
        let meanDoor = door(nil)
        for i in 0..<legs.count {
            var pace = 0.0
            for k in legs.start(i)..<legs.end[i] { pace += shared[Int(legs.index[k])] * legs.value[k] }
            if legs.rider[i] >= 0 { pace += riders[legs.rider[i]] }
            if legs.pair[i] >= 0 { pace += pairs[legs.pair[i]] }
            let time = RoadShape.time(door: legs.door[i] >= 0 ? shared[legs.door[i]] : meanDoor, pace: pace, km: legs.km[i])
            residual[i] = legs.target[i] - time.value
            doorShare[i] = time.door
            paceShare[i] = time.pace
            let a = abs(residual[i])
            loss += a <= clip ? a * a : 2 * clip * a - clip * clip
        }
        for j in layout.hour..<shared.count { loss += RoadShape.penalty * shared[j] * shared[j] }
        for value in riders { loss += RoadShape.penalty * value * value }
        for value in pairs { loss += RoadShape.penalty * value * value }
        return (residual, doorShare, paceShare, loss)
    }

    private mutating func fit(_ legs: Legs) {
        guard legs.count > 0 else { return }
        let layout = layout, p = layout.count
        var damping = 1e-3
        var state = residuals(legs)
        var clip = Double.infinity
        for _ in 0..<RoadShape.rounds {
            // Huber's loss, its scale the legs' robust spread under the shape as it stands.
            if state.loss.isFinite {
                clip = RoadShape.huber * 1.4826 * state.residual.map(abs).sorted().quantile(0.5)
                state = residuals(legs, clip: clip)
            }
            let before = state.loss
            let weight = state.residual.map { abs($0) <= clip ? 1 : clip / abs($0) }
            // The shared effects: one damped Gauss–Newton step on their normal equations.
            var gram = [Double](repeating: 0, count: p * p), gradient = [Double](repeating: 0, count: p)
            gram.withUnsafeMutableBufferPointer { gram in
                for i in 0..<legs.count {
                    let w = weight[i], r = state.residual[i] * w, dp = state.pace[i], range = legs.start(i)..<legs.end[i]
                    for a in range {
                        let ia = Int(legs.index[a]), va = legs.value[a] * dp
                        gradient[ia] += va * r
                        for b in range {
                            let ib = Int(legs.index[b])
                            if ib <= ia { gram[ia * p + ib] += va * legs.value[b] * dp * w }
                        }
                    }
                    guard legs.door[i] >= 0 else { continue }
                    let d = layout.door + legs.door[i], dd = state.door[i]
                    gradient[d] += dd * r
                    gram[d * p + d] += dd * dd * w
                    // The door effects come before every pace effect in `shared`.
                    for a in range { gram[Int(legs.index[a]) * p + d] += legs.value[a] * dp * dd * w }
                }
            }
            for j in 0..<p {
                let penalty = j < layout.hour ? RoadShape.basePenalty : RoadShape.penalty
                gram[j * p + j] += penalty
                if j >= layout.hour { gradient[j] -= penalty * shared[j] }
                for k in 0..<j { gram[k * p + j] = gram[j * p + k] }
            }
            var stepped = false
            for _ in 0..<6 {
                var damped = gram
                for j in 0..<p { damped[j * p + j] *= 1 + damping }
                guard let factor = try? RidgeRegression.cholesky(damped, p) else { damping *= 10; continue }
                let step = RidgeRegression.solve(factor, p, gradient)
                var trial = self
                for j in 0..<p { trial.shared[j] += step[j] }
                let trialState = trial.residuals(legs, clip: clip)
                if trialState.loss.isFinite, trialState.loss < state.loss {
                    self = trial
                    state = trialState
                    damping = max(1e-6, damping / 3)
                    stepped = true
                    break
                }
                damping *= 10
            }
            // The riders, then the pairs: each effect's own Gauss–Newton step (each touches only its own legs).
            for pairsToo in [false, true] where pairsToo ? !pairs.isEmpty : !riders.isEmpty {
                var sums = [Double](repeating: 0, count: pairsToo ? pairs.count : riders.count), weights = sums
                for i in 0..<legs.count {
                    let k = pairsToo ? legs.pair[i] : legs.rider[i]
                    guard k >= 0 else { continue }
                    let g = state.pace[i]
                    sums[k] += g * state.residual[i] * weight[i]
                    weights[k] += g * g * weight[i]
                }
                var trial = self
                for k in sums.indices {
                    let value = pairsToo ? pairs[k] : riders[k]
                    let step = (sums[k] - RoadShape.penalty * value) / (weights[k] + RoadShape.penalty)
                    if pairsToo { trial.pairs[k] += step } else { trial.riders[k] += step }
                }
                let trialState = trial.residuals(legs, clip: clip)
                if trialState.loss.isFinite, trialState.loss < state.loss { self = trial; state = trialState; stepped = true }
            }
            guard stepped, before - state.loss > 1e-7 * before else { break }
        }
    }
}
