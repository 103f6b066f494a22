import Foundation

/// Learned travel and dwell times with intervals, and the distance-over-speed baseline beside them.
///
/// Travel: first a shape (`RoadShape`: a time at the door's zone plus the road distance at a pace that adds up where,
/// when and by whom the leg is driven), fitted on the training legs before the held-out days all at once under a
/// robust loss, and kept under the rest when those days say it helps (`TravelTraining`); on what it leaves, ridge
/// regression on the log of the seconds from departure to the door, from the leg's road distance (log and linear), the
/// hours the leg is driven in and the hour it leaves (each their own indicators), weekend, the stop's
/// place in the run, parcels, the traffic slowdown in force on the leg when known (its log), and one indicator per
/// channel, zone, zone driven through (nearest its midpoint) and rider seen in training (an unseen one adds nothing;
/// the pairs' `RiderPrior` puts the fleet's average in its place). Dwell: the same on the log of the seconds at the
/// door, from parcels, hour, channel, zone and rider.
/// The P50 is the fit; P10 / P90 add the residuals' percentiles in log space (see `RidgeRegression`): every training
/// leg's, each side widened as the held-out days say (`TravelTraining.intervalResiduals`).
///
/// On top of each linear model, gradient-boosted trees (`BoostedTrees`) learn what it leaves unexplained from the raw
/// leg (both ends and the midpoint, distance, hour, weekday, stop index, parcels, slowdown, and zone, channel, rider
/// and the zone driven through as categories): the interactions a linear model on hand-made features misses. The trees
/// are fixed once trained, and so are the shape and the linear travel part (`OnlineETA` trains the whole model again
/// now and then); online, `PairCorrections` learn a rider in a zone, a zone driven through at an hour, and a sudden
/// shift in a zone driven through, a door's zone or a rider, so a change in the world is followed within tens of legs;
/// a rider new to the model is learned from its first leg (`learn` gives it a place, `RiderPrior` reads it). The
/// linear dwell part, and a travel model of the linear part alone, learn online by recursive least squares (each
/// rider's indicator on its own, so a leg costs the same at 20 riders as at 2,000). Travel intervals are conformal
/// per regime (`IntervalRegimes`).
public struct ETAModel: Codable, Sendable {
    public static let formatVersion = 13
    public var version = ETAModel.formatVersion { didSet { memo = FingerprintMemo() } }
    public private(set) var zones: [String]
    /// Each zone's centre (same order as `zones`): the zone a leg passes through is the one whose centre is nearest its
    /// midpoint. Its mean door, or where the zones' names draw a map, centres whose nearest names the zone of almost
    /// every door (`ZoneCentres`).
    public private(set) var zoneCentres: [GeoPoint]
    public private(set) var riders: [String]
    /// Where each zone and rider has its indicator, for lookups in constant time (riders can be hundreds).
    private var vocabulary: Vocabulary
    public static let channels = ["own", "3pl", "gig"]
    public var travel: RidgeRegression { didSet { memo = FingerprintMemo() } }
    public var dwell: RidgeRegression { didSet { memo = FingerprintMemo() } }
    /// The baseline: road km over this speed, and this dwell.
    public var baselineKmh: Double { didSet { memo = FingerprintMemo() } }
    public var baselineDwell: Double { didSet { memo = FingerprintMemo() } }
    public var trainedRows: Int { didSet { memo = FingerprintMemo() } }
    /// The shape of a leg's time (a time at the door plus the distance at a pace), fitted on the training legs before
    /// the held-out days (nil: none, for a model trained on too few rows to hold any out, or linear alone). Where the
    /// held-out days kept it (`shapeKept`), its time is what the linear part, the trees and the pairs correct; kept or
    /// not, it says how much of each leg is driving, which is all a shift of the zone driven through moves
    /// (`PairCorrections.moved`).
    private(set) var shape: RoadShape?
    private(set) var shapeKept = false
    public var hasTravelShape: Bool { shapeKept }
    /// The trees on the linear travel model's residuals (nil: linear alone, as models trained by older builds).
    public private(set) var trees: BoostedTrees?
    /// The trees on the linear dwell model's residuals (nil: linear alone).
    public private(set) var dwellTrees: BoostedTrees?
    /// Corrections for a rider in a zone and for the zone passed through at an hour, learned from the training
    /// legs in time order and online after (`PairCorrections`).
    var pairs = PairCorrections() { didSet { memo = FingerprintMemo() } }
    /// What the model was trained on, so it can be trained again with the legs of the day (`OnlineETA` does, in the
    /// background); nil for a model read from a file or sent by a core. Not part of the model's version.
    public var source: Source?

