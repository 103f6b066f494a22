import Foundation

/// Learned travel and dwell times with intervals, and the distance-over-speed baseline beside them.
///
/// Travel: ridge regression on the log of the seconds from departure to the door, from the leg's road distance
/// (log and linear), the hour, weekend, the stop's place in the run, parcels, the traffic slowdown in force on the
/// leg when known (its log), and one indicator per channel, zone and rider seen in training (an unseen one adds
/// nothing: the average). Dwell: the same on the log of
/// the seconds at the door, from parcels, hour, channel, zone and rider. P10 / P50 / P90 add the residuals'
/// percentiles in log space (see `RidgeRegression`).
///
/// On top of the linear travel model, gradient-boosted trees (`BoostedTrees`) learn what it leaves unexplained from
/// the raw leg (both ends and the midpoint, distance, hour, weekday, zone, channel, stop index, parcels,
/// slowdown): the interactions a linear model on hand-made features misses. The trees are fixed once trained; the
/// linear part keeps learning online (recursive least squares on what the trees leave), so a change in the world is
/// still followed within tens of legs. Travel intervals are conformal per regime (`IntervalRegimes`).
public struct ETAModel: Codable, Sendable {
    public static let formatVersion = 2
    public var version = ETAModel.formatVersion { didSet { memo = FingerprintMemo() } }
    public private(set) var zones: [String]
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
    /// The trees on the linear travel model's residuals (nil: linear alone, as models trained by older builds).
    public private(set) var trees: BoostedTrees?
    /// How the travel intervals change with distance and hour (nil: one shape for every leg).
    private(set) var regimes: IntervalRegimes?
    /// The fingerprint, once computed, shared by the copies of this model until one of them changes (every change
    /// to what is encoded goes through a property above that starts a new memo).
    private var memo = FingerprintMemo()

    static let circuity = TravelModel().circuity
    static let travelShift = 5.0, dwellShift = 10.0

    public struct Prediction: Sendable {
        public var travel: [Double]  // P10, P50, P90 seconds
        public var dwell: Double     // P50 seconds
    }

    /// Trains on rows with their times (failed visits teach travel, not dwell). Without `riderEffects` the model
    /// learns no per-rider indicators: the one to take to another fleet, whose rider ids name other people.
    public init(training rows: [HistoryRow], riderEffects: Bool = true, boosted: Bool = true) throws {
        let usable = rows.filter { $0.travelSeconds != nil }
        guard usable.count >= 50 else { throw ToolError("too few rows with times to learn from (\(usable.count); at least 50)") }
        zones = Array(Set(usable.map(\.zone))).sorted()
        riders = riderEffects ? Array(Set(usable.map(\.rider))).sorted() : []
        let vocabulary = Vocabulary(zones: zones, riders: riders)
        self.vocabulary = vocabulary
        let x = usable.map { ETAModel.travelFeatures($0, vocabulary) }
        let y = usable.map { log($0.travelSeconds! + ETAModel.travelShift) }
        let order = usable.indices.sorted { (usable[$0].departedAt, $0) < (usable[$1].departedAt, $1) }
        let cut = order.count * 4 / 5
        if cut < 50 || cut == order.count {
            travel = try ETAModel.robustFit(rows: x, targets: y)  // too few rows to hold any out
        } else {
            // The latest fifth of the rows is held out (split in time, as the model will be used: on days it has not
            // seen): the trees stop growing when their error on it stops falling, and the intervals come from its
            // residuals under a fit on the rest.
            let early = try ETAModel.robustFit(rows: order[..<cut].map { x[$0] }, targets: order[..<cut].map { y[$0] })
            let held = order[cut...]
            if boosted {
                let z = usable.map { ETAModel.treeFeatures($0, vocabulary) }
                let residual = { (i: Int) in y[i] - early.predict(x[i]) }
                let trees = BoostedTrees(rows: order[..<cut].map { z[$0] }, targets: order[..<cut].map(residual),
                                         validation: (held.map { z[$0] }, held.map(residual)))
                self.trees = trees
                travel = try ETAModel.robustFit(rows: x, targets: usable.indices.map { y[$0] - trees.predict(z[$0]) })
                let heldResiduals = held.map { residual($0) - trees.predict(z[$0]) }
                travel.calibrate(residuals: heldResiduals)
                regimes = IntervalRegimes(residuals: heldResiduals, km: held.map { ETAModel.roadKm(usable[$0]) },
                                          hours: held.map { ETAModel.hour(usable[$0]) }, overall: travel.quantiles)
            } else {
                travel = try ETAModel.robustFit(rows: x, targets: y)
                travel.calibrate(residuals: held.map { y[$0] - early.predict(x[$0]) })
            }
        }
        let dwelt = usable.filter { $0.dwellSeconds != nil }
        dwell = try RidgeRegression(rows: dwelt.map { ETAModel.dwellFeatures($0, vocabulary) },
                                    targets: dwelt.map { log($0.dwellSeconds! + ETAModel.dwellShift) })
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
        let t = travel.predict(ETAModel.travelFeatures(row, vocabulary)) + (trees?.predict(ETAModel.treeFeatures(row, vocabulary)) ?? 0)
        let d = dwell.predict(ETAModel.dwellFeatures(row, vocabulary))
        let quantiles = regimes?.quantiles(km: ETAModel.roadKm(row), hour: ETAModel.hour(row), overall: travel.quantiles) ?? travel.quantiles
        let travelSeconds = quantiles.map { max(0, exp(t + $0) - ETAModel.travelShift) }
        return Prediction(travel: travelSeconds, dwell: max(0, exp(d + dwell.quantiles[1]) - ETAModel.dwellShift))
    }

