import Foundation
import Testing
@testable import TowerCore

@Suite struct CompactCoderTests {
    enum Shape: Codable, Equatable {
        case dot
        case circle(radius: Double)
        case labelled(String, Int?)
    }

    struct Sample: Codable, Equatable {
        var name: String
        var count: Int
        var big: Int64
        var small: Int8
        var unsigned: UInt64
        var ratio: Double
        var flag: Bool
        var maybe: Int?
        var nothing: String?
        var nested: [Sample]
        var byName: [String: [Int]]
        var byNumber: [Int: String]
        var tags: Set<String>
        var shapes: [Shape]
        var optionals: [Int?]
        var empty: [String: Int]
        var matrix: [Double]
        var rows: [[Double]]?
    }

    static let sample = Sample(
        name: "line\nbreak · ünïcode \u{0}", count: -42, big: .min, small: -128, unsigned: .max, ratio: -0.1, flag: true, maybe: 7,
        nothing: nil,
        nested: [Sample(name: "", count: 0, big: .max, small: 127, unsigned: 0, ratio: .infinity, flag: false, maybe: nil, nothing: "x",
                        nested: [], byName: [:], byNumber: [:], tags: [], shapes: [], optionals: [], empty: [:], matrix: [], rows: nil)],
        byName: ["a": [1, 2, 3], "": [], "O-0031": [Int.min, Int.max]], byNumber: [3: "three", -1: ""], tags: ["x", "y"],
        shapes: [.dot, .circle(radius: 2.5), .labelled("l", nil), .labelled("m", 4)], optionals: [1, nil, 3], empty: [:],
        matrix: [1, -0.0, .pi, -.infinity, 1e-300], rows: [[], [2], [3, 4]])

    @Test func valuesComeBackAsTheyWere() throws {
        let bytes = try CompactEncoder().encode(Self.sample)
        #expect(try CompactDecoder().decode(Sample.self, from: bytes) == Self.sample)
        var nan = Self.sample
        nan.ratio = .nan
        #expect(try CompactDecoder().decode(Sample.self, from: CompactEncoder().encode(nan)).ratio.isNaN)
    }