    public struct Source: Sendable, Equatable {
        /// The history CSV.
        public var history: String
        public var riderEffects: Bool
        /// Legs learned before the first training starts (the next ones start each time that count has doubled), and
        /// from a start to the take-over (`OnlineETA`).
        public var retrainEvery: Int
        public var retrainLag: Int
        /// Where retrained models are kept for a restart, which then loads the ones the journal names instead of
        /// training them again (nil: trained every time).
        public var cache: ETAModelCache?

        public init(history: String, riderEffects: Bool, retrainEvery: Int = 400, retrainLag: Int = 100, cache: ETAModelCache? = nil) {
            self.history = history
            self.riderEffects = riderEffects
            self.retrainEvery = max(1, retrainEvery)
            self.retrainLag = max(1, retrainLag)
            self.cache = cache
        }
    }

    /// How the travel intervals change with distance and hour (nil: one shape for every leg).
    private(set) var regimes: IntervalRegimes?
    /// How many legs of the overall interval shape each hour band's own held-out legs were weighed against, and
    /// whether the held-out days chose it (nil without regimes).
    public var hourWeighing: (legs: Double, chosen: Bool)? { regimes.map { ($0.hourWeighing, $0.hourWeighingChosen) } }
    /// How far online each side of the travel intervals has moved from those shapes, by distance and hour band, to
    /// keep them honest as the day goes (see `IntervalCalibration`).
    private(set) var calibration = IntervalCalibration(distanceCuts: []) { didSet { memo = FingerprintMemo() } }
    /// The fingerprint, once computed, shared by the copies of this model until one of them changes (every change
    /// to what is encoded goes through a property above that starts a new memo).
    private var memo = FingerprintMemo()

    static let circuity = TravelModel().circuity
    static let travelShift = 5.0, dwellShift = 10.0
    /// The longest time a prediction may say, in the log form the model fits: a day. No leg or stop of a delivery
    /// day takes longer, and a leg far outside anything the model learned (a phone's fix thousands of kilometres
    /// off) would otherwise overflow to an infinite time.
    static let longestLogTime = log(86_400.0)

    public struct Prediction: Sendable {
        public var travel: [Double]  // P10, P50, P90 seconds
        public var dwell: Double     // P50 seconds
    }

