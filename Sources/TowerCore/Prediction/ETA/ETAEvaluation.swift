/// How good a model's ETAs are on rows with known times, beside the baseline's.
///
/// Travel: each leg's P50 against its actual seconds. Arrival: along each rider's run of consecutive stops (a leg
/// that starts where the last one ended), the arrival predicted from the run's first departure by adding predicted
/// travel and dwell, against the actual arrival: the ETA a customer would have been given when the run began.
public struct ETAEvaluation: Sendable {
    public struct Figures: Sendable {
        public var travelMAE = 0.0
        public var travelP90 = 0.0
        /// Service at the door: the P50 against the actual seconds (from arrival, or the window's opening).
        public var dwellMAE = 0.0
        public var arrivalMAE = 0.0
        public var arrivalP90 = 0.0
        public var within5 = 0.0
        public var within10 = 0.0
        /// Share of legs whose actual travel fell inside P10–P90 (nil for the baseline, which has no interval).
        public var coverage: Double?
    }

    public var model = Figures()
    public var baseline = Figures()
    public var rows = 0
    /// The noise floor: the travel MAE of the noise-free times (a model that knew each leg's true expected time),
    /// when every row carries one (`HistoryRow.noiseFreeTravel`); nil otherwise.
    public var noiseFloor: Double?
    /// How many rows carry a noise-free travel: when some do and others not, the floor is not measured, and the
    /// reports say how many lack it rather than leave it out without a word.
    public var rowsWithNoiseFree = 0
    /// P10–P90 coverage per band of road distance and of departure hour: intervals must hold in every condition,
    /// not only on average.
    public var coverageByDistance: [Band] = []
    public var coverageByHour: [Band] = []

    public struct Band: Sendable {
        public var label: String
        public var legs = 0
        public var covered = 0
        public var coverage: Double { legs == 0 ? 0 : Double(covered) / Double(legs) }
        /// How far from 80% a band of this many legs lands by chance alone, 19 times in 20, when its intervals are
        /// exactly right (the binomial's 95% half-width): 7.8 points at 100 legs, 1.6 at 2,500. A band of a hundred
        /// legs misses 80 ± 3 about two times in five however good the intervals are, so its coverage says little
        /// on its own.
        public var samplingHalfWidth: Double { legs == 0 ? 1 : 1.96 * (0.8 * 0.2 / Double(legs)).squareRoot() }
        /// Whether the coverage lies further from 80% than chance alone explains (and than 3 points).
        public var missesBeyondChance: Bool { legs > 0 && abs(coverage - 0.8) > max(0.03, samplingHalfWidth) }
    }

    static let distanceBands: [(label: String, below: Double)] = [("under 1 km", 1), ("1-2 km", 2), ("2-4 km", 4), ("4 km and more", .infinity)]
    static let hourBands: [(label: String, below: Int)] = [("before 09:00", 9), ("09-13", 13), ("13-17", 17), ("17:00 on", 24)]