    /// Written in one order, read in another, with a key that was never written: found wherever they are.
    struct Shuffled: Codable, Equatable {
        var a: Int, b: String, c: Double
        enum CodingKeys: String, CodingKey { case a, b, c, d }
        init(a: Int, b: String, c: Double) { self.a = a; self.b = b; self.c = c }
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            c = try container.decode(Double.self, forKey: .c)
            #expect(try container.decodeIfPresent(Int.self, forKey: .d) == nil && !container.contains(.d))
            a = try container.decode(Int.self, forKey: .a)
            b = try container.decode(String.self, forKey: .b)
        }
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(a, forKey: .a)
            try container.encode(b, forKey: .b)
            try container.encode(c, forKey: .c)
        }
    }

    @Test func keysAreFoundInAnyOrder() throws {
        let value = [Shuffled(a: 1, b: "two", c: 3), Shuffled(a: -1, b: "", c: 0)]
        #expect(try CompactDecoder().decode([Shuffled].self, from: CompactEncoder().encode(value)) == value)
        #expect(throws: DecodingError.self) { try CompactDecoder().decode(Sample.self, from: CompactEncoder().encode(value[0])) }
    }

    @Test func aWorldComesBackWhole() throws {
        let scenario = try TestCity.scenario()
        let engine = try TestCity.run(scenario, until: 13 * 3600)
        let world = engine.world
        let copy = try CompactDecoder().decode(World.self, from: CompactEncoder().encode(world))
        #expect(copy.digest == world.digest)
        // Records (orders, routes, cases) are read field by field: every field of every one comes back.
        func same<Value: Equatable>(_ a: IDMap<Value>, _ b: IDMap<Value>) -> Bool { a.count == b.count && a.allSatisfy { b[$0.key] == $0.value } }
        #expect(same(copy.orders, world.orders) && same(copy.routes, world.routes) && same(copy.exceptions, world.exceptions))
        #expect(same(copy.riders, world.riders) && same(copy.routeMarks, world.routeMarks))
        #expect(world.exceptions.values.contains { $0.resolution != nil } && world.orders.values.contains { $0.completedAt != nil })
        #expect(copy.orderIDs == world.orderIDs && copy.riderIDs == world.riderIDs && copy.pendingCaseIDs == world.pendingCaseIDs)
        #expect(Set(copy.unassignedOrderIDs) == Set(world.unassignedOrderIDs))
        #expect(copy.zone(containing: world.orders[world.orderIDs[0]]!.drop)?.id == world.zone(containing: world.orders[world.orderIDs[0]]!.drop)?.id)
    }

    /// The KPI recorder a board's snapshot carries (four entries per order) is read field by field and comes back
    /// whole, and a copy made from it counts the same KPIs as the core.
    @Test func theKPIRecorderComesBackWhole() throws {
        let scenario = try TestCity.scenario()
        let projections = DayProjections(planLock: scenario.planLock)
        let session = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch, projections: projections)
        session.simulation.run(until: scenario.time(13 * 3600), engine: session.engine)
        let trend = projections.trend
        #expect(trend.recorder.firstETA.count > 50 && !trend.recorder.plannedRider.isEmpty)
        let copy = try CompactDecoder().decode(KPITrend.self, from: CompactEncoder().encode(trend))
        #expect(copy.recorder == trend.recorder)
        #expect(copy.samples == trend.samples)
        var broken = try CompactEncoder().encode(trend.recorder)
        broken.removeLast(3)
        #expect(throws: (any Error).self) { try CompactDecoder().decode(KPIRecorder.self, from: broken) }
    }

    /// A world's records (orders, stops, cases) read from broken bytes are an error or some value, never a crash.
    @Test func brokenRecordsAreAnErrorNeverACrash() throws {
        let engine = try TestCity.run(TestCity.scenario(), until: 8 * 3600)
        let bytes = try CompactEncoder().encode(engine.world)
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            #expect(throws: DecodingError.self) { try CompactDecoder().decode(World.self, from: Array(bytes[..<cut])) }
        }
        var generator = SeededRandom(seed: 4)
        for _ in 0..<300 {
            var broken = bytes
            for _ in 0..<4 { broken[Int.random(in: 0..<broken.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = try? CompactDecoder().decode(World.self, from: broken)
        }
        // A record where another value was expected, and a word outside its vocabulary, name the place.
        #expect(throws: DecodingError.self) { try CompactDecoder().decode(String.self, from: CompactEncoder().encode(GeoPoint(lat: 1, lon: 2))) }
        var stop = try CompactEncoder().encode(Stop(order: "O-1", kind: .pickup, eta: Instant(seconds: 5)))
        let word = try #require(stop.firstRange(of: Array("pickup".utf8)))
        stop.replaceSubrange(word, with: Array("pickuq".utf8))
        #expect {
            try CompactDecoder().decode(Stop.self, from: stop)
        } throws: { error in
            "\(error)".contains("'pickuq' is not a Kind at byte")
        }
    }

    /// Every cut of the bytes and every changed byte is an error or some value, never a crash or a hang.
    @Test func brokenBytesAreAnErrorNeverACrash() throws {
        let bytes = try CompactEncoder().encode(Self.sample)
        for cut in 0..<bytes.count {
            #expect(throws: DecodingError.self) { try CompactDecoder().decode(Sample.self, from: Array(bytes[..<cut])) }
        }
        var generator = SeededRandom(seed: 9)
        for _ in 0..<2_000 {
            var broken = bytes
            for _ in 0..<3 { broken[Int.random(in: 0..<broken.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator) }
            _ = try? CompactDecoder().decode(Sample.self, from: broken)
        }
        #expect(throws: DecodingError.self) { try CompactDecoder().decode(Sample.self, from: bytes + [0]) }
        #expect(throws: DecodingError.self) { try CompactDecoder().decode(Int8.self, from: CompactEncoder().encode(300)) }
    }
}