    /// Trains on rows with their times (failed visits teach travel, not dwell). Without `riderEffects` the model
    /// learns no per-rider indicators: the one to take to another fleet, whose rider ids name other people. Without
    /// `boosted`, the linear part alone; without `shaped`, no travel shape under the rest (both for comparison).
    public init(training rows: [HistoryRow], riderEffects: Bool = true, boosted: Bool = true, shaped: Bool = true) throws {
        let usable = rows.filter { $0.travelSeconds != nil }
        guard usable.count >= 50 else { throw ToolError("too few rows with times to learn from (\(usable.count); at least 50)") }
        zones = Array(Set(usable.map(\.zone))).sorted()
        zoneCentres = ZoneCentres.fitted(zones: zones, rows: usable)
        riders = riderEffects ? Array(Set(usable.map(\.rider))).sorted() : []
        let vocabulary = Vocabulary(zones: zones, centres: zoneCentres, riders: riders)
        self.vocabulary = vocabulary
        let x = usable.map { ETAModel.travelFeatures($0, vocabulary) }
        let y = usable.map { log($0.travelSeconds! + ETAModel.travelShift) }
        let order = usable.indices.sorted { (usable[$0].departedAt, $0) < (usable[$1].departedAt, $1) }
        let cut = order.count * 4 / 5
        if cut < 50 || cut == order.count {
            travel = try ETAModel.robustFit(rows: order.map { x[$0] }, targets: order.map { y[$0] }, separateLast: riders.count)  // too few rows to hold any out
        } else {
            // The latest fifth of the rows is held out (split in time, as the model will be used: on days it has not
            // seen): the trees stop growing when their error on it stops falling, and the intervals come from its
            // residuals under a fit on the rest.
            let held = order[cut...]
            if boosted {
                let training = TravelTraining(rows: usable, x: x, y: y, z: usable.map { ETAModel.treeFeatures($0, vocabulary) },
                                              keys: usable.map { ETAModel.pairKeys($0, vocabulary) }, order: order, cut: cut,
                                              vocabulary: vocabulary, riderCount: riders.count)
                let parts = try training.parts(shaped: shaped)
                (shape, shapeKept) = (parts.shape, parts.shapeKept)
                trees = parts.trees
                travel = parts.linear
                pairs = parts.pairs
                // Every leg's residuals, widened as the held-out days say; the held-out ones alone when they cannot say.
                let (residuals, legs, heldOut) = parts.intervalResiduals.map { ($0, Array(order), Optional(parts.heldResiduals)) }
                    ?? (parts.heldResiduals, Array(held), nil)
                travel.calibrate(residuals: residuals)
                regimes = IntervalRegimes(residuals: residuals, km: legs.map { ETAModel.roadKm(usable[$0]) }, hours: legs.map { ETAModel.hour(usable[$0]) },
                                          days: legs.map { ETAModel.day(usable[$0]) }, heldOut: heldOut)
                calibration = IntervalCalibration(distanceCuts: regimes?.distanceCuts ?? [])
            } else {
                let early = try ETAModel.robustFit(rows: order[..<cut].map { x[$0] }, targets: order[..<cut].map { y[$0] }, separateLast: riders.count)
                travel = try ETAModel.robustFit(rows: order.map { x[$0] }, targets: order.map { y[$0] }, separateLast: riders.count)
                travel.calibrate(residuals: held.map { y[$0] - early.predict(x[$0]) })
            }
        }
        let dwelt = usable.filter { $0.dwellSeconds != nil }
        let dx = dwelt.map { ETAModel.dwellFeatures($0, vocabulary) }, dy = dwelt.map { log($0.dwellSeconds! + ETAModel.dwellShift) }
        let dwellOrder = dwelt.indices.sorted { (dwelt[$0].departedAt, $0) < (dwelt[$1].departedAt, $1) }
        let dwellCut = dwellOrder.count * 4 / 5
        if boosted, dwellCut >= 50, dwellCut < dwellOrder.count {
            // Service time gets trees of its own on the linear fit's residuals, the same way as travel.
            let early = try RidgeRegression(rows: dwellOrder[..<dwellCut].map { dx[$0] }, targets: dwellOrder[..<dwellCut].map { dy[$0] }, separateLast: riders.count)
            let z = dwelt.map { ETAModel.dwellTreeFeatures($0, vocabulary) }
            let trees = ETAModel.trees(on: { dy[$0] - early.predict(dx[$0]) }, features: z, categorical: ETAModel.dwellTreeCategories,
                                       order: dwellOrder, cut: dwellCut)
            dwellTrees = trees.final
            dwell = try RidgeRegression(rows: dwellOrder.map { dx[$0] }, targets: dwellOrder.map { dy[$0] - trees.explained[$0] }, separateLast: riders.count)
        } else {
            dwell = try RidgeRegression(rows: dwellOrder.map { dx[$0] }, targets: dwellOrder.map { dy[$0] }, separateLast: riders.count)
        }
        let speeds = usable.compactMap { row -> Double? in
            let seconds = row.travelSeconds!
            return seconds > 0 ? ETAModel.roadKm(row) / (seconds / 3600) : nil
        }.sorted()
        baselineKmh = speeds.isEmpty ? 20 : max(1, speeds[speeds.count / 2])
        let dwells = dwelt.map { $0.dwellSeconds! }.sorted()
        baselineDwell = dwells.isEmpty ? 120 : dwells[dwells.count / 2]
        trainedRows = usable.count
    }

    public func predict(_ row: HistoryRow) -> Prediction {
        let t = logTravel(row)
        let d = dwell.predict(ETAModel.dwellFeatures(row, vocabulary)) + (dwellTrees?.predict(ETAModel.dwellTreeFeatures(row, vocabulary)) ?? 0)
        let km = ETAModel.roadKm(row), hour = ETAModel.hour(row)
        let quantiles = calibration.scaled(shapedQuantiles(km: km, hour: hour), km: km, hour: hour)
        // The P50 is the fit itself; the residuals place only the P10 and the P90 around it. Their median is not the
        // fit's (it is moved by what the early models missed by on the held-out days, which the kept one has learned),
        // and a regime's median of its own legs would add its own noise to every leg of the regime.
        let offsets = [quantiles[0], min(max(0, quantiles[0]), quantiles[2]), quantiles[2]]
        let travelSeconds = offsets.map { max(0, exp(min(t + $0, ETAModel.longestLogTime)) - ETAModel.travelShift) }
        return Prediction(travel: travelSeconds, dwell: max(0, exp(min(d, ETAModel.longestLogTime)) - ETAModel.dwellShift))
    }

    /// The fitted log travel time of a leg (plus `travelShift`): the shape, the linear part, the trees and the pairs;
    /// for a rider the model has no place for yet, the fleet's average (`RiderPrior.mean`) in place of its own.
    func logTravel(_ row: HistoryRow) -> Double {
        let shaped = shapeTiming(row)
        return shaped.time + travel.predict(ETAModel.travelFeatures(row, vocabulary)) + (trees?.predict(ETAModel.treeFeatures(row, vocabulary)) ?? 0)
            + pairs.correction(ETAModel.pairKeys(row, vocabulary), driving: shaped.driving)
            + (knows(rider: row.rider) ? 0 : pairs.riderPrior?.mean ?? 0)
    }

