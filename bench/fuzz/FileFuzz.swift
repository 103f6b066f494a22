// libFuzzer entry for the files an operation hands Tower: an input's first byte says which file it is (a small
// city's scenario.json, riders.csv, orders.csv, disruptions.csv or channels.json, a policy file, or the journal a core
// resumes from), the rest is that file's text; the city's other files are the ones `bench/fuzz/run` generated. The
// file is read as `tower` reads it; a file it takes, the city's day is then played through (a journal: resumed from
// and played on). Each must be taken or refused with where and why; never a crash, a hang or an unbounded allocation.
// Built and run by `bench/fuzz/run SECONDS files` (swiftc -sanitize=fuzzer,address), not by `swift build`; run from
// the project's root (the city is read from .build/fuzz/city).
import Foundation

/// The generated city's files, read once.
struct FuzzFiles: Sendable {
    static let folder = ".build/fuzz/city"
    static let names = ["scenario.json", "riders.csv", "orders.csv", "disruptions.csv", "channels.json"]
    let texts: [String: String]

    static let shared: FuzzFiles = {
        var texts: [String: String] = [:]
        for name in names {
            texts[name] = (try? String(contentsOfFile: "\(folder)/\(name)", encoding: .utf8)) ?? ""
        }
        guard texts["scenario.json"] != "" else { fatalError("no city in \(folder): run bench/fuzz/run from the project's root") }
        return FuzzFiles(texts: texts)
    }()

    /// The scenario read from the city's files with one of them replaced, as `ScenarioLoader.load` reads a folder.
    func scenario(replacing name: String? = nil, with text: String = "") throws -> Scenario {
        func file(_ file: String) -> String { file == name ? text : texts[file] ?? "" }
        var scenario = try ScenarioLoader.parseSettings(file("scenario.json"), file: "scenario.json")
        scenario.riders = try ScenarioLoader.parseRiders(file("riders.csv"), file: "riders.csv", scenario: scenario)
        scenario.orders = try ScenarioLoader.parseOrders(file("orders.csv"), file: "orders.csv", scenario: scenario)
        if name == "channels.json" || texts["channels.json"] != "" {
            scenario.channels = try ScenarioLoader.parseChannels(file("channels.json"), file: "channels.json", scenario: scenario)
        }
        scenario.disruptions = try ScenarioLoader.parseDisruptions(file("disruptions.csv"), file: "disruptions.csv", scenario: scenario)
        // A history would train a model for each input; the city's files name none, and an input naming one is read
        // for its name only.
        scenario.etaHistory = nil
        return scenario
    }
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    _ = FuzzFiles.shared
    return 0
}

/// Plays a session's day to its end (an hour past it, so every order is decided).
private func play(_ session: SessionStarter.Session, _ scenario: Scenario) {
    session.simulation.run(until: scenario.dayEnd + 3600, engine: session.engine)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let which = Int(bytes[0]) % (FuzzFiles.names.count + 2)
    let rest = Array(bytes.dropFirst())
    let files = FuzzFiles.shared
    do {
        switch which {
        case 0..<FuzzFiles.names.count:
            // A file that is not UTF-8 is refused by the loader before it is parsed.
            guard let text = String(validating: rest, as: UTF8.self) else { return 0 }
            let scenario = try files.scenario(replacing: FuzzFiles.names[which], with: text)
            play(try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch), scenario)
        case FuzzFiles.names.count:
            guard let text = String(validating: rest, as: UTF8.self) else { return 0 }
            let policy = try PolicyParser.parse(text, file: "policy.conf")
            let scenario = try files.scenario()
            play(try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, policy: policy), scenario)
        default:
            // A journal: resumed from (its lines replayed, the day re-run from its last checkpoint), then played on.
            let path = NSTemporaryDirectory() + "tower-fuzz-journal-\(getpid()).jsonl"
            defer { try? FileManager.default.removeItem(atPath: path) }
            guard FileManager.default.createFile(atPath: path, contents: Data(rest)) else { fatalError("cannot write \(path)") }
            let scenario = try files.scenario()
            play(try SessionStarter.start(scenario: scenario, seed: 1, journalPath: path, durability: .batch), scenario)
        }
    } catch {
        precondition(!"\(error)".isEmpty, "a refusal without a reason")
    }
    return 0
}