    /// The model with an indicator for each of `ids` it has none for yet (the live fleet's riders), starting at the
    /// average and learned online from their deliveries. Rider indicators come last in both feature vectors.
    public func adding(riders ids: [String]) -> ETAModel {
        var model = self
        let new = ids.filter { !riders.contains($0) }
        model.riders += new
        model.vocabulary = Vocabulary(zones: model.zones, riders: model.riders)
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
        if let seconds = row.travelSeconds {
            let explained = trees?.predict(ETAModel.treeFeatures(row, vocabulary)) ?? 0
            travel.update(ETAModel.travelFeatures(row, vocabulary), log(seconds + ETAModel.travelShift) - explained)
        }
        if let seconds = row.dwellSeconds { dwell.update(ETAModel.dwellFeatures(row, vocabulary), log(seconds + ETAModel.dwellShift)) }
    }

    /// A fit that is not pulled by legs a breakdown or a stall held up (they say nothing about the roads): fitted once,
    /// then again without the legs the first fit misses by more than four robust standard deviations (1.4826 times
    /// the median absolute residual). The intervals are still taken over every leg.
    static func robustFit(rows: [[Double]], targets: [Double]) throws -> RidgeRegression {
        let first = try RidgeRegression(rows: rows, targets: targets)
        let residuals = zip(rows, targets).map { abs($1 - first.predict($0)) }
        let limit = 4 * 1.4826 * residuals.sorted().quantile(0.5)
        let kept = residuals.indices.filter { residuals[$0] <= limit }
        guard kept.count < rows.count, kept.count >= 50 else { return first }
        return try RidgeRegression(rows: kept.map { rows[$0] }, targets: kept.map { targets[$0] })
    }

    /// The categories the model has an indicator for, by name.
    struct Vocabulary: Sendable {
        var zones: [String: Int]
        var riders: [String: Int]

        init(zones: [String], riders: [String]) {
            self.zones = Dictionary(uniqueKeysWithValues: zones.enumerated().map { ($1, $0) })
            self.riders = Dictionary(uniqueKeysWithValues: riders.enumerated().map { ($1, $0) })
        }
    }

    private enum CodingKeys: String, CodingKey {
        case version, zones, riders, travel, dwell, baselineKmh, baselineDwell, trainedRows, trees, regimes
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decode(Int.self, forKey: .version)
        zones = try c.decode([String].self, forKey: .zones)
        riders = try c.decode([String].self, forKey: .riders)
        travel = try c.decode(RidgeRegression.self, forKey: .travel)
        dwell = try c.decode(RidgeRegression.self, forKey: .dwell)
        baselineKmh = try c.decode(Double.self, forKey: .baselineKmh)
        baselineDwell = try c.decode(Double.self, forKey: .baselineDwell)
        trainedRows = try c.decode(Int.self, forKey: .trainedRows)
        trees = try c.decodeIfPresent(BoostedTrees.self, forKey: .trees)
        regimes = try c.decodeIfPresent(IntervalRegimes.self, forKey: .regimes)
        vocabulary = Vocabulary(zones: zones, riders: riders)
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

