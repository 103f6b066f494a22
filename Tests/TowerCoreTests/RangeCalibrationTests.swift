import Foundation
import Testing
@testable import TowerCore

/// The lanes' ranges learn their width from arrivals (`RangeCalibration`), scored on ranges sampled fairly
/// (`GivenRanges`).
struct RangeCalibrationTests {
    private static let start = Instant(seconds: 1_800_000_000)

    /// Arrivals spread twice as wide as the model said, two hours ahead: that band's sides settle near twice the
    /// model's spread, and no other band moves.
    @Test func aBandsSidesSettleWhereATenthOfArrivalsFallBeyondEach() {
        var calibration = RangeCalibration()
        var random = SeededRandom(seed: 7)
        let spread: Int64 = 600, band = RangeCalibration.band(horizon: 2 * 3600 + 60)
        for i in 0..<6_000 {
            let arrival = Self.start + Int64(i * 60) + 4 * 3600
            let given = GivenRanges.Given(at: arrival - 2 * 3600, band: Int8(band), arrival: arrival, spread: spread)
            let miss = 2 * Double(spread) / RiskModel.z90 * random.normal()
            calibration.learn(given, arrived: arrival + Int64(miss.rounded()))
        }
        let sides = calibration.sides(horizon: 2 * 3600 + 60)
        #expect((1.7...2.3).contains(sides.low) && (1.7...2.3).contains(sides.high), "\(sides)")
        #expect(calibration.sides(horizon: 5 * 60) == ConformalSides() && calibration.sides(horizon: 5 * 3600) == ConformalSides())
        #expect(RangeCalibration.band(horizon: 0) == 0 && RangeCalibration.band(horizon: 10 * 60) == 1 && RangeCalibration.band(horizon: 9 * 3600) == 8)
    }

    /// A P10 that lay before the moment the range was given cannot be missed (nobody arrives in the past): it is not
    /// scored, where counting it as a hit would narrow the band's other ranges.
    @Test func aSideBeforeTheMomentGivenIsNotScored() {
        var calibration = RangeCalibration()
        for i in 0..<200 {
            let now = Self.start + Int64(i * 600)
            let given = GivenRanges.Given(at: now, band: 0, arrival: now + 120, spread: 300)
            calibration.learn(given, arrived: now + 130)
        }
        let sides = calibration.sides(horizon: 0)
        #expect(sides.low == 1 && sides.high < 0.5, "\(sides)")
    }

    /// Of the ranges given a delivery in one band, each is the one scored with an equal chance, and a replay keeps
    /// the same ones.
    @Test func eachRangeOfABandIsKeptWithAnEqualChance() {
        func kept() -> [Int] {
            var given = GivenRanges(), kept = Array(repeating: 0, count: 10)
            for order in 0..<3_000 {
                for k in 0..<10 {
                    let at = Self.start + Int64(300 * k)
                    given.give(.init(at: at, band: 5, arrival: at + 5_400, spread: Int64(k)), to: "o\(order)")
                }
                let taken = given.take("o\(order)")
                #expect(taken.count == 1)
                kept[Int(taken[0].spread)] += 1
            }
            #expect(given.count == 0)
            return kept
        }
        let first = kept()
        #expect(first.allSatisfy { (220...380).contains($0) }, "\(first)")
        #expect(kept() == first)
    }