    /// The shape's log time for a leg where it is kept under the rest (0 where not), and the share of the leg spent
    /// driving as the shape has it (1 without a shape).
    private func shapeTiming(_ row: HistoryRow) -> (time: Double, driving: Double) {
        guard let timing = shape?.timing(row, vocabulary) else { return (0, 1) }
        return (shapeKept ? timing.value : 0, timing.pace)
    }

    /// The travel P10 / P50 / P90 offsets for a leg, as its regime shapes them, before the online calibration.
    private func shapedQuantiles(km: Double, hour: Int) -> [Double] {
        regimes?.quantiles(km: km, hour: hour, overall: travel.quantiles) ?? travel.quantiles
    }

    /// The model with an indicator for each of `ids` it has none for yet (the live fleet's riders), starting at the
    /// average and learned online from their deliveries. Rider indicators come last in both feature vectors.
    public func adding(riders ids: [String]) -> ETAModel {
        var model = self
        let new = ids.filter { !riders.contains($0) }
        model.riders += new
        model.vocabulary = Vocabulary(zones: model.zones, centres: model.zoneCentres, riders: model.riders)
        model.vocabulary.newZones = vocabulary.newZones
        model.travel.extend(by: new.count)
        model.dwell.extend(by: new.count)
        return model
    }

    /// The baseline's travel and dwell for a row.
    public func baseline(_ row: HistoryRow) -> (travel: Double, dwell: Double) {
        (ETAModel.roadKm(row) / baselineKmh * 3600, baselineDwell)
    }

    /// Whether the model has an indicator of its own for rider `id`.
    public func knows(rider id: String) -> Bool { vocabulary.riders[id] != nil }

    /// Learns a row's actual times (online).
    public mutating func learn(_ row: HistoryRow) {
        if !knows(rider: row.rider) { self = adding(riders: [row.rider]) }
        vocabulary.learned(zone: row.zone)
        if let seconds = row.travelSeconds {
            let x = ETAModel.travelFeatures(row, vocabulary), keys = ETAModel.pairKeys(row, vocabulary)
            let (shapeTime, driving) = shapeTiming(row)
            let target = log(seconds + ETAModel.travelShift) - shapeTime - (trees?.predict(ETAModel.treeFeatures(row, vocabulary)) ?? 0)
            // The whole miss, before anything learns the leg: the intervals are scored on it first.
            let miss = target - travel.predict(x) - pairs.correction(keys, driving: driving)
            let km = ETAModel.roadKm(row), hour = ETAModel.hour(row)
            calibration.learn(miss: miss, quantiles: shapedQuantiles(km: km, hour: hour), km: km, hour: hour)
            if trees != nil {
                // The fast shifts first, on the whole miss; then the pairs on what they leave. The linear part stays as
                // trained until the next training: learned online by recursive least squares (forgetting 0.999 a leg)
                // it took each leg's noise into its weights, 2.6% of the travel MAE on held-out days of every history
                // here, and on 120 simulated days of the sample city the core decided no better with it (BENCHMARKS.md,
                // the fifty-third session). The shifts and pairs follow a changed world within tens of legs.
                pairs.learn(keys, residual: miss, shift: true, driving: driving)
                pairs.learn(keys, residual: target - travel.predict(x) - pairs.correction(keys, driving: driving), shift: false)
            } else {
                travel.update(x, target)  // the linear part alone: its only online layer
            }
        }
        if let seconds = row.dwellSeconds {
            let explained = dwellTrees?.predict(ETAModel.dwellTreeFeatures(row, vocabulary)) ?? 0
            dwell.update(ETAModel.dwellFeatures(row, vocabulary), log(seconds + ETAModel.dwellShift) - explained)
        }
    }

    /// Boosted trees fitted to `residual`: early ones on the rows `order[..<cut]` (indices in time order), stopping
    /// early on the rest; `final` grown again on every row for as many rounds as the early ones kept, so the latest
    /// days (the held-out slice, nearest the days the model will predict) shape the trees too. With what the final
    /// ones predict for every row (indexed as `z`). (The travel trees are grown the same way in `TravelTraining`.)
    static func trees(on residual: (Int) -> Double, features z: [[Double]], categorical: Set<Int>, order: [Int], cut: Int)
        -> (final: BoostedTrees, explained: [Double]) {
        let targets = order.map(residual), rows = order.map { z[$0] }
        let early = BoostedTrees.fit(rows: Array(rows[..<cut]), targets: Array(targets[..<cut]),
                                     validation: (Array(rows[cut...]), Array(targets[cut...])), categorical: categorical)
        var settings = BoostedTrees.Settings()
        settings.rounds = early.trees.rounds
        let final = BoostedTrees.fit(rows: rows, targets: targets, validation: ([], []), categorical: categorical, settings: settings)
        var explained = [Double](repeating: 0, count: z.count)
        for (k, i) in order.enumerated() { explained[i] = final.fitted[k] }
        return (final.trees, explained)
    }

