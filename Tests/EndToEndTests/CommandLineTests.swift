import Foundation
import Testing

@Suite struct CommandLineTests {
    @Test func helpListsEveryCommand() throws {
        let result = try Tower.run(["--help"])
        #expect(result.status == 0)
        for command in ["board", "demo", "simulate", "replay", "validate", "generate", "history", "solve", "bench"] { #expect(result.stdout.contains("  \(command)")) }
        let simulate = try Tower.run(["simulate", "--help"])
        #expect(simulate.status == 0)
        #expect(simulate.stdout.contains("--journal FILE"))
        let serve = try Tower.run(["serve", "--help"])
        #expect(serve.stdout.contains("--http [HOST:PORT]") && serve.stdout.contains("alone: 127.0.0.1:8480"), "an address that may be left out says so")
    }

    @Test(arguments: [["frobnicate"], ["simulate", "--bogus"], ["simulate", "--seed", "minus"], ["replay"], ["replay", "a", "b"], ["simulate", "--until"], ["serve", "--http", "--bogus"],
                      ["simulate", "--webhook", "http://127.0.0.1:99999/hook"], ["simulate", "--rider-webhook", "https://[::1]:0/x"]])
    func aWrongCommandLineExitsWith2(arguments: [String]) throws {
        let result = try Tower.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("tower: "))
        #expect(result.stdout.isEmpty)
    }

    /// An error quotes what it was given; what reaches the terminal has no escape sequence or control character in it.
    @Test(arguments: [["simulate", "--until", "1\u{1B}]0;owned\u{07}\u{1B}[2J"], ["simulate", "--scenario", "/nonexistent/\u{1B}[31mred"]])
    func anErrorQuotesNoEscapeSequence(arguments: [String]) throws {
        let result = try Tower.run(arguments)
        #expect(result.status != 0 && result.stderr.hasPrefix("tower: "), "\(result.stderr)")
        #expect(!result.stderr.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(result.stderr.debugDescription)")
    }