    /// A checkpoint keeps the ranges waiting as they were, and a damaged one is refused with the reason, not trusted.
    @Test func theRangesWaitingSurviveACheckpointAndABrokenOneIsRefused() throws {
        var given = GivenRanges()
        for k in 0..<5 {
            let at = Self.start + Int64(300 * k)
            given.give(.init(at: at, band: Int8(k % 3), arrival: at + 3_600, spread: 400 + Int64(k)), to: "O-\(k % 2)")
        }
        var copy = try JSONDecoder().decode(GivenRanges.self, from: JSONEncoder().encode(given))
        for order in ["O-0", "O-1"] {
            let (kept, read) = (given.take(order), copy.take(order))
            #expect(kept.map { [Int64($0.band), $0.at.seconds, $0.arrival.seconds, $0.spread] } == read.map { [Int64($0.band), $0.at.seconds, $0.arrival.seconds, $0.spread] })
            #expect(!kept.isEmpty)
        }
        for numbers in ["1,9,1800000000,3600,400,1", "1,2,1800000000,3600,400", "2,2,1800000000,3600,400,1", "1,2,x,3600,400,1", "1,2,1800000000,3600,-5,1,7", "1,2,1800000000,36-00,400,1", "1,2,1800000000,3600,400,1,", "1,2,1800000000,,400,1"] {
            let text = #"{"orders":["O-0"],"numbers":"\#(numbers)"}"#
            #expect(throws: DecodingError.self, "\(numbers)") { try JSONDecoder().decode(GivenRanges.self, from: Data(text.utf8)) }
        }
        // The learner's counters and factors are input too: none out of bounds is taken.
        let learner = String(decoding: try JSONEncoder().encode(RangeLearner()), as: UTF8.self)
        #expect(learner.contains(#""sinceSweep":0"#) && learner.contains(#""low":1"#))
        _ = try JSONDecoder().decode(RangeLearner.self, from: Data(learner.utf8))
        for broken in [learner.replacingOccurrences(of: #""sinceSweep":0"#, with: #""sinceSweep":9223372036854775807"#),
                       learner.replacingOccurrences(of: #""sinceSweep":0"#, with: #""sinceSweep":0,"notedAt":-9223372036854775807"#),
                       learner.replacingOccurrences(of: #""low":1"#, with: #""low":1e300"#)] {
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(RangeLearner.self, from: Data(broken.utf8)) }
        }
    }

    /// A day starts its lanes' ranges from how they spread at the end of the day before: its journal's first line
    /// says so, the learner starts there, and a replay, or a re-run of a journal a crash cut before its first
    /// checkpoint, starts there too. A damaged start is refused naming the field.
    @Test func aDayStartsFromTheRangesTheDayBeforeEndedWith() throws {
        let model = try OnlineETATests.model()
        let scenario = try TestCity.scenario()
        let (yesterday, today) = (TestCity.temporaryFile(), TestCity.temporaryFile())
        defer { for path in [yesterday, today] { try? FileManager.default.removeItem(atPath: path) } }
        let first = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: yesterday, durability: .batch, eta: model)
        first.simulation.run(until: scenario.time(14 * 3600), engine: first.engine)
        first.simulation.checkpoint(engine: first.engine)
        first.engine.sync()
        let learned = try #require(try Replayer.learnedRanges(path: yesterday)).ranges
        #expect(learned != RangeCalibration() && learned == first.engine.ranges)

        let second = try SessionStarter.start(scenario: scenario, seed: 2, journalPath: today, durability: .batch, eta: model, ranges: learned)
        #expect(second.engine.ranges == learned)
        second.simulation.run(until: scenario.time(11 * 3600), engine: second.engine)
        second.engine.sync()
        let lines = try String(contentsOfFile: today, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        guard case let .sessionStarted(_, _, _, _, _, _, _, journaled) = try EventCodec.decode(line: Array(lines[0].utf8)).event.body else {
            Issue.record("the journal starts with \(lines[0])")
            return
        }
        #expect(journaled == learned)
        let live = second.engine.ranges
        let replayed = try Replayer.replay(path: today, learning: model, learnsRanges: true).ranges?.calibration
        #expect(live != learned && replayed == live)

        // Cut before its first checkpoint, the day is re-run from its start, from the ranges its first line names.
        let cut = try #require(lines.firstIndex { $0.contains(#""type":"core.checkpoint""#) })
        try (lines[..<cut].joined(separator: "\n") + "\n").write(toFile: today, atomically: true, encoding: .utf8)
        let rerun = try SessionStarter.start(scenario: scenario, seed: 2, journalPath: today, durability: .batch, eta: model)
        #expect(rerun.rerunEvents == cut)
        let replayedCut = try Replayer.replay(path: today, learning: model, learnsRanges: true).ranges?.calibration
        #expect(rerun.engine.ranges == replayedCut && replayedCut != RangeCalibration())

        for text in ["1,1,0", learned.text + ";1,1,0", learned.text.replacingOccurrences(of: ";", with: ",", range: learned.text.range(of: ";")),
                     "5,1,0" + learned.text.drop { $0 != ";" }, "nan,1,0" + learned.text.drop { $0 != ";" }, "1,1,-1" + learned.text.drop { $0 != ";" }] {
            let line = String(lines[0]).replacingOccurrences(of: learned.text, with: text)
            #expect("\(text)") { try EventCodec.decode(line: Array(line.utf8)) } throws: { ($0 as? EventError)?.field == "ranges" }
        }
    }

    /// A core without a learned model learns its lanes' ranges the same way, on lanes the travel model times; the
    /// outlook reads them, and a replay and a resume learn the same.
    @Test func theTravelModelsLanesLearnTheirRangesToo() throws {
        let scenario = try TestCity.scenario()
        let journal = TestCity.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: journal) }
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: journal, durability: .batch)
        let now = scenario.time(13 * 3600)
        session.simulation.run(until: now, engine: session.engine)
        session.engine.sync()
        #expect(session.engine.learner == nil && session.engine.ranges != RangeCalibration())
        let uncalibrated = Outlook(world: session.engine.world, now: now, planner: session.engine.planner)
        let shown = session.engine.outlook(at: now).lanes
        #expect(uncalibrated.lanes.contains { shown[$0.key]?.p90 != $0.value.p90 })
        #expect(try Replayer.replay(path: journal, learnsRanges: true).ranges?.calibration == session.engine.ranges)
        #expect(try Replayer.replay(path: journal).ranges == nil, "a plain replay does not time lanes")
        let resumed = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: journal, durability: .batch)
        #expect(resumed.resumedEvents > 0 && resumed.engine.ranges == session.engine.ranges)
    }
}