    /// The pair corrections learned over `rows` (indices into `legs`, in departure order) from each one's residual
    /// before them, each leg's share of driving as `driving` says, starting from `start`; and, for each set of shift
    /// kinds `reading` names (in its order), what those shifts moved each leg by as they stood when it left (in
    /// `rows` order). Each leg is learned once its times are known (`LiveReplay`), as the live core learns it: the
    /// residuals the intervals are cut from are then those of a model that has not yet heard of the legs still on
    /// the road. A shift follows the world (a zone closed on day 46 is shifted from then on), so its value at the end
    /// is not what it was for the legs before a change.
    static func pairs(learning rows: ArraySlice<Int>, of legs: [HistoryRow], keys: [[(PairCorrections.Kind, Int)]], driving: [Double],
                      from start: PairCorrections = PairCorrections(),
                      reading groups: [Set<PairCorrections.Kind>] = [PairCorrections.Kind.shifts],
                      residual: (Int) -> Double) -> (corrections: PairCorrections, shiftsBefore: [[Double]]) {
        var pairs = start, shiftsBefore = groups.map { _ in [Double]() }
        for j in groups.indices { shiftsBefore[j].reserveCapacity(rows.count) }
        LiveReplay.run(rows, departed: { legs[$0].departedAt }, known: { legs[$0].knownAt }, predict: { i in
            for (j, kinds) in groups.enumerated() { shiftsBefore[j].append(pairs.correction(keys[i], of: kinds, driving: driving[i])) }
        }, learn: { i in
            pairs.learn(keys[i], residual: residual(i) - pairs.correction(keys[i], driving: driving[i]), shift: true, driving: driving[i])
            pairs.learn(keys[i], residual: residual(i) - pairs.correction(keys[i], driving: driving[i]), shift: false)
        })
        return (pairs, shiftsBefore)
    }