    /// Evaluates `model` on `rows`; with `online`, each row is learned once its times are known, as a live core
    /// learns it (`LiveReplay`).
    public init(model start: ETAModel, rows input: [HistoryRow], online: Bool = false) {
        var learner = start
        let rows = input.filter { $0.travelSeconds != nil }
        self.rows = rows.count
        var travelErrors: [Double] = [], baseTravelErrors: [Double] = []
        var arrivalErrors: [Double] = [], baseArrivalErrors: [Double] = []
        var covered = 0
        var floorErrors: [Double] = []
        var dwellErrors: [Double] = [], baseDwellErrors: [Double] = []
        var byDistance = ETAEvaluation.distanceBands.map { Band(label: $0.label) }
        var byHour = ETAEvaluation.hourBands.map { Band(label: $0.label) }
        // Per rider: where its current run stands (actual completion, predicted completion by model and baseline).
        var runs: [String: (actualEnd: Instant, predicted: Double, base: Double)] = [:]
        LiveReplay.run(rows, predict: { row in
            let prediction = learner.predict(row)
            let base = learner.baseline(row)
            let actual = row.travelSeconds!
            travelErrors.append(abs(prediction.travel[1] - actual))
            baseTravelErrors.append(abs(base.travel - actual))
            if let dwelt = row.dwellSeconds {
                dwellErrors.append(abs(prediction.dwell - dwelt))
                baseDwellErrors.append(abs(base.dwell - dwelt))
            }
            if let truth = row.noiseFreeTravel { floorErrors.append(abs(truth - actual)) }
            let inside = actual >= prediction.travel[0] && actual <= prediction.travel[2]
            if inside { covered += 1 }
            let d = ETAEvaluation.distanceBands.firstIndex { ETAModel.roadKm(row) < $0.below }!
            let h = ETAEvaluation.hourBands.firstIndex { ETAModel.hour(row) < $0.below }!
            byDistance[d].legs += 1; byHour[h].legs += 1
            if inside { byDistance[d].covered += 1; byHour[h].covered += 1 }

            let departed = Double(row.departedAt.seconds)
            let chained = runs[row.rider].flatMap { $0.actualEnd == row.departedAt ? $0 : nil }
            let startPredicted = chained?.predicted ?? departed
            let startBase = chained?.base ?? departed
            let arrivalPredicted = startPredicted + prediction.travel[1]
            let arrivalBase = startBase + base.travel
            let arrived = Double(row.arrivedAt!.seconds)
            arrivalErrors.append(abs(arrivalPredicted - arrived))
            baseArrivalErrors.append(abs(arrivalBase - arrived))
            if let completed = row.completedAt {
                // An early rider waits at the door for the window to open, then serves.
                let opens = Double(row.windowStart?.seconds ?? 0)
                runs[row.rider] = (completed, max(arrivalPredicted, opens) + prediction.dwell, max(arrivalBase, opens) + base.dwell)
            } else {
                runs[row.rider] = nil
            }
        }, learn: { row in if online { learner.learn(row) } })
        func figures(_ travel: [Double], _ arrival: [Double], _ dwell: [Double]) -> Figures {
            var f = Figures()
            guard !travel.isEmpty else { return f }
            f.dwellMAE = dwell.isEmpty ? 0 : dwell.reduce(0, +) / Double(dwell.count)
            f.travelMAE = travel.reduce(0, +) / Double(travel.count)
            f.travelP90 = ETAEvaluation.p90(travel)
            f.arrivalMAE = arrival.reduce(0, +) / Double(arrival.count)
            f.arrivalP90 = ETAEvaluation.p90(arrival)
            f.within5 = Double(arrival.filter { $0 <= 300 }.count) / Double(arrival.count)
            f.within10 = Double(arrival.filter { $0 <= 600 }.count) / Double(arrival.count)
            return f
        }
        model = figures(travelErrors, arrivalErrors, dwellErrors)
        rowsWithNoiseFree = floorErrors.count
        if !rows.isEmpty, floorErrors.count == rows.count { noiseFloor = floorErrors.reduce(0, +) / Double(rows.count) }
        model.coverage = rows.isEmpty ? 0 : Double(covered) / Double(rows.count)
        baseline = figures(baseTravelErrors, baseArrivalErrors, baseDwellErrors)
        coverageByDistance = byDistance
        coverageByHour = byHour
    }

    /// Why no noise floor is printed though some rows carry a noise-free travel; nil when it is printed or none does.
    public var noiseFloorMissing: String? {
        guard noiseFloor == nil, rowsWithNoiseFree > 0 else { return nil }
        return "noise floor not measured: \(rows - rowsWithNoiseFree) of \(rows) rows have no \(HistoryRow.noiseFreeColumn)"
    }

    static func p90(_ values: [Double]) -> Double { values.sorted().quantile(0.9) }
}
