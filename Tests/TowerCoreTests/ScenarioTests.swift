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

    /// A small city may have no rider with a cold chain (seven riders, seed 11, has none): its orders then ask for no
    /// skill its riders lack, where before six of its sixty waited the whole day for a rider that did not exist.
    /// Cities whose riders have a skill keep its orders (the check is not met by asking for nothing).
    @Test func everySkillAGeneratedOrderAsksForSomeRiderHas() throws {
        var lacking = 0, asked = 0
        for seed: UInt64 in [3, 5, 11, 17] {
            for riders in [1, 4, 7, 12] {
                let scenario = try TestCity.scenario(riders: riders, orders: 60, seed: seed)
                let carried = scenario.riders.reduce(into: Set<Skill>()) { $0.formUnion($1.profile.skills) }
                let needed = scenario.orders.reduce(into: Set<Skill>()) { $0.formUnion($1.requiredSkills) }
                #expect(needed.isSubset(of: carried), "seed \(seed), \(riders) riders: orders need \(needed.subtracting(carried))")
                if !Set(Skill.allCases).isSubset(of: carried) { lacking += 1 }
                asked += scenario.orders.filter { !$0.requiredSkills.isEmpty }.count
            }
        }
        #expect(lacking >= 4 && asked >= 20, "\(lacking) cities lacking a skill, \(asked) orders asking for one")
    }

    /// Each broken file gives an error naming the file, the record and the field.
    @Test(arguments: [
        ("riders.csv", ",25,30,", ",25,lots,", "riders.csv line 4 (R03), field capacity_kg: expected a number, got \"lots\""),
        ("riders.csv", ",hub-cidade-nova,centro,", ",hub-nowhere,centro,", "riders.csv line 2 (R01), field hub: unknown hub \"hub-nowhere\""),
        ("orders.csv", ",standard,", ",urgent,", "field tier: unknown value \"urgent\"; expected one of standard, express, critical"),
        ("disruptions.csv", "breakdown,R07", "breakdown,R99", "field target: unknown rider \"R99\""),
        ("scenario.json", "\"utc_offset\":\"-03:00\"", "\"utc_offset\":\"Rio\"", "scenario.json: field \"date\": expected date YYYY-MM-DD and utc_offset ±HH:MM"),
        // Its day's windows end at 10000-01-01 in the city: a journal no replay could read.
        ("scenario.json", "\"date\":\"2026-11-17\"", "\"date\":\"9999-12-31\"", "scenario.json: field \"date\": 9999-12-31 is outside the years 0002 to 9997 that Tower takes"),
        ("scenario.json", "\"speed_kmh\":16", "\"speed_kmh\":-4", "scenario.json: field \"zones[0].speed_kmh\": -4 is out of range 1…150"),
        ("scenario.json", "\"west\":-43.205", "\"west\":-43.1", "scenario.json: field \"zones[0].east\": -43.17 is not east of west -43.1"),
        ("scenario.json", "\"south\":-22.925", "\"south\":-22.8", "scenario.json: field \"zones[0].north\": -22.895 is not north of south -22.8"),
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

    /// A city whose clocks change names its time zone: run on a summer day, the scenario takes that day's offset and
    /// every time keeps its local hour (the plan lock at 06:00, a shift from its own hour), where a fixed offset
    /// put them all an hour off; a utc_offset beside the zone must agree with it; an unknown zone is named.
    @Test func aCityWhoseClocksChangeKeepsItsHoursOnEveryDay() throws {
        func folder(_ setting: String) throws -> String {
            try TestCity.folder(riders: 4, orders: 20) { files in
                files["scenario.json"] = files["scenario.json"]!.replacingOccurrences(of: "\"date\":\"2026-11-17\", \"utc_offset\":\"-03:00\"", with: setting)
            }
        }
        let london = try folder("\"date\":\"2027-01-15\", \"time_zone\":\"Europe/London\"")
        defer { try? FileManager.default.removeItem(atPath: london) }
        let winter = try ScenarioLoader.load(directory: london)
        #expect(winter.utcOffsetSeconds == 0 && winter.timeZone == "Europe/London")
        let summer = try winter.on("2027-07-15", now: Instant(seconds: 0))
        #expect(summer.utcOffsetSeconds == 3600)
        #expect(ISOTime.format(summer.planLock, offsetSeconds: 3600).hasPrefix("2027-07-15T\(ISOTime.clock(winter.planLock, offsetSeconds: 0))"))
        let rider = try #require(winter.riders.first), moved = try #require(summer.riders.first)
        #expect(ISOTime.secondOfDay(moved.profile.shift.start, offsetSeconds: 3600) == ISOTime.secondOfDay(rider.profile.shift.start, offsetSeconds: 0))
        #expect(summer.day.seconds + 3600 == ISOTime.parse("2027-07-15T00:00:00Z")!.instant.seconds, "local midnight")
        #expect(winter.shifted(days: 181).planLock == summer.planLock, "181 days on, the same day as --date gives")
        // Today in London in summer: the day it is there, at the summer offset.
        let july = try winter.on("today", now: ISOTime.parse("2027-07-15T23:30:00Z")!.instant)
        #expect(ISOTime.format(july.day, offsetSeconds: july.utcOffsetSeconds).hasPrefix("2027-07-16T00:00:00+01:00"), "00:30 in London is the next day")
        #expect { try winter.on("9999-12-31", now: Instant(seconds: 0)) } throws: { "\($0)".contains("--date 9999-12-31 is outside the years 0002 to 9997") }

        for (setting, message) in [("\"date\":\"2027-07-15\", \"time_zone\":\"Europe/London\", \"utc_offset\":\"+00:00\"", "not Europe/London's offset on 2027-07-15 (+01:00)"),
                                   ("\"date\":\"2027-07-15\", \"time_zone\":\"Europe/Atlantis\"", "unknown time zone \"Europe/Atlantis\"")] {
            let broken = try folder(setting)
            defer { try? FileManager.default.removeItem(atPath: broken) }
            let refused = #expect(throws: (any Error).self) { try ScenarioLoader.load(directory: broken) }
            #expect(refused.map { "\($0)".contains(message) } == true, "\(String(describing: refused))")
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
