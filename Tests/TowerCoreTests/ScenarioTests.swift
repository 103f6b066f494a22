import Foundation
import Testing
import TestSupport
@testable import TowerCore

@Suite struct ScenarioTests {
    @Test func loadsTheGeneratedCity() throws {
        let scenario = try TestCity.scenario(riders: 10, orders: 150)
        #expect(scenario.riders.count == 10)
        #expect(scenario.orders.count == 150)
        #expect(scenario.zones.count == CityGeography.zones.count)
        #expect(Set(scenario.riders.map(\.profile.channel)) == [.own, .thirdParty, .gig])
        #expect(scenario.orders.allSatisfy { order in scenario.zones.contains { $0.area.contains(order.drop) } })
    }

    @Test func generationIsDeterministic() {
        let a = ScenarioGenerator(name: "x", seed: 9, riders: 5, orders: 30).files()
        let b = ScenarioGenerator(name: "x", seed: 9, riders: 5, orders: 30).files()
        #expect(a.map(\.text) == b.map(\.text))
    }

    /// Each broken file gives an error naming the file, the record and the field.
    @Test(arguments: [
        ("riders.csv", ",25,30,", ",25,lots,", "riders.csv line 4 (R03), field capacity_kg: expected a number, got \"lots\""),
        ("riders.csv", ",hub-cidade-nova,centro,", ",hub-nowhere,centro,", "riders.csv line 2 (R01), field hub: unknown hub \"hub-nowhere\""),
        ("orders.csv", ",standard,", ",urgent,", "field tier: unknown value \"urgent\"; expected one of standard, express, critical"),
        ("disruptions.csv", "breakdown,R07", "breakdown,R99", "field target: unknown rider \"R99\""),
        ("scenario.json", "\"utc_offset\":\"-03:00\"", "\"utc_offset\":\"Rio\"", "scenario.json: field \"date\": expected date YYYY-MM-DD and utc_offset ±HH:MM"),
        ("scenario.json", "\"speed_kmh\":16", "\"speed_kmh\":-4", "scenario.json: field \"zones[0].speed_kmh\": -4 is out of range 1…150"),
        ("orders.csv", ",c-", String(repeating: "x", count: 2000) + ",c-", "field customer: 2011 bytes, longer than 1000"),  // free text, as in a feed
        // A note the simulation journals: longer than a feed's text, its journal was one no restart could read.
        ("disruptions.csv", "note=", "note=" + String(repeating: "x", count: 1001), "field params: note= is 10"),
    ])
    func namesTheFileRecordAndField(file: String, find: String, replace: String, message: String) throws {
        let folder = try TestCity.folder(riders: 8, orders: 40) { files in
            let text = files[file]!
            if let range = text.range(of: find) { files[file] = text.replacingCharacters(in: range, with: replace) }
        }
        do {
            _ = try ScenarioLoader.load(directory: folder)
            Issue.record("loaded a broken \(file)")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains(file))
        }
    }

    /// A delivery history named relative to the folder (the samples') or by an absolute path (one kept elsewhere).
    @Test func anETAHistoryIsFoundRelativeOrAbsolute() throws {
        let history = Scratch.path("history-\(UUID().uuidString).csv")
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: history))
        defer { try? FileManager.default.removeItem(atPath: history) }
        let absolute = try TestCity.folder(setting: "eta_history", "\"\(history)\"")
        #expect(try ScenarioLoader.load(directory: absolute).etaHistory == history)
        let relative = try TestCity.folder(setting: "eta_history", "\"../\(URL(fileURLWithPath: history).lastPathComponent)\"")
        #expect(try ScenarioLoader.load(directory: relative).etaHistory == history)
        for folder in [absolute, relative] { try? FileManager.default.removeItem(atPath: folder) }
    }

    @Test func reportsAMissingFile() throws {
        let folder = try TestCity.folder()
        try FileManager.default.removeItem(atPath: folder + "/orders.csv")
        #expect(throws: ToolError.self) { try ScenarioLoader.load(directory: folder) }
    }

    @Test func theShippedScenariosLoad() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for name in ["rio", "tuesday"] {
            let scenario = try ScenarioLoader.load(directory: root.appendingPathComponent("sample-data/\(name)").path)
            #expect(scenario.riders.count == 40)
            #expect(scenario.orders.count >= 800)
        }
        let tuesday = try ScenarioLoader.load(directory: root.appendingPathComponent("sample-data/tuesday").path)
        #expect(tuesday.orders.contains { $0.id == "O-CRIT-1" && $0.tier == .critical && $0.createdAt > tuesday.planLock })
        #expect(tuesday.disruptions.contains { if case .jam(let riders, _, _, _) = $0.kind { return riders.count == 3 }; return false })
    }
}