    /// What a command prints from its inputs (a Solomon file's first line, a scenario's name, a path) reaches the
    /// terminal without an escape sequence or control character: `tower solve` once printed an instance file's name raw.
    @Test func whatACommandPrintsFromItsInputsHasNoEscapeSequence() throws {
        let work = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let instance = try String(contentsOfFile: Tower.packageRoot.appendingPathComponent("bench/solomon/C101.txt").path, encoding: .utf8)
        let evil = "EVIL\u{1B}]0;owned\u{07}\u{1B}[2J"
        // Its first line replaced (split by scalars: the file's "\r\n" is one Character).
        try ([evil] + instance.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().map(String.init)).joined(separator: "\n")
            .write(toFile: work + "/evil.txt", atomically: true, encoding: .utf8)
        let runs = [try Tower.run(["solve", work + "/evil.txt", "--time-limit", "0.1"]),
                    try Tower.run(["generate", work + "/city\u{1B}[31m", "--name", evil, "--riders", "2", "--orders", "3"])]
        for run in runs {
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.stdout.contains("EVIL") || run.stdout.contains("city"), "\(run.stdout)")
            #expect(!run.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" }, "\(run.stdout.debugDescription)")
        }
    }

    @Test func simulateAndReplayPrintTheSameDigest() throws {
        let city = try Tower.smallCity()
        let journal = try Tower.temporaryDirectory() + "/j.jsonl"
        let simulated = try Tower.run(["simulate", "--scenario", city, "--seed", "1", "--until", "12:00", "--journal", journal])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        let replayed = try Tower.run(["replay", journal])
        #expect(replayed.status == 0, "\(replayed.stderr)")
        let digest = try #require(Tower.digest(simulated.stdout))
        #expect(digest.count == 64)
        #expect(Tower.digest(replayed.stdout) == digest)
        #expect(try Tower.run(["simulate", "--scenario", city, "--seed", "1", "--until", "12:00"]).stdout == simulated.stdout)
        let journalIsAFeed = try Tower.run(["validate", journal])
        #expect(journalIsAFeed.status == 0)
    }

    /// A history written, learned and scored from the command line: `eta eval` gives the coverage of every distance
    /// and hour band beside how far chance alone puts a band of its legs, and the noise floor of a synthetic history.
    @Test func etaEvalScoresEveryBandOfAHistoryItWasNotTrainedOn() throws {
        let folder = try Tower.temporaryDirectory()
        let (history, held) = (folder + "/history.csv", folder + "/held.csv")
        let synth = try Tower.run(["eta", "synth", history, "--seed", "3", "--days", "12"])
        #expect(synth.status == 0 && synth.stderr.contains("over 12 days; no closure (the history ends before day 47)"), "\(synth.stderr)")
        // The days of the first three quarters of the legs learn, the rest are scored.
        let lines = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n")
        let departed = try #require(lines[0].split(separator: ",").firstIndex(of: "departed_at"))
        let cut = lines.dropFirst().map { String($0.split(separator: ",")[departed].prefix(10)) }.sorted()[lines.count * 3 / 4]
        let (early, late) = lines.dropFirst().reduce(into: ([Substring](), [Substring]())) { parts, line in
            if String(line.split(separator: ",")[departed].prefix(10)) < cut { parts.0.append(line) } else { parts.1.append(line) }
        }
        try ([lines[0]] + early).joined(separator: "\n").write(toFile: history, atomically: true, encoding: .utf8)
        try ([lines[0]] + late).joined(separator: "\n").write(toFile: held, atomically: true, encoding: .utf8)
        #expect(try Tower.run(["eta", "train", history, "--model", folder + "/model.json"]).status == 0)
        let result = try Tower.run(["eta", "eval", held, "--model", folder + "/model.json", "--online"])
        #expect(result.status == 0, "\(result.stderr)")
        let distance = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("  by distance: ") })
        for band in ["under 1 km", "1-2 km", "2-4 km", "4 km and more"] {
            #expect(distance.contains(band + " ") && distance.contains("by chance"), "\(distance)")
        }
        #expect(result.stdout.contains("  by hour: before 09:00 "))
        #expect(result.stdout.contains("travel MAE / noise floor"))
    }

    /// `eta predict` names each row by its line in the input, so an order attempted twice has two rows told apart,
    /// and `--online`, which prints the rows in the order they left, still names each row of the input once.
    @Test func etaPredictNamesEachRowByItsLine() throws {
        let folder = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (history, input, model) = (folder + "/history.csv", folder + "/input.csv", folder + "/model.json")
        #expect(try Tower.run(["eta", "synth", history, "--seed", "5", "--days", "6"]).status == 0)
        #expect(try Tower.run(["eta", "train", history, "--model", model]).status == 0)
        let lines = try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n")
        // The last 40 rows, and the first of them again: an order's second attempt.
        let rows = Array(lines.suffix(40))
        try ([lines[0]] + rows + [rows[0]]).joined(separator: "\n").write(toFile: input, atomically: true, encoding: .utf8)
        for online in [false, true] {
            let result = try Tower.run(["eta", "predict", input, "--model", model] + (online ? ["--online"] : []))
            #expect(result.status == 0, "\(result.stderr)")
            let printed = result.stdout.split(separator: "\n")
            #expect(printed.first == "line,order_id,travel_p10_s,travel_p50_s,travel_p90_s,dwell_p50_s")
            let named = printed.dropFirst().compactMap { $0.split(separator: ",").first.flatMap { Int($0) } }
            #expect(named.sorted() == Array(2...42), "every row of the input once, by its line: \(named)")
            if !online { #expect(named == Array(2...42)) }
            let order = rows[0].split(separator: ",")[0]
            #expect(printed.filter { $0.split(separator: ",")[1] == order }.count == 2)
        }
    }

    /// A closure already in a history, measured on it from the command line: `eta synth` names the zone and the day,
    /// and `bench eta --closure ZONE --from DAY` trains on the days before it and follows the legs driven through the
    /// zone online against their noise floor (issue 19: back within 1.15 × within 300 touched legs), then the legs
    /// ending in it. A zone the
    /// history does not have, a day it does not have, or one option without the other is refused, naming what is wrong.
    @Test func aClosureInAHistoryIsMeasuredAgainstItsNoiseFloor() throws {
        let folder = try Tower.temporaryDirectory()
        let history = folder + "/history.csv"
        let synth = try Tower.run(["eta", "synth", history, "--seed", "2", "--days", "52"])
        let suggested = try #require(synth.stderr.split(separator: "tower bench eta FILE ").last?.split(separator: ")").first, "\(synth.stderr)")
        let options = suggested.split(separator: " ").map(String.init)
        #expect(options.count == 4 && options[0] == "--closure" && options[2] == "--from", "\(synth.stderr)")
        let result = try Tower.run(["bench", "eta", history] + options)
        #expect(result.status == 0, "\(result.stderr)")
        let line = try #require(result.stdout.split(separator: "\n").first { $0.hasPrefix("the closure (trained on the 46 days before it") }, "\(result.stdout)")
        let legs = try #require(line.split(separator: "back within 1.15 after ").last?.split(separator: " ").first.flatMap { Int($0) }, "\(line)")
        #expect(legs <= 300, "\(line)")
        // The legs followed are the closed zone's: a model trained before the closure misses them by far more than
        // their noise (on every leg of the city it would not).
        let frozen = try #require(line.split(separator: "frozen ").dropFirst().first?.split(separator: ";").first.flatMap { Double($0) }, "\(line)")
        #expect(frozen > 2.5, "\(line)")
        // Then on the legs ending in the zone, for a closure that slows those instead.
        #expect(result.stdout.split(separator: "\n").contains { $0.hasPrefix("the closure (trained on the 46 days before it") && $0.contains(" legs ending in the zone after it)") },
                "\(result.stdout)")

        let zone = try Tower.run(["bench", "eta", history, "--closure", "nowhere", "--from", options[3]])
        #expect(zone.status != 0 && zone.stderr.contains("zone \"nowhere\" (--closure); the zones are z1"), "\(zone.stderr)")
        let day = try Tower.run(["bench", "eta", history, "--closure", options[1], "--from", "1999-01-01"])
        #expect(day.status != 0 && day.stderr.contains("no leg leaves on 1999-01-01"), "\(day.stderr)")
        let alone = try Tower.run(["bench", "eta", history, "--closure", options[1]])
        #expect(alone.status == 2 && alone.stderr.contains("--closure and --from go together"), "\(alone.stderr)")
        // A zone's name is the history's text: it reaches the terminal cleaned.
        let hostile = folder + "/hostile.csv", name = "\u{1B}]0;owned\u{07}" + options[1]
        try String(contentsOfFile: history, encoding: .utf8).replacingOccurrences(of: ",\(options[1]),", with: ",\(name),")
            .write(toFile: hostile, atomically: true, encoding: .utf8)
        let named = try Tower.run(["bench", "eta", hostile, "--closure", name, "--from", options[3]])
        #expect(named.status == 0 && named.stdout.contains("closure of \(options[1]) from") && !named.stdout.contains("\u{07}"), "\(named.stderr)")
        // With no door in the zone after the day, the second line says so rather than reading a window of nothing.
        let doorless = folder + "/doorless.csv"
        try String(contentsOfFile: history, encoding: .utf8).split(separator: "\n")
            .filter { line in let f = line.split(separator: ",", omittingEmptySubsequences: false)
                return !(f.count > 8 && f[3] == options[1] && f[8].prefix(10) >= options[3]) }
            .joined(separator: "\n").write(toFile: doorless, atomically: true, encoding: .utf8)
        let none = try Tower.run(["bench", "eta", doorless] + options)
        #expect(none.status == 0 && none.stdout.contains("0 legs ending in the zone after it, fewer than the 50 its figures are read over")
                && none.stdout.contains("legs through the zone after it): MAE / noise floor"), "\(none.stdout)\n\(none.stderr)")
        let synthetic = try Tower.run(["bench", "eta", "synthetic"] + options)
        #expect(synthetic.status == 2 && synthetic.stderr.contains("the synthetic history has its own"), "\(synthetic.stderr)")
    }

    @Test func validateReportsEveryBadLineAndExits1() throws {
        let result = try Tower.run(["validate", "sample-data/feeds/bad-lines.jsonl", "--scenario", "sample-data/rio"], in: Tower.packageRoot.path)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.filter { $0.contains(": error: ") }.count == 10)
        #expect(lines.contains("sample-data/feeds/bad-lines.jsonl:3: error: field \"rider\": unknown rider \"R999\""))
        #expect(lines.last == "sample-data/feeds/bad-lines.jsonl: 12 lines, 2 valid, 10 bad, 1 warnings")
        let good = try Tower.run(["validate", "sample-data/feeds/example.jsonl", "--scenario", "sample-data/rio"], in: Tower.packageRoot.path)
        #expect(good.status == 0)
    }

    @Test func aBrokenScenarioNamesTheFileAndExits1() throws {
        let city = try Tower.smallCity()
        try "id,name\nR01\n".write(toFile: city + "/riders.csv", atomically: true, encoding: .utf8)
        let result = try Tower.run(["simulate", "--scenario", city])
        #expect(result.status == 1)
        #expect(result.stderr.contains("riders.csv line 2: 1 fields, the header has 2"))
    }

    @Test func theBoardRefusesToStartWithoutATerminal() throws {
        let result = try Tower.run(["board", "--scenario", "sample-data/rio"], in: Tower.packageRoot.path)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the board needs a terminal"))
    }

    /// A simulated day's default journal that this build cannot go on with (written under a learned model this
    /// build does not make, as after an upgrade that trains it another way) is kept as `.old` and the day starts
    /// over, said in the log: the quick start opens after an upgrade. A journal someone named is never set aside:
    /// that core stops, saying how to start over.
    @Test func aDefaultJournalAnotherBuildWroteIsKeptAsideAndTheDayStartsOver() throws {
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let state = folder + "/state/tower"
        let journal = state + "/city-seed1.jsonl"
        let first = try CoreProcess(["--scenario", city, "--from", "09:00", "--paused"], socket: state + "/city-seed1.sock", in: folder)
        #expect(first.stop() == 0, "\(first.output)")
        var lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0].contains("\"type\":\"session.started\"") && !lines[0].contains("eta_model"))
        lines[0] = lines[0].replacingOccurrences(of: "\"policy\":", with: "\"eta_model\":\"eta-0123456789abcdef\",\"policy\":")
        let edited = lines.joined(separator: "\n")
        try Data(edited.utf8).write(to: URL(fileURLWithPath: journal))
        let named = folder + "/named.jsonl"
        try Data(edited.utf8).write(to: URL(fileURLWithPath: named))

        let again = try CoreProcess(["--scenario", city, "--paused"], socket: state + "/city-seed1.sock", in: folder)
        #expect(again.stop() == 0, "\(again.output)")
        #expect(again.output.contains("the day started over") && again.output.contains("kept as \(journal).old"), "\(again.output)")
        #expect(try String(contentsOfFile: journal + ".old", encoding: .utf8) == edited, "the old journal kept whole")
        #expect(!(try String(contentsOfFile: journal, encoding: .utf8)).contains("eta-0123456789abcdef"), "the day started over")

        let refused = try Tower.run(["serve", "--scenario", city, "--journal", named, "--paused"], in: folder)
        #expect(refused.status == 1 && refused.stderr.contains("--fresh") && !FileManager.default.fileExists(atPath: named + ".old"),
                "\(refused.stderr)")
    }
}

