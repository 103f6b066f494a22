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
}
