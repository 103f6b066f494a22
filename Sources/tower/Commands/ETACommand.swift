import Foundation
import TowerCore

/// `tower eta train|predict|eval|synth`: the learned ETA model from the command line, and a history with known
/// effects to measure it on.
enum ETACommand: Command {
    static let spec = CommandSpec(
        name: "eta",
        summary: "Train, apply and evaluate the learned ETA model on delivery history (CSV).",
        arguments: [.init(name: "train|predict|eval|synth", help: "What to do."),
                    .init(name: "CSV", help: "train: the history to learn from; predict: the stops to predict; eval: held-out history; synth: the history to write.")],
        options: [
            .init(name: "model", value: "FILE", help: "The model file (written by train, read by predict and eval)."),
            .init(name: "online", value: nil, help: "predict and eval: take rows in time order, each predicted as it leaves and learned once its times are known (its delivery attempt's end)."),
            .init(name: "seed", value: "N", help: "synth: the seed of the city and its noise (default 1)."),
            .init(name: "days", value: "N", help: "synth: days of history (default 60; the closure starts on day 47)."),
        ],
        discussion: """
        The CSV has the columns of 'tower history' (sample-data/README.md): order_id, rider_id, channel, zone, from_lat,
        from_lon, lat, lon, departed_at, arrived_at, completed_at, stop_index, parcels, outcome. For predict, the times
        after departed_at may be empty. Bad rows are reported with line and column and left out; a file that is mostly
        bad is refused. When a history has the column travel_noise_free_s (each leg's travel seconds without noise), eval
        also prints the noise floor: the MAE of those times, the best any model can do.

        synth writes a history of that kind (SyntheticHistory): zone speeds with their own rush hours, parking per
        zone, long legs faster outside the rush, weekday, channel, rider pace and riders slower in zones they do not
        know, heavy-tailed noise, and from day 47 one zone's speed halved by a closure.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        if arguments.positionals[0] == "synth" { return try synth(arguments) }
        guard let modelPath = arguments.value("model") else { throw UsageError(message: "'tower eta' needs --model FILE", command: spec.name) }
        let csv = arguments.positionals[1]
        switch arguments.positionals[0] {
        case "train":
            try WholeFile.checkWritable(modelPath, what: "the model")  // before the training
            let history = try HistoryReader.read(path: csv, requireTimes: true)
            report(history.errors)
            let start = Date()
            let model = try ETAModel(training: history.rows)
            try model.write(to: modelPath)
            FileHandle.standardError.write(Data(String(format: "tower: trained on %d rows (%d riders, %d zones; %@) in %.2f s; model %@\n",
                                                       model.trainedRows, model.riders.count, model.zones.count,
                                                       model.hasTravelShape ? "a travel shape, kept by the held-out days" : "no travel shape",
                                                       Date().timeIntervalSince(start), modelPath).utf8))
        case "predict":
            var model = try ETAModel.read(path: modelPath)
            let input = try HistoryReader.read(path: csv, requireTimes: false)
            report(input.errors)
            // Each row named by its line in the input: an order attempted twice has two rows, and --online prints
            // them in the order they left, not as the file lists them.
            print("line,order_id,travel_p10_s,travel_p50_s,travel_p90_s,dwell_p50_s")
            func emit(_ row: HistoryRow) {
                let p = model.predict(row)
                print([String(row.line), row.order, seconds(p.travel[0]), seconds(p.travel[1]), seconds(p.travel[2]), seconds(p.dwell)].joined(separator: ","))
            }
            if arguments.has("online") {
                LiveReplay.run(input.rows, predict: emit, learn: { model.learn($0) })
            } else {
                input.rows.forEach(emit)
            }
        case "eval":
            let model = try ETAModel.read(path: modelPath)
            let test = try HistoryReader.read(path: csv, requireTimes: true)
            report(test.errors)
            let result = ETAEvaluation(model: model, rows: test.rows, online: arguments.has("online"))
            print("rows: \(result.rows)\(arguments.has("online") ? " (online: each predicted as it left, learned once its times were known)" : "")")
            print("figure                     model      baseline")
            func line(_ name: String, _ a: String, _ b: String) { print(name.padding(toLength: 27, withPad: " ", startingAt: 0) + a.padding(toLength: 11, withPad: " ", startingAt: 0) + b) }
            func minutes(_ s: Double) -> String { String(format: "%.2f min", s / 60) }
            func share(_ v: Double) -> String { String(format: "%.1f%%", v * 100) }
            let m = result.model, b = result.baseline
            line("travel MAE", minutes(m.travelMAE), minutes(b.travelMAE))
            line("travel P90 abs error", minutes(m.travelP90), minutes(b.travelP90))
            line("service MAE", minutes(m.dwellMAE), minutes(b.dwellMAE))
            line("arrival MAE", minutes(m.arrivalMAE), minutes(b.arrivalMAE))
            line("arrival P90 abs error", minutes(m.arrivalP90), minutes(b.arrivalP90))
            line("arrival within ±5 min", share(m.within5), share(b.within5))
            line("arrival within ±10 min", share(m.within10), share(b.within10))
            line("travel P10–P90 coverage", share(m.coverage ?? 0), "—")
            for (heading, bands) in [("by distance", result.coverageByDistance), ("by hour", result.coverageByHour)] {
                print("  \(heading): " + bands.map { "\($0.label) \($0.coverageText)" }.joined(separator: ", "))
            }
            line("travel MAE vs baseline", share(b.travelMAE > 0 ? m.travelMAE / b.travelMAE : 0), "")
            if let floor = result.noiseFloor {
                line("noise floor (travel MAE)", minutes(floor), "")
                line("travel MAE / noise floor", String(format: "%.3f", m.travelMAE / floor), String(format: "%.3f", b.travelMAE / floor))
            } else if let missing = result.noiseFloorMissing {
                print(missing)
            }
        case let other:
            throw UsageError(message: "'tower eta' does train, predict, eval or synth, not '\(TextSanitizer.clean(other))'", command: spec.name)
        }
        return 0
    }

    /// `tower eta synth OUT.csv`: a history with known effects and each leg's noise-free travel time.
    private static func synth(_ arguments: ParsedArguments) throws -> Int32 {
        var settings = SyntheticHistory.Settings()
        if let seed = arguments.value("seed") {
            guard let value = UInt64(seed) else { throw UsageError(message: "--seed expects a whole number, got '\(TextSanitizer.clean(seed))'", command: spec.name) }
            settings.seed = value
        }
        if let days = arguments.value("days") {
            guard let value = Int(days), (5...366).contains(value) else { throw UsageError(message: "--days expects 5 to 366, got '\(TextSanitizer.clean(days))'", command: spec.name) }
            settings.days = value
        }
        let history = SyntheticHistory(settings: settings)
        try WholeFile.write(Data(history.csv.utf8), to: arguments.positionals[1], what: "the history")
        let closure: String
        if let zone = history.closedZone, let day = settings.closureDay, let start = history.closureStart, day < settings.days {
            let date = ISOTime.format(start, offsetSeconds: history.rows.first?.utcOffsetSeconds ?? 0).prefix(10)
            closure = "zone \(zone) closed from day \(day + 1) (\(date): tower bench eta FILE --closure \(zone) --from \(date))"
        } else {
            closure = "no closure" + (settings.closureDay.map { " (the history ends before day \($0 + 1))" } ?? "")
        }
        FileHandle.standardError.write(Data("tower: \(history.rows.count) legs over \(settings.days) days; \(closure)\n".utf8))
        return 0
    }

    private static func seconds(_ value: Double) -> String { String(Int(value.rounded())) }

    /// Bad rows on stderr (the first ten, then a count).
    private static func report(_ errors: [String]) {
        for error in errors.prefix(10) { FileHandle.standardError.write(Data("tower: \(error)\n".utf8)) }
        if errors.count > 10 { FileHandle.standardError.write(Data("tower: ... and \(errors.count - 10) more bad rows\n".utf8)) }
    }
}
