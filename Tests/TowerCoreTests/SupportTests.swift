import Testing
@testable import TowerCore

@Suite struct ISOTimeTests {
    @Test func parsesAndFormatsWithOffsets() throws {
        let parsed = try #require(ISOTime.parse("2026-11-17T10:00:00-03:00"))
        #expect(parsed.offsetSeconds == -10800)
        #expect(ISOTime.format(parsed.instant, offsetSeconds: 0) == "2026-11-17T13:00:00Z")
        #expect(ISOTime.format(parsed.instant, offsetSeconds: -10800) == "2026-11-17T10:00:00-03:00")
        #expect(ISOTime.format(Instant(seconds: 0), offsetSeconds: 19800) == "1970-01-01T05:30:00+05:30")
        #expect(ISOTime.format(Instant(seconds: -62_135_596_800 + 59), offsetSeconds: 0) == "0001-01-01T00:00:59Z")
        #expect(ISOTime.format(Instant(seconds: 253_402_300_800), offsetSeconds: 0) == "10000-01-01T00:00:00Z")
        #expect(ISOTime.parse("2026-11-17T13:00:00.250Z")?.instant == parsed.instant)
        #expect(ISOTime.clock(parsed.instant, offsetSeconds: -10800) == "10:00")
        #expect(ISOTime.weekday(parsed.instant, offsetSeconds: -10800) == 1)  // a Tuesday
    }

    @Test(arguments: ["2026-02-30T10:00:00Z", "2026-11-17T24:00:00Z", "2026-11-17T10:00:00", "2026-11-17 10:00", "yesterday",
                      "2026-11-17T10:00:00+25:00", "2026-11-17T10:00:00Zjunk"])
    func rejectsBadTimes(text: String) {
        #expect(ISOTime.parse(text) == nil)
    }

    @Test func parsesClockTimes() {
        #expect(ISOTime.parseClock("06:00") == 21600)
        #expect(ISOTime.parseClock("24:00") == 86400)
        #expect(ISOTime.parseClock("24:01") == nil)
        #expect(ISOTime.parseClock("6:00") == nil)
        #expect(ISOTime.parseClock("12:60") == nil)
    }

    /// Every time within a year of the years an input may carry (`InputTimes`: what the core derives from an input's
    /// times, a deadline or the end of a day, stays within it), in any offset a city has, is written as a time that reads
    /// back: the journal can hold it.
    @Test func timesNearTheInputsYearsReadBackInEveryOffset() {
        let year: Int64 = 366 * 86_400
        for edge in [InputTimes.earliest - year, InputTimes.earliest, InputTimes.latest, InputTimes.latest + year] {
            for offset in stride(from: -14 * 3600, through: 14 * 3600, by: 1800) {
                #expect(ISOTime.parse(ISOTime.format(edge, offsetSeconds: offset))?.instant == edge, "\(edge.seconds) at \(offset)")
            }
        }
        #expect(!InputTimes.contains(InputTimes.earliest - 1) && !InputTimes.contains(InputTimes.latest + 1))
    }

    @Test func roundTripsAcrossCenturies() {
        for seconds in stride(from: Int64(-2_000_000_000), to: 4_000_000_000, by: 97_654_321) {
            let instant = Instant(seconds: seconds)
            #expect(ISOTime.parse(ISOTime.format(instant, offsetSeconds: 19800))?.instant == instant)
        }
    }
}

@Suite struct SHA256Tests {
    @Test func matchesKnownVectors() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }
}

@Suite struct TextSanitizerTests {
    @Test(arguments: [
        ("plain text, café 配送", "plain text, café 配送"),
        ("\u{1B}[2J\u{1B}[31mred\u{1B}[0m", "red"),
        ("title\u{1B}]0;pwned\u{07} after", "title after"),
        ("osc with st \u{1B}]8;;http://x\u{1B}\\link", "osc with st link"),
        ("c1 \u{9B}31m csi", "c1  csi"),
        ("bell\u{07} and nul\u{00}", "bell and nul"),
        ("line\nbreak\ttab", "line break tab"),
        ("bidi \u{202E}evil", "bidi evil"),
    ])
    func removesControlsAndEscapes(input: String, expected: String) {
        #expect(TextSanitizer.clean(input) == expected)
    }

    @Test func quotesAnIdCleanedAndCut() {
        #expect(TextSanitizer.quoted("R01") == "\"R01\"")
        #expect(TextSanitizer.quoted("\u{202E}") == "\"\"", "an id cleaned away still shows as empty quotes")
        #expect(TextSanitizer.quoted(String(repeating: "A", count: 7000)) == "\"" + String(repeating: "A", count: 80) + "…\"")
        #expect(TextSanitizer.quoted(String(repeating: "A", count: 80)) == "\"" + String(repeating: "A", count: 80) + "\"")
    }
}

@Suite struct SeededRandomTests {
    @Test func streamsAreStableAndIndependent() {
        var a = SeededRandom(seed: 7, stream: "absent/O-1")
        var b = SeededRandom(seed: 7, stream: "absent/O-1")
        var c = SeededRandom(seed: 7, stream: "absent/O-2")
        let first = (0..<5).map { _ in a.next() }
        #expect(first == (0..<5).map { _ in b.next() })
        #expect(first != (0..<5).map { _ in c.next() })
        var unit = SeededRandom(seed: 1)
        for _ in 0..<1000 { let x = unit.unit(); #expect(x >= 0 && x < 1) }
    }
}

@Suite struct CSVTests {
    @Test func readsQuotesCommentsAndCRLF() throws {
        let table = try CSVTable.parse("# comment\r\nid,notes\r\nA,\"one, two\"\r\nB,\"say \"\"hi\"\"\"\r\n\r\n", file: "t.csv")
        #expect(table.header == ["id", "notes"])
        #expect(table.rows.map(\.fields) == [["A", "one, two"], ["B", "say \"hi\""]])
        #expect(table.rows.map(\.line) == [3, 4])
    }