    static func pairKeys(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [(PairCorrections.Kind, Int)] {
        PairCorrections.keys(rider: vocabulary.riders[row.rider], zone: vocabulary.door(row),
                             through: vocabulary.centres.isEmpty ? nil : vocabulary.through(row), hour: hour(row), day: day(row))
    }

    /// A fit that is not pulled by legs a breakdown or a stall held up (they say nothing about the roads): fitted once,
    /// then again without the legs the first fit misses by more than four robust standard deviations (1.4826 times
    /// the median absolute residual). The intervals are still taken over every leg. Rows oldest first (the online
    /// matrix is the one recursive least squares would hold after them in that order: `RidgeRegression.init`).
    static func robustFit(rows: [[Double]], targets: [Double], separateLast: Int) throws -> RidgeRegression {
        let first = try RidgeRegression(rows: rows, targets: targets, separateLast: separateLast)
        let residuals = zip(rows, targets).map { abs($1 - first.predict($0)) }
        let limit = 4 * 1.4826 * residuals.sorted().quantile(0.5)
        let kept = residuals.indices.filter { residuals[$0] <= limit }
        guard kept.count < rows.count, kept.count >= 50 else { return first }
        return try RidgeRegression(rows: kept.map { rows[$0] }, targets: kept.map { targets[$0] }, separateLast: separateLast)
    }

    /// The zone the model takes a leg to be driven through (the one whose centre is nearest its midpoint), as its
    /// shifts and pairs key it.
    public func zoneDrivenThrough(_ row: HistoryRow) -> String { zones[vocabulary.through(row)] }

    /// The categories the model has an indicator for, by name.
    struct Vocabulary: Sendable {
        var zones: [String: Int]
        var centres: [GeoPoint]
        var riders: [String: Int]

        init(zones: [String], centres: [GeoPoint], riders: [String]) {
            self.zones = Dictionary(uniqueKeysWithValues: zones.enumerated().map { ($1, $0) })
            self.centres = centres
            self.riders = Dictionary(uniqueKeysWithValues: riders.enumerated().map { ($1, $0) })
        }

        /// The zone whose centre is nearest the leg's midpoint (by squared degrees, scaled for latitude: nearest is
        /// all that is asked).
        func through(_ row: HistoryRow) -> Int {
            let middle = row.from.interpolated(to: row.to, fraction: 0.5)
            let scale = cos(middle.lat * Double.pi / 180)
            var best = 0, nearest = Double.infinity
            for (i, centre) in centres.enumerated() {
                let dLat = centre.lat - middle.lat, dLon = (centre.lon - middle.lon) * scale
                let d = dLat * dLat + dLon * dLon
                if d < nearest { nearest = d; best = i }
            }
            return best
        }

        /// The key of the leg's door zone among the pairs and shifts: its index when the training rows named it, else
        /// the key it was given when the model first learned a leg to it (`learned(zone:)`), else nil.
        func door(_ row: HistoryRow) -> Int? { zones[row.zone] ?? newZones[row.zone] }

        /// Zones the training rows did not name, keyed after the trained ones in the order the model learned a first
        /// leg to each. Their legs are timed as a zone the model does not know (the city's average) by the trained
        /// parts, and each learns a door shift and rider pairs of its own online, from its first leg on. (Timing them
        /// as the zone whose centre is nearest the door instead mended a renamed zone at once, but put a new zone on
        /// its neighbour's pace: on one of three grid histories, 1.02 → 1.33 × the floor; BENCHMARKS.md, "A zone the
        /// history never named".) Not written with the model: a replay learns them again, leg by leg.
        var newZones: [String: Int] = [:]

        /// Gives `zone` a key when it has none.
        mutating func learned(zone: String) {
            guard zones[zone] == nil, newZones[zone] == nil else { return }
            newZones[zone] = zones.count + newZones.count
        }
    }

    private enum CodingKeys: String, CodingKey {
        case version, zones, zoneCentres, riders, travel, dwell, baselineKmh, baselineDwell, trainedRows, shape, shapeKept, trees, dwellTrees, pairs, regimes, calibration
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        // Another format's parts do not decode as this one's: say which format it is before reading them.
        guard version == ETAModel.formatVersion else { throw OtherFormat(version: version) }
        zones = try c.decode([String].self, forKey: .zones)
        zoneCentres = try c.decode([GeoPoint].self, forKey: .zoneCentres)
        guard zoneCentres.count == zones.count else {
            throw DecodingError.dataCorruptedError(forKey: .zoneCentres, in: c, debugDescription: "one centre per zone expected")
        }
        riders = try c.decode([String].self, forKey: .riders)
        guard Set(zones).count == zones.count, Set(riders).count == riders.count else {
            throw DecodingError.dataCorruptedError(forKey: .riders, in: c, debugDescription: "a zone or a rider named twice")
        }
        travel = try c.decode(RidgeRegression.self, forKey: .travel)
        dwell = try c.decode(RidgeRegression.self, forKey: .dwell)
        baselineKmh = try c.decode(Double.self, forKey: .baselineKmh)
        baselineDwell = try c.decode(Double.self, forKey: .baselineDwell)
        trainedRows = try c.decode(Int.self, forKey: .trainedRows)
        shape = try c.decodeIfPresent(RoadShape.self, forKey: .shape)
        shapeKept = try c.decode(Bool.self, forKey: .shapeKept)
        trees = try c.decodeIfPresent(BoostedTrees.self, forKey: .trees)
        dwellTrees = try c.decodeIfPresent(BoostedTrees.self, forKey: .dwellTrees)
        pairs = try c.decode(PairCorrections.self, forKey: .pairs)
        regimes = try c.decodeIfPresent(IntervalRegimes.self, forKey: .regimes)
        // Models written before the calibration start where a trained one does.
        calibration = try c.decodeIfPresent(IntervalCalibration.self, forKey: .calibration) ?? IntervalCalibration(distanceCuts: regimes?.distanceCuts ?? [])
        vocabulary = Vocabulary(zones: zones, centres: zoneCentres, riders: riders)
        // A file is input: every part must fit the features this model builds, or a prediction would read past them.
        let probe = HistoryRow(line: 0, order: "", rider: "", channel: "own", zone: "", from: GeoPoint(lat: 0, lon: 0), to: GeoPoint(lat: 0, lon: 0),
                               departedAt: Instant(seconds: 0), arrivedAt: nil, completedAt: nil, stopIndex: 0, parcels: 0, outcome: "", utcOffsetSeconds: 0)
        let problem: (CodingKeys, String)? =
            !travel.fits(dimension: ETAModel.travelFeatures(probe, vocabulary).count) ? (.travel, "the travel model does not fit the zones and riders")
            : !dwell.fits(dimension: ETAModel.dwellFeatures(probe, vocabulary).count) ? (.dwell, "the dwell model does not fit the zones and riders")
            : shape.map({ !$0.fits(zones: zones.count, riderCount: riders.count) }) == true
                ? (.shape, "a travel shape that does not fit the zones and riders, or numbers that are not finite")
            : shapeKept && shape == nil ? (.shapeKept, "a travel shape kept, but none given")
            : trees.map({ $0.features != ETAModel.treeFeatures(probe, vocabulary).count }) == true ? (.trees, "trees for another set of features")
            : dwellTrees.map({ $0.features != ETAModel.dwellTreeFeatures(probe, vocabulary).count }) == true ? (.dwellTrees, "trees for another set of features")
            : regimes.map({ !$0.isWellFormed }) == true ? (.regimes, "interval regimes that do not cover every band")
            : !calibration.isWellFormed || calibration.distanceCuts != (regimes?.distanceCuts ?? [])
                ? (.calibration, "an interval calibration that does not fit the regimes' bands, or factors out of range") : nil
        if let (key, reason) = problem { throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: reason) }
    }

