import Foundation
import Testing

/// `--date`: a city's folder run on another day. Its times, shifts and booked windows move to that day; a feed of that
/// day is taken; the day's journal (and so its socket and dead letters) is named by the date, so the next day starts
/// its own.
@Suite struct DateOptionTests {
    static let day = "2027-03-02"

    @Test func aSimulatedDayMovesWholeToTheDate() throws {
        let city = try Tower.smallCity()
        let folder = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/moved.jsonl"
        let moved = try Tower.run(["simulate", "--scenario", city, "--date", Self.day, "--until", "13:00", "--journal", journal, "--json"])
        #expect(moved.status == 0, "\(moved.stderr)")
        let lines = try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n")
        #expect(lines.allSatisfy { $0.contains("\"at\":\"\(Self.day)T") }, "every event on the day named")
        let created = lines.filter { $0.contains("\"order.created\"") }
        #expect(!created.isEmpty && created.allSatisfy { $0.contains("\"window_end\":\"\(Self.day)T") })
        // The booked windows moved with the day: promises are kept there as on the folder's own day.
        func kept(_ json: String) throws -> Int {
            let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            return (object?["promises"] as? [String: Any])?["kept"] as? Int ?? -1
        }
        let own = try Tower.run(["simulate", "--scenario", city, "--until", "13:00", "--json"])
        #expect(try kept(own.stdout) >= 20)
        #expect(try Double(kept(moved.stdout)) >= 0.9 * Double(kept(own.stdout)), "\(moved.stdout)")

        for wrong in ["2027-02-30", "tomorrow", "3027-03-02"] {
            let refused = try Tower.run(["simulate", "--scenario", city, "--date", wrong])
            #expect(refused.status == 1 && refused.stderr.contains("--date"), "\(refused.stderr)")
        }
    }