    static func common(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        var x = [Double](repeating: 0, count: 24 + channels.count + vocabulary.zones.count + vocabulary.riders.count)
        for (hour, share) in hourShares(row) { x[hour] += share }
        var offset = 24
        if let c = channels.firstIndex(of: row.channel) { x[offset + c] = 1 }
        offset += channels.count
        if let z = vocabulary.zones[row.zone] { x[offset + z] = 1 }
        offset += vocabulary.zones.count
        if let r = vocabulary.riders[row.rider] { x[offset + r] = 1 }
        return x
    }

    static func travelFeatures(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        let km = roadKm(row)
        let weekday = ISOTime.weekday(row.departedAt, offsetSeconds: row.utcOffsetSeconds)
        return [1, log(km + 0.05), km, weekday >= 5 ? 1 : 0, Double(min(row.stopIndex, 30)) / 30, log1p(Double(row.parcels)),
                -log(row.slowdown ?? 1)] + common(row, vocabulary)
    }

    /// The leg as the trees see it: raw values, no hand-made shapes (categories as their index, -1 when unknown).
    /// Not the rider: riders come and go, and the linear part's per-rider effects learn each one online.
    static func treeFeatures(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        let middle = row.from.interpolated(to: row.to, fraction: 0.5)
        return [row.from.lat, row.from.lon, row.to.lat, row.to.lon, middle.lat, middle.lon, roadKm(row),
                Double(ISOTime.secondOfDay(row.departedAt, offsetSeconds: row.utcOffsetSeconds)) / 3600,
                Double(ISOTime.weekday(row.departedAt, offsetSeconds: row.utcOffsetSeconds)),
                Double(vocabulary.zones[row.zone] ?? -1), Double(channels.firstIndex(of: row.channel) ?? -1),
                Double(min(row.stopIndex, 30)), Double(row.parcels), log(row.slowdown ?? 1)]
    }

    static func hour(_ row: HistoryRow) -> Int { ISOTime.secondOfDay(row.departedAt, offsetSeconds: row.utcOffsetSeconds) / 3600 }

    static func dwellFeatures(_ row: HistoryRow, _ vocabulary: Vocabulary) -> [Double] {
        [1, log1p(Double(row.parcels))] + common(row, vocabulary)
    }

    // MARK: Files

    /// The model's version: a hash of everything it predicts from (the same training gives the same version).
    public var fingerprint: String {
        memo.value {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            let text = (try? encoder.encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            return "eta-" + String(SeededRandom.fnv1a(text), radix: 16)
        }
    }

    /// Refuses to go on with a journal under another model than the one it was written with: the core's
    /// predictions, and so its decisions, would not be the journal's.
    public static func check(journal: String, written: String, running model: ETAModel?) throws {
        let running = model?.fingerprint ?? ""
        guard written != running else { return }
        let name = { (version: String) in version.isEmpty ? "the travel model alone" : "learned ETA model \(version)" }
        throw ToolError("\(journal) was written predicting with \(name(written)); this run predicts with \(name(running)) (--eta-model); a journal goes on only under its model: name another --journal, or start the day over (board: --fresh)")
    }

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        do { try encoder.encode(self).write(to: URL(fileURLWithPath: path)) } catch { throw ToolError("cannot write model \(path): \(error.localizedDescription)") }
    }

    public static func read(path: String) throws -> ETAModel {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read model \(path)") }
        let model: ETAModel
        do { model = try JSONDecoder().decode(ETAModel.self, from: data) } catch {
            throw ToolError("\(path) is not a Tower ETA model (\(error.localizedDescription))")
        }
        guard model.version == formatVersion else { throw ToolError("\(path): model format \(model.version), this Tower reads \(formatVersion); train it again") }
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
