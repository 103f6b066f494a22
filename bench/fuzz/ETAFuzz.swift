// libFuzzer entry for the ETA files an operation hands Tower: an input's first byte says which (a delivery history, or
// a model file), the rest is its text. A history is read as `tower eta train` reads it and, when taken, trained on; a
// model file is read as `--eta-model` and `tower eta predict --model` read it. The model then times every leg of the
// history (the one given, or .build/fuzz/eta-history.csv for a model file), frozen and learning online leg by leg as
// `eta predict --online` does. Each file must be taken or refused with where and why, every time the model gives
// must be a number of seconds, and the model as trained and as learned must read back from the file it writes: never
// a crash, a hang, a NaN or an infinity. Built and run by `bench/fuzz/run SECONDS
// eta` (swiftc -sanitize=fuzzer,address), not by `swift build`; run from the project's root.
import Foundation

/// The history a model file's input is exercised on, read once.
enum FuzzHistory {
    static let path = ".build/fuzz/eta-history.csv"
    static let rows: [HistoryRow] = {
        guard let rows = try? HistoryReader.read(path: path, requireTimes: false).rows else {
            fatalError("no history at \(path): run bench/fuzz/run from the project's root")
        }
        return rows
    }()
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    _ = FuzzHistory.rows
    return 0
}

/// Times every row with `model` as trained and with a copy learning each row after timing it, in time order; then
/// writes both to `path` and reads them back: what Tower writes it must read (a model of days before 1970 once was not).
private func exercise(_ model: ETAModel, on rows: [HistoryRow], writingTo path: String) {
    var online = model
    for row in rows.sorted(by: { ($0.departedAt, $0.line) < ($1.departedAt, $1.line) }) {
        for p in [model.predict(row), online.predict(row)] {
            let times = p.travel + [p.dwell]
            precondition(times.allSatisfy { $0.isFinite && $0 >= 0 }, "line \(row.line): times \(times)")
        }
        online.learn(row)
    }
    for written in [model, online] {
        do {
            try written.write(to: path)
            let back = try ETAModel.read(path: path)
            precondition(back.fingerprint == written.fingerprint, "a model read back is not the one written")
        } catch {
            preconditionFailure("a model written is refused on reading: \(error)")
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let path = NSTemporaryDirectory() + "tower-fuzz-eta-\(getpid())"
    defer { [path, path + ".model"].forEach { try? FileManager.default.removeItem(atPath: $0) } }
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes.dropFirst())) else { fatalError("cannot write \(path)") }
    do {
        if bytes[0] % 2 == 0 {
            let rows = try HistoryReader.read(path: path, requireTimes: true).rows
            exercise(try ETAModel(training: rows), on: rows, writingTo: path + ".model")
        } else {
            exercise(try ETAModel.read(path: path), on: FuzzHistory.rows, writingTo: path + ".model")
        }
    } catch {
        precondition(!"\(error)".isEmpty, "a refusal without a reason")
    }
    return 0
}