@Suite struct SolveCommandTests {
    @Test func printsExactlyOneJSONObject() throws {
        let result = try Tower.run(["solve", "bench/solomon/C101.txt", "--iterations", "500", "--json"], in: Tower.packageRoot.path)
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["vehicles", "distance", "routes"])
        let routes = try #require(object["routes"] as? [[Int]])
        #expect(routes.count == object["vehicles"] as? Int)
        #expect(routes.flatMap { $0 }.sorted() == Array(1...100))
        #expect(result.stdout.split(separator: "\n").count == 1)
    }

    @Test func aMalformedInstanceExits1NamingTheLine() throws {
        let directory = try Tower.temporaryDirectory()
        try "X\nVEHICLE\nNUMBER CAPACITY\n 2 10\nCUSTOMER\nCUST NO.\n 0 0 0 0 0 100 0\n 1 1 1 1 0\n".write(toFile: directory + "/bad.txt", atomically: true, encoding: .utf8)
        let result = try Tower.run(["solve", directory + "/bad.txt"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.txt line 8: expected 7 numbers"))
    }

    @Test func policiesSideBySideWithIntervals() throws {
        let city = try Tower.smallCity()
        let table = try Tower.run(["simulate", "--scenario", city, "--policy", "static,continuous-auto", "--runs", "2", "--until", "12:00"])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.contains("seeds 1–2: 2 runs per policy") == true)
        #expect(lines.contains { $0.hasPrefix("late (booked window)") && $0.contains("±") })
        #expect(lines.contains { $0.hasPrefix("promises kept") && $0.contains("%") })
        #expect(lines.contains { $0.hasPrefix("continuous-auto against static") })
        #expect(lines.contains { $0.contains("failed first attempts") && $0.contains("target ≤ -25%") })

        let json = try Tower.run(["simulate", "--scenario", city, "--policy", "static,continuous-auto", "--runs", "2", "--until", "12:00", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["runs"] as? [Any])?.count == 4)
        let summary = try #require(object["summary"] as? [String: [String: [String: Double]]])
        #expect(summary["static"]?["late"]?["ci95"] != nil)
        #expect(summary["continuous-auto"]?["cost_per_delivery"]?["mean"] != nil)
        // The same seed under the same policy is the same run.
        let runs = try #require(object["runs"] as? [[String: Any]])
        let single = try Tower.run(["simulate", "--scenario", city, "--policy", "static", "--until", "12:00", "--json"])
        let alone = try #require(try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any])
        #expect(runs[0]["late"] as? Int == alone["late"] as? Int && runs[0]["delivered"] as? Int == alone["delivered"] as? Int)

        #expect(summary["static"]?["promises_kept_rate"]?["runs"] == 2)

        // Stopped before anything was delivered: a rate or a cost per delivery over nothing is no figure, and no
        // mean counts it as 0.
        let early = try Tower.run(["simulate", "--scenario", city, "--policy", "static,continuous-auto", "--runs", "2", "--until", "06:05"])
        let earlyLines = early.stdout.split(separator: "\n").map(String.init)
        for title in ["promises kept", "on-time rate (booked)", "cost per delivery"] {
            #expect(earlyLines.contains { $0.hasPrefix(title) && $0.split(separator: " ", omittingEmptySubsequences: true).suffix(2) == ["—", "—"] },
                    "\(title): \(early.stdout)")
        }
        #expect(earlyLines.contains { $0.contains("late or failed (booked) —") && $0.contains("static has none to compare with") })
        let earlyJSON = try Tower.run(["simulate", "--scenario", city, "--policy", "static,continuous-auto", "--runs", "2", "--until", "06:05", "--json"])
        let earlyObject = try #require(try JSONSerialization.jsonObject(with: Data(earlyJSON.stdout.utf8)) as? [String: Any])
        let earlyStatic = try #require((earlyObject["summary"] as? [String: Any])?["static"] as? [String: Any])
        for key in ["promises_kept_rate", "cost_per_delivery", "plan_sequence_shift", "exception_resolution_median_s"] {
            let figure = try #require(earlyStatic[key] as? [String: Any])
            #expect(figure["mean"] is NSNull && figure["runs"] as? Int == 0, "\(key): \(figure)")
        }

        let twice = try Tower.run(["simulate", "--scenario", city, "--policy", "static,continuous,static", "--runs", "2"])
        #expect(twice.status == 2 && twice.stderr.contains("--policy names 'static' twice"), "a column named twice would pool its runs: \(twice.stderr)")

        let mixed = try Tower.run(["simulate", "--scenario", city, "--runs", "2", "--journal", "x.jsonl"])
        #expect(mixed.status == 2)
        #expect(mixed.stderr.contains("--journal belongs to a single run"))
    }

    @Test func reportsADayInTextAndHTMLAndComparesJournals() throws {
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        for policy in ["static", "continuous-auto"] {
            let run = try Tower.run(["simulate", "--scenario", city, "--policy", policy, "--until", "13:00", "--journal", "\(folder)/\(policy).jsonl"])
            #expect(run.status == 0, "\(run.stderr)")
        }
        let html = folder + "/day.html"
        let report = try Tower.run(["report", folder + "/static.jsonl", folder + "/continuous-auto.jsonl", "--failed-cost", "20"])
        #expect(report.status == 0, "\(report.stderr)")
        let written = try Tower.run(["report", folder + "/static.jsonl", folder + "/continuous-auto.jsonl", "--html", html, "--failed-cost", "20"])
        #expect(written.status == 0 && written.stdout.isEmpty && written.stderr.isEmpty, "--html FILE prints nothing else: \(written.stdout)")
        let lines = report.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("late deliveries") })
        #expect(lines.contains { $0.contains("static") && $0.contains("continuous-auto") })
        #expect(lines.contains { $0.hasPrefix("== continuous-auto: exceptions by kind") })
        let failedRow = try #require(lines.first { $0.hasPrefix("failed deliveries (cost)") })
        #expect(failedRow.contains(".00)"))
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.hasPrefix("<!doctype html>"))
        #expect(page.contains("<svg") && page.contains("The KPIs side by side") && page.contains("Every order") && page.contains("On time by zone"))
        #expect(page.contains("policy static") && page.contains("policy continuous-auto"), "each journal's policy, as it recorded it")
        #expect(!page.lowercased().contains("<script"))
        #expect(!page.replacingOccurrences(of: "http://www.w3.org/2000/svg", with: "").contains("http"), "nothing is fetched from elsewhere")

        let missing = try Tower.run(["report", folder + "/nope.jsonl"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("nope.jsonl"))
    }
}

/// `tower bench events` measures a feed of its own making: every line of it must be one the core takes, or the
/// figure counts refusals (a feed once sent the core's own assignments and routes: 52,000 of 1.19 million lines
/// were refused, each in microseconds).
@Suite struct EventsBenchTests {
    @Test func theSyntheticDayIsTakenWhole() throws {
        let result = try Tower.run(["bench", "events", "--riders", "12", "--orders", "240"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stdout.contains("refused"), "\(result.stdout)")
        let fed = try #require(result.stdout.firstMatch(of: /feed: (\d+) events/)).1
        let taken = try #require(result.stdout.firstMatch(of: /ingest: (\d+) events/)).1
        #expect(fed == taken)
    }
}
