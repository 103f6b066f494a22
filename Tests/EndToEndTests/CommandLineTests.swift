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
    }

    @Test(arguments: [["frobnicate"], ["simulate", "--bogus"], ["simulate", "--seed", "minus"], ["replay"], ["replay", "a", "b"], ["simulate", "--until"]])
    func aWrongCommandLineExitsWith2(arguments: [String]) throws {
        let result = try Tower.run(arguments)
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("tower: "))
        #expect(result.stdout.isEmpty)
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
}