    static func roadKm(_ row: HistoryRow) -> Double { row.from.distanceKm(to: row.to) * circuity }

    /// The hours the leg is driven in, each with its share of the leg (at a city pace of 20 km/h): speeds change on
    /// the hour, and a leg leaving at 08:50 is driven partly before nine and mostly after.
    static func hourShares(_ row: HistoryRow) -> [(hour: Int, share: Double)] {
        let start = ISOTime.secondOfDay(row.departedAt, offsetSeconds: row.utcOffsetSeconds)
        let length = max(60, Int(roadKm(row) / 20 * 3600))
        var shares: [(Int, Double)] = []
        var from = start
        while from < start + length {
            let to = min(start + length, (from / 3600 + 1) * 3600)
            shares.append((from / 3600 % 24, Double(to - from) / Double(length)))
            from = to
        }
        return shares
    }

    /// Hour shares, the hour of departure, channel, zone, (for travel) the zone passed through, and rider, as
    /// indicators; the rider's come last (`adding(riders:)` grows them).
    ///
    /// Both hours, because a city can work either way and the model cannot know which beforehand: where the traffic
    /// of each hour slows the part of the leg driven in it, the shares fit; where a leg's pace is set when it leaves
    /// (a rider who starts into the rush takes the slow roads all the way), the hour of departure does, and the
    /// shares alone smear it over the next hour (on the synthetic histories, whose legs go at the pace of the hour
    /// they leave, the shares alone cost 2–3% of the travel MAE; on the shipped one, timed hour by hour, the hour of
    /// departure alone cost 1.5%).
    static func common(_ row: HistoryRow, _ vocabulary: Vocabulary, through: Bool) -> [Double] {
        let zoneCount = vocabulary.zones.count
        var x = [Double](repeating: 0, count: 48 + channels.count + zoneCount * (through ? 2 : 1) + vocabulary.riders.count)
        for (hour, share) in hourShares(row) { x[hour] += share }
        x[24 + hour(row)] = 1
        var offset = 48
        if let c = channels.firstIndex(of: row.channel) { x[offset + c] = 1 }
        offset += channels.count
        if let z = vocabulary.zones[row.zone] { x[offset + z] = 1 }
        offset += zoneCount
        if through, zoneCount > 0 {
            // The zone the leg drives through learns online apart from the door's: a closure or a jam there slows
            // every leg across it, wherever it ends.
            x[offset + vocabulary.through(row)] = 1
            offset += zoneCount
        }
        if let r = vocabulary.riders[row.rider] { x[offset + r] = 1 }
        return x
    }

    static func travelFeatures(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        let km = roadKm(row)
        let weekday = ISOTime.weekday(row.departedAt, offsetSeconds: row.utcOffsetSeconds)
        return [1, log(km + 0.05), km, weekday >= 5 ? 1 : 0, Double(min(row.stopIndex, 30)) / 30, log1p(Double(row.parcels)),
                -log(row.slowdown ?? 1)] + common(row, vocabulary, through: true)
    }

    /// The leg as the trees see it: raw values, no hand-made shapes (categories as their index, -1 when unknown: zone,
    /// channel, rider and the zone driven through, split as sets). A rider the training rows did not have (a live rider
    /// of another fleet) goes with the unknown ones; the linear part's per-rider effect and the pairs learn it online.
    static func treeFeatures(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        let middle = row.from.interpolated(to: row.to, fraction: 0.5)
        return [row.from.lat, row.from.lon, row.to.lat, row.to.lon, middle.lat, middle.lon, roadKm(row),
                Double(ISOTime.secondOfDay(row.departedAt, offsetSeconds: row.utcOffsetSeconds)) / 3600,
                Double(ISOTime.weekday(row.departedAt, offsetSeconds: row.utcOffsetSeconds)),
                Double(vocabulary.zones[row.zone] ?? -1), Double(channels.firstIndex(of: row.channel) ?? -1),
                Double(min(row.stopIndex, 30)), Double(row.parcels), log(row.slowdown ?? 1), Double(vocabulary.riders[row.rider] ?? -1),
                Double(vocabulary.centres.isEmpty ? -1 : vocabulary.through(row))]
    }