    @Test func namesTheLineOfARaggedRecord() {
        #expect(throws: ToolError.self) { try CSVTable.parse("a,b\n1,2\n3\n", file: "t.csv") }
        do { _ = try CSVTable.parse("a,b\n1,2\n3\n", file: "t.csv") } catch { #expect("\(error)" == "t.csv line 3: 1 fields, the header has 2") }
    }

    /// Another system's export: a spreadsheet's byte-order mark is not part of the first column's name, and a record
    /// that is not a row (a field too few or too many, a quote never closed) is set apart with why, the rows around
    /// it read.
    @Test func anExportKeepsItsGoodRowsAroundBadOnes() throws {
        let table = try CSVTable.parse("\u{FEFF}id,name\r\n1,a\r\n2\r\n3,c,extra\r\n4,\"d\"\r\n5,\"never closed\n6,f\n", file: "t.csv",
                                       badRowsApart: true)
        #expect(table.header == ["id", "name"])
        #expect(table.rows.map(\.fields) == [["1", "a"], ["4", "d"]])
        #expect(table.rejected.map(\.line) == [3, 4, 6])
        #expect(table.rejected.map(\.reason) == ["1 fields, the header has 2", "3 fields, the header has 2",
                                                 "unterminated quoted field (the rest of the text from here)"])
        #expect(table.rejected.map(\.text) == ["2", "3,c,extra", "5,\"never closed\n6,f\n"])
        #expect(throws: ToolError.self) { try CSVTable.parse("id,name\n1,a\n2\n", file: "t.csv") }
    }
}

@Suite struct ParallelMapTests {
    /// Results come back in index order whatever the split, and small maps stay on the caller's thread.
    @Test(arguments: [0, 1, 31, 32, 33, 1000, 4097])
    func mapsInIndexOrder(count: Int) {
        #expect(ParallelMap.map(count: count) { $0 * $0 } == (0..<count).map { $0 * $0 })
    }

    /// An outlook timed on every core is the outlook timed on one: the same lanes and the same orders at risk.
    @Test func anOutlookIsTheSameHoweverItIsShared() throws {
        let scenario = try TestCity.scenario(riders: 40, orders: 400)
        let engine = try TestCity.run(scenario, until: 11 * 3600)
        let now = scenario.time(11 * 3600)
        let outlook = Outlook(world: engine.world, now: now, planner: engine.planner)
        #expect(engine.world.riderIDs.count >= 2 * 16 && !outlook.lanes.isEmpty, "enough riders to be shared out")
        for id in engine.world.riderIDs {
            guard let route = engine.world.routes[id], !route.stops.isEmpty else { #expect(outlook.lanes[id] == nil); continue }
            var one = engine.world
            for other in engine.world.riderIDs where other != id { one.setRoute(Route(stops: [], plannedAt: now), of: other) }
            let alone = Outlook(world: one, now: now, planner: engine.planner)
            #expect(alone.lanes[id]?.stops == outlook.lanes[id]?.stops, "\(id)")
        }
    }
}


@Suite struct DerivedIDTests {
    @Test func partsJoinedWhenTheyMakeAnIdElseHashed() throws {
        #expect(DerivedID.make("stop", ["O-1", "arrived", "0"]) == "stop-O-1-arrived-0")
        let spaced = DerivedID.make("key", ["visit 2"]), long = DerivedID.make("osmand", [String(repeating: "9", count: 60), "1794916830"])
        for id in [spaced, long] {
            #expect(throws: Never.self) { try FieldReader.checkID(id, field: "id") }
        }
        #expect(spaced.hasPrefix("key#") && long.hasPrefix("osmand#"))
        #expect(DerivedID.make("key", ["visit 2"]) == spaced, "a retry gets the same id")
        #expect(DerivedID.make("key", ["visit 3"]) != spaced)
    }
}

@Suite struct FieldReaderTests {
    /// A reader looks for each key from after the last it found (decoders read fields in the order the core writes
    /// them); read in any other order, again, or missing, every field is still found or not as it is in the object.
    @Test func aFieldIsFoundWhateverOrderTheFieldsAreReadIn() throws {
        var r = try FieldReader(try JSONParser.parse(#"{"a":1,"b":"two","c":null,"d":4.5,"e":"O-9"}"#))
        #expect(try r.int("a", in: 0...9) == 1)
        #expect(r.has("b") && !r.has("c"))
        #expect(try r.id("e") == "O-9")
        #expect(r.has("d") && !r.has("zz"))
        #expect(try r.int("a", in: 0...9) == 1, "a key before the last found")
        #expect(try r.double("d") == 4.5)
        #expect(try r.double("d") == 4.5, "the same key twice")
        #expect(try r.text("b") == "two")
        #expect(!r.has("c") && r.has("a") && r.has("e"))
        #expect(throws: EventError.self) { try r.int("c", in: 0...9) }
        #expect(throws: EventError.self) { try r.int("missing", in: 0...9) }
        #expect(try r.id("e") == "O-9")
    }
}
