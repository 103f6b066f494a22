import Foundation
import Testing
import TowerCore
@testable import TowerService

/// What monitoring reads: `/healthz` says why the core is not well, `/metrics` how long the journal takes; and
/// which phone is which rider's.
@Suite struct CoreAPIHealthTests {
    static func get(_ api: CoreAPI, _ path: String) throws -> (status: Int, body: String) {
        let response = api.handle(try OsmAndPositionTests.request("GET \(path) HTTP/1.1\r\n\r\n"))
        return (response.status, String(decoding: response.body, as: UTF8.self))
    }

    @Test func aSlowPassOfTheCoresLoopIsA503WithItsTimeUntilTheLoopIsQuickAgain() throws {
        let fixture = try CoreServerTests.Fixture()
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: [:]))
        #expect(try Self.get(api, "/healthz").status == 200)
        api.notePass(seconds: 7.5)
        let stalled = try Self.get(api, "/healthz")
        #expect(stalled.status == 503 && stalled.body.contains("stalled") && stalled.body.contains("7.5 s"), "\(stalled)")
        api.notePass(seconds: 0.02)
        #expect(try Self.get(api, "/healthz").status == 200)
    }

    @Test func metricsCountTheJournalsWritesAndSyncs() throws {
        let fixture = try CoreServerTests.Fixture()
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: [:]))
        _ = api.commits.commit()
        api.commits.finish()
        let metrics = try Self.get(api, "/metrics").body
        let writes = metrics.split(separator: "\n").first { $0.hasPrefix("tower_journal_write_seconds_count ") }
        #expect((writes.flatMap { Int($0.split(separator: " ")[1]) } ?? 0) > 0, "the morning's steps were written: \(metrics)")
        #expect(metrics.contains("tower_journal_sync_seconds_count 1"))
    }

    @Test func ridersCSVsDeviceColumnNamesEachRidersPhoneAndADevicesFileAddsToIt() throws {
        let fixture = try CoreServerTests.Fixture()
        let scenario = try ScenarioLoader.load(directory: fixture.folder)
        let listed = DeviceMap(scenario: scenario)
        #expect(listed.riders.count == scenario.riders.count)
        #expect(listed.riders[ScenarioGenerator.device(2)] == "R03")
        let added = try listed.merged(with: DeviceMap(riders: ["spare-phone": "R01", ScenarioGenerator.device(0): "R01"]), from: "devices.conf")
        #expect(added.riders["spare-phone"] == "R01" && added.riders.count == scenario.riders.count + 1)
        #expect(throws: ToolError.self) { try listed.merged(with: DeviceMap(riders: [ScenarioGenerator.device(0): "R02"]), from: "devices.conf") }
    }

    @Test func aPhoneListedTwiceInRidersCSVIsRefusedWithItsLine() throws {
        let fixture = try CoreServerTests.Fixture()
        let path = fixture.folder + "/riders.csv"
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        lines[2] = lines[2].split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") + "," + ScenarioGenerator.device(0)
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try ScenarioLoader.load(directory: fixture.folder)
        } throws: { error in
            "\(error)".contains("riders.csv line 3") && "\(error)".contains("field device") && "\(error)".contains("R01's already")
        }
    }
}