    static let treeCategories: Set<Int> = [9, 10, 14, 15]
    static let dwellTreeCategories: Set<Int> = [4, 5, 8]

    /// The local day a leg leaves on, as days since 1970-01-01.
    static func day(_ row: HistoryRow) -> Int { ISOTime.day(row.departedAt, offsetSeconds: row.utcOffsetSeconds) }

    static func hour(_ row: HistoryRow) -> Int { ISOTime.secondOfDay(row.departedAt, offsetSeconds: row.utcOffsetSeconds) / 3600 }

    /// The visit as the dwell trees see it: the door, the hour, weekday, zone, channel, place in the run, parcels.
    static func dwellTreeFeatures(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        [row.to.lat, row.to.lon, Double(ISOTime.secondOfDay(row.departedAt, offsetSeconds: row.utcOffsetSeconds)) / 3600,
         Double(ISOTime.weekday(row.departedAt, offsetSeconds: row.utcOffsetSeconds)), Double(vocabulary.zones[row.zone] ?? -1),
         Double(channels.firstIndex(of: row.channel) ?? -1), Double(min(row.stopIndex, 30)), Double(row.parcels),
         Double(vocabulary.riders[row.rider] ?? -1)]
    }

    static func dwellFeatures(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        [1, log1p(Double(row.parcels))] + common(row, vocabulary, through: false)
    }

    // MARK: Files

    /// The model's version: a hash of everything it predicts from (the same training gives the same version).
    public var fingerprint: String {
        memo.value {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            return ETAModel.fingerprint(of: (try? encoder.encode(self)) ?? Data())
        }
    }

    /// The fingerprint of a model encoded as `write(to:)` and `fingerprint` encode it.
    private static func fingerprint(of encoded: Data) -> String {
        "eta-" + String(SeededRandom.fnv1a(String(decoding: encoded, as: UTF8.self)), radix: 16)
    }

    /// Refuses to go on with a journal under another model than the one it was written with: the core's
    /// predictions, and so its decisions, would not be the journal's.
    public static func check(journal: String, written: String, running model: ETAModel?) throws {
        let running = model?.fingerprint ?? ""
        guard written != running else { return }
        let name = { (version: String) in version.isEmpty ? "the travel model alone" : "learned ETA model \(version)" }
        throw ForeignJournal("\(journal) was written predicting with \(name(written)); this run predicts with \(name(running)) (--eta-model); a journal goes on only under its model: name another --journal, or start the day over (board: --fresh)")
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try WholeFile.write(try encoder.encode(self), to: path, what: "the model")
    }

    public static func read(path: String) throws -> ETAModel {
        try read(path: path, writtenByThisBuild: false)
    }

    /// A model file of another format than this build's (an older build's).
    struct OtherFormat: Error {
        let version: Int
    }

    /// With `writtenByThisBuild` (a model the state folder's cache kept: `ETAModelCache`), the file's bytes are the
    /// encoding `fingerprint` hashes, so the fingerprint is taken from them instead of encoding the model again (a
    /// resume reads one such model per retraining of the day). A file edited by hand could encode the same model
    /// differently, so any other file's fingerprint is computed from the model.
    static func read(path: String, writtenByThisBuild: Bool) throws -> ETAModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read model \(path)") }
        let model: ETAModel
        do { model = try JSONDecoder().decode(ETAModel.self, from: data) } catch let other as OtherFormat {
            throw ToolError("\(path): model format \(other.version), this Tower reads \(formatVersion); train it again")
        } catch {
            throw ToolError("\(path) is not a Tower ETA model (\(DecodingFailure.describe(error)))")
        }
        if writtenByThisBuild { _ = model.memo.value { ETAModel.fingerprint(of: data) } }
        return model
    }
}

/// A computed-once value shared by copies of a model (see `ETAModel.memo`); thread-safe, as models are `Sendable`.
final class FingerprintMemo: @unchecked Sendable {
    private let lock = NSLock()
    private var computed: String?  // guarded by `lock`

    func value(_ compute: () -> String) -> String {
        lock.lock()
        defer { lock.unlock() }
        if let computed { return computed }
        let value = compute()
        computed = value
        return value
    }
}
