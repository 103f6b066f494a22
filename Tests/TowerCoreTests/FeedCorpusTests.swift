import Foundation
import Testing
@testable import TowerCore

/// Every kind of bad feed line, each with the error it must produce, checked against a small scenario's world.
@Suite struct FeedCorpusTests {
    static let head = #"{"v":1,"at":"2026-11-17T09:00:00-03:00","#

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var line: [UInt8]
        var field: String
        var reason: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "truncated JSON", line: Array((head + #""id":"a","type":"rider.position","rider":"R01","lat":-22.9"#).utf8),
             field: "", reason: "invalid JSON at byte 99: unexpected end of input in an object"),
        Case(name: "wrong type", line: Array((head + #""id":"a","type":"rider.position","rider":"R01","lat":"north","lon":-43.2}"#).utf8),
             field: "lat", reason: "expected a number, got a string"),
        Case(name: "unknown rider", line: Array((head + #""id":"a","type":"rider.position","rider":"R999","lat":-22.9,"lon":-43.2}"#).utf8),
             field: "rider", reason: "unknown rider \"R999\""),
        Case(name: "unknown order", line: Array((head + #""id":"a","type":"delivery.done","rider":"R01","order":"NOPE"}"#).utf8),
             field: "order", reason: "unknown order \"NOPE\""),
        Case(name: "negative size", line: Array((head + #""id":"a","type":"order.updated","order":"O-0001","parcels":-2}"#).utf8),
             field: "parcels", reason: "-2 is out of range 1…500"),
        Case(name: "NaN coordinate", line: Array((head + #""id":"a","type":"rider.position","rider":"R01","lat":NaN,"lon":-43.2}"#).utf8),
             field: "", reason: "invalid JSON at byte 94: NaN and Infinity are not JSON numbers"),
        Case(name: "latitude off the globe", line: Array((head + #""id":"a","type":"rider.position","rider":"R01","lat":95,"lon":-43.2}"#).utf8),
             field: "lat", reason: "95 is out of range -90…90"),
        Case(name: "outside the city", line: Array((head + #""id":"a","type":"rider.position","rider":"R01","lat":48.85,"lon":2.35}"#).utf8),
             field: "lat", reason: "(48.85, 2.35) is outside the city's area"),
        Case(name: "time out of order", line: Array(#"{"v":1,"at":"2026-11-17T04:00:00-03:00","id":"a","type":"rider.shift_started","rider":"R01"}"#.utf8),
             field: "at", reason: "time goes backwards: 2026-11-17T04:00:00-03:00 is before the last event at 2026-11-17T05:30:00-03:00"),
        Case(name: "duplicate event id", line: Array((head + #""id":"s0-1","type":"rider.shift_started","rider":"R01"}"#).utf8),
             field: "id", reason: "duplicate event id \"s0-1\""),
        Case(name: "unknown type", line: Array((head + #""id":"a","type":"teleport","rider":"R01"}"#).utf8),
             field: "type", reason: "unknown event type \"teleport\""),
        Case(name: "missing field", line: Array((head + #""id":"a","type":"delivery.failed","rider":"R01","order":"O-0001"}"#).utf8),
             field: "reason", reason: "missing"),
        Case(name: "bad enum value", line: Array((head + #""id":"a","type":"delivery.failed","rider":"R01","order":"O-0001","reason":"aliens"}"#).utf8),
             field: "reason", reason: "unknown value \"aliens\"; expected one of customer_absent, address_problem, refused, damaged"),
        Case(name: "bad time", line: Array(#"{"v":1,"at":"10am","id":"a","type":"rider.shift_started","rider":"R01"}"#.utf8),
             field: "at", reason: "expected an ISO 8601 time with offset like 2026-11-17T10:00:00-03:00"),
        Case(name: "bad id characters", line: Array((head + #""id":"a b","type":"rider.shift_started","rider":"R01"}"#).utf8),
             field: "id", reason: "ids may hold only letters, digits and - _ . : / # @"),
        Case(name: "invalid UTF-8", line: Array((head + #""id":"a","type":"order.cancelled","order":"O-0001","reason":""#).utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8),
             field: "", reason: "invalid JSON at byte 102: invalid UTF-8"),
        Case(name: "1 MiB line", line: Array((head + #""id":"a","type":"order.cancelled","order":"O-0001","reason":""#).utf8) + Array(repeating: UInt8(ascii: "x"), count: 1 << 20) + Array(#""}"#.utf8),
             field: "", reason: "line is longer than the limit of 1048576 bytes"),
        Case(name: "not an object", line: Array("[1,2,3]".utf8), field: "", reason: "expected an object, got an array"),
        // In Rio's offset the first is 10000-01-01: taken, it was journaled as a year no replay or restart could read.
        Case(name: "a window that ends past the year 9999 where the city is", line: Array((head + #""id":"a","type":"order.updated","order":"O-0001","window_start":"2026-11-17T12:00:00-03:00","window_end":"9999-12-31T23:00:00-05:00"}"#).utf8),
             field: "window_end", reason: "10000-01-01T04:00:00Z in UTC is outside the years 0002 to 9997 that Tower takes"),
        Case(name: "an incident until the year 9999", line: Array((head + #""id":"a","type":"traffic.incident","incident":"i1","zone":"centro","slowdown":0.5,"until":"9999-06-01T00:00:00Z","note":""}"#).utf8),
             field: "until", reason: "9999-06-01T00:00:00Z in UTC is outside the years 0002 to 9997 that Tower takes"),
        Case(name: "window ends before it starts", line: Array((head + #""id":"a","type":"order.updated","order":"O-0001","window_start":"2026-11-17T12:00:00-03:00","window_end":"2026-11-17T11:00:00-03:00"}"#).utf8),
             field: "window_end", reason: "ends before it starts"),
    ]

    static func world() throws -> World {
        CitySimulation(scenario: try ScenarioLoader.load(directory: try TestCity.folder()), seed: 0).knownWorld()
    }

    @Test(arguments: cases)
    func reportsTheFieldAndReason(testCase: Case) throws {
        var validator = FeedValidator(world: try Self.world())
        let line = testCase.line.withUnsafeBufferPointer { JournalReader.decode($0) }
        validator.validate(line: line, number: 12)
        #expect(validator.diagnostics == [LineDiagnostic(line: 12, severity: .error, error: EventError(field: testCase.field, reason: testCase.reason))])
        #expect(validator.valid == 0)
    }

    @Test func repairsEscapeSequencesInTextWithAWarning() throws {
        var validator = FeedValidator(world: try Self.world())
        let text = Self.head + #""id":"a","type":"order.cancelled","order":"O-0001","reason":"\u001b[2J\u001b]0;pwned\u0007 moved away"}"#
        validator.validate(line: Array(text.utf8).withUnsafeBufferPointer { JournalReader.decode($0) }, number: 3)
        #expect(validator.valid == 1)
        #expect(validator.diagnostics == [LineDiagnostic(line: 3, severity: .warning, error: EventError(field: "reason", reason: "control characters or escape sequences removed"))])
    }

    @Test func keepsEveryGoodLineAroundBadOnes() throws {
        var lines: [String] = []
        for index in 0..<50 {
            lines.append(Self.head.replacingOccurrences(of: "09:00:00", with: "09:\(index < 10 ? "0" : "")\(index):00")
                + #""id":"p\#(index)","type":"rider.position","rider":"R01","lat":-22.91,"lon":-43.2}"#)
            if index % 10 == 0 { lines.append("{broken") }
        }
        var validator = FeedValidator(world: try Self.world())
        let path = TestCity.temporaryFile("feed.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
        try validator.validate(path: path)
        #expect(validator.valid == 50)
        #expect(validator.diagnostics.count == 5)
        #expect(validator.diagnostics.map(\.line) == [2, 13, 24, 35, 46])
    }
}