    @Test func aFeedOfTheDayIsTakenAndItsJournalNamedByTheDate() throws {
        let city = try Tower.smallCity()
        let folder = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let feed = folder + "/phones.jsonl"
        let line = "{\"v\":1,\"id\":\"p1\",\"at\":\"\(Self.day)T07:00:00-03:00\",\"type\":\"rider.position\",\"rider\":\"R01\",\"lat\":-22.9,\"lon\":-43.2}\n"
        try Data(line.utf8).write(to: URL(fileURLWithPath: feed))
        let ownDay = try Tower.run(["validate", feed, "--scenario", city])
        #expect(ownDay.status == 1 && ownDay.stdout.contains("is past the day this core runs"), "a line of another day than the folder's is refused: \(ownDay.stdout)\(ownDay.stderr)")
        let thatDay = try Tower.run(["validate", feed, "--scenario", city, "--date", Self.day])
        #expect(thatDay.status == 0, "\(thatDay.stdout)\(thatDay.stderr)")

        let refused = "{\"v\":1,\"id\":\"p2\",\"at\":\"\(Self.day)T07:01:00-03:00\",\"type\":\"rider.position\",\"rider\":\"R404\",\"lat\":-22.9,\"lon\":-43.2}\n"
        try Data((line + refused).utf8).write(to: URL(fileURLWithPath: feed))
        let state = folder + "/state/tower"
        let core = try CoreProcess(["--scenario", city, "--date", Self.day, "--feed", feed], socket: state + "/feed-phones-\(Self.day).sock", in: folder)
        let deadLetter = state + "/feed-phones-\(Self.day).dead-letter.jsonl"
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? String(contentsOfFile: deadLetter, encoding: .utf8))?.contains("R404") ?? false) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(core.stop() == 0, "\(core.output)")
        let journal = try String(contentsOfFile: state + "/feed-phones-\(Self.day).jsonl", encoding: .utf8)
        #expect(journal.contains("\"id\":\"p1\""), "the day's line journaled")
        let deadLetters = try String(contentsOfFile: deadLetter, encoding: .utf8)
        #expect(deadLetters.contains("R404"), "the day's refused line beside its journal")

        let simulated = try CoreProcess(["--scenario", city, "--date", Self.day, "--paused"], socket: state + "/city-\(Self.day)-seed1.sock", in: folder)
        let decide = try Tower.run(["decide", "approve", "E-9999", "--scenario", city, "--date", Self.day], in: folder)
        #expect(decide.status == 1 && decide.stderr.contains("unknown exception"), "decide finds the dated core's socket: \(decide.stderr)")
        #expect(simulated.stop() == 0, "\(simulated.output)")
    }

    /// A day run with `--date` starts its lanes' ranges from how they spread at the end of the latest earlier day of
    /// the same city beside its journal, and says so; `--ranges-from` names another journal or `none`; a journal
    /// without learned ranges, or asking for them with the travel model, is refused by name.
    @Test func aDayStartsItsRangesFromTheDayBefore() throws {
        let city = try Tower.smallCity()
        let folder = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = folder + "/model.json"
        #expect(try Tower.run(["eta", "synth", folder + "/history.csv", "--seed", "3", "--days", "8"]).status == 0)
        #expect(try Tower.run(["eta", "train", folder + "/history.csv", "--model", model]).status == 0)
        let state = folder + "/state/tower"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        func firstLine(_ path: String) throws -> String { String(try String(contentsOfFile: path, encoding: .utf8).prefix { $0 != "\n" }) }

        let yesterday = state + "/city-2027-03-01-seed3.jsonl"
        let first = try Tower.run(["simulate", "--scenario", city, "--date", "2027-03-01", "--seed", "3", "--eta-model", model, "--journal", yesterday])
        #expect(first.status == 0 && !first.stderr.contains("ranges"), "\(first.stderr)")
        #expect(try !firstLine(yesterday).contains(#""ranges""#))

        // A board or a core of the next day (any seed) finds it, not a later day's (a day run again after); a named
        // pipe named like another journal of that day is passed over, not waited on.
        try FileManager.default.copyItem(atPath: yesterday, toPath: state + "/city-2027-03-05-seed3.jsonl")
        #expect(mkfifo(state + "/city-2027-03-01-seed9.jsonl", 0o600) == 0)
        let core = try CoreProcess(["--scenario", city, "--date", Self.day, "--eta-model", model, "--paused"], socket: state + "/city-\(Self.day)-seed1.sock", in: folder)
        #expect(core.stop() == 0, "\(core.output)")
        #expect(core.output.contains("the lanes' ranges start from the end of 2027-03-01 (\(yesterday))"), "\(core.output)")
        let started = try firstLine(state + "/city-\(Self.day)-seed1.jsonl")
        #expect(started.contains(#""ranges":""#), "\(started)")
        // Started again, it resumes its day from the ranges its first line holds, and says so when asked for others.
        let again = try CoreProcess(["--scenario", city, "--date", Self.day, "--eta-model", model, "--paused", "--ranges-from", "none"],
                                    socket: state + "/city-\(Self.day)-seed1.sock", in: folder)
        #expect(again.stop() == 0, "\(again.output)")
        #expect(again.output.contains("--ranges-from is not used: \(state)/city-\(Self.day)-seed1.jsonl resumes its day"), "\(again.output)")
        #expect(try firstLine(state + "/city-\(Self.day)-seed1.jsonl") == started)

        let other = folder + "/other.jsonl"
        let named = try Tower.run(["simulate", "--scenario", city, "--until", "08:00", "--eta-model", model, "--journal", other, "--ranges-from", yesterday])
        #expect(named.status == 0 && named.stderr.contains("the lanes' ranges start from the end of \(yesterday)"), "\(named.stderr)")
        #expect(try firstLine(other).contains(#""ranges":""#))
        let resumed = try Tower.run(["simulate", "--scenario", city, "--until", "09:00", "--eta-model", model, "--journal", other, "--ranges-from", "none"])
        #expect(resumed.status == 0 && resumed.stderr.contains("--ranges-from is not used: \(other) resumes its day"), "\(resumed.stderr)")
        try FileManager.default.removeItem(atPath: other)
        let without = try Tower.run(["simulate", "--scenario", city, "--date", Self.day, "--seed", "2", "--until", "08:00", "--eta-model", model,
                                     "--journal", state + "/city-\(Self.day)-seed2.jsonl", "--ranges-from", "none"])
        #expect(without.status == 0 && !without.stderr.contains("ranges"), "\(without.stderr)")
        #expect(try !firstLine(state + "/city-\(Self.day)-seed2.jsonl").contains(#""ranges""#))

        // Widths learned on lanes the travel model timed do not carry to a learned model's, nor the other way.
        let travel = try Tower.run(["simulate", "--scenario", city, "--until", "08:00", "--eta-model", "none", "--ranges-from", yesterday])
        #expect(travel.status == 1 && travel.stderr.contains("its lanes were timed by a learned ETA model, this day's by the travel model"), "\(travel.stderr)")
        let timedByTravel = folder + "/travel.jsonl"
        #expect(try Tower.run(["simulate", "--scenario", city, "--until", "12:00", "--eta-model", "none", "--journal", timedByTravel]).status == 0)
        let refused = try Tower.run(["simulate", "--scenario", city, "--until", "08:00", "--eta-model", model, "--ranges-from", timedByTravel])
        #expect(refused.status == 1 && refused.stderr.contains("its lanes were timed by the travel model, this day's by a learned ETA model"), "\(refused.stderr)")
        let travelAgain = try Tower.run(["simulate", "--scenario", city, "--until", "08:00", "--eta-model", "none", "--ranges-from", timedByTravel])
        #expect(travelAgain.status == 0 && travelAgain.stderr.contains("the lanes' ranges start from the end of \(timedByTravel)"), "\(travelAgain.stderr)")
        let pipe = try Tower.run(["simulate", "--scenario", city, "--until", "08:00", "--eta-model", model, "--ranges-from", state + "/city-2027-03-01-seed9.jsonl"])
        #expect(pipe.status == 1 && pipe.stderr.contains("is a named pipe, not a file: it names an earlier day's journal"), "\(pipe.stderr)")
        let early = folder + "/early.jsonl"
        #expect(try Tower.run(["simulate", "--scenario", city, "--until", "06:00", "--eta-model", model, "--journal", early]).status == 0)
        let unlearned = try Tower.run(["simulate", "--scenario", city, "--until", "08:00", "--eta-model", model, "--ranges-from", early])
        #expect(unlearned.status == 1 && unlearned.stderr.contains("\(early): no checkpoint in it holds the lanes' ranges learned from an arrival"), "\(unlearned.stderr)")
    }
}
