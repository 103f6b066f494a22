import Foundation
import Testing
@testable import TowerCore

/// The channel terms: rate cards, waves, surge, acceptance and the rules that come before prices.
@Suite struct ChannelTests {
    static let terms: ChannelTerms = {
        var terms = ChannelTerms()
        terms.sizes = [.init(name: "S", maxParcels: 1, maxKg: 3), .init(name: "L", maxParcels: 500, maxKg: 2000)]
        terms.thirdPartyRates = [.init(zone: "*", size: "S", perDrop: 3), .init(zone: "*", size: "L", perDrop: 5),
                                 .init(zone: "barra", size: "S", perDrop: 4)]
        terms.thirdPartyWaves = [.init(start: 6 * 3600, end: 12 * 3600, value: 2), .init(start: 12 * 3600, end: 22 * 3600, value: 50)]
        terms.gigFee = 4
        terms.gigSurge = [.init(start: 11 * 3600 + 1800, end: 14 * 3600, value: 1.5)]
        terms.gigAcceptanceSeconds = 600
        terms.neverToGig = [.critical, .express]
        terms.ownFleetZones = ["centro", "zona-sul"]
        return terms
    }()

    static func order(zone: String, parcels: Int = 1, kg: Double = 1, tier: Tier = .standard, at hour: Int = 9) -> Order {
        let t = SampleEvents.t0 - 10 * 3600 + Int64(hour * 3600)
        return Order(id: "O-\(zone)-\(parcels)", createdAt: t, pickup: .hub("H1"), drop: GeoPoint(lat: -22.9, lon: -43.2), zone: zone,
                     window: TimeWindow(start: t, end: t + 3600), promised: TimeWindow(start: t, end: t + 3600), serviceSeconds: 180,
                     tier: tier, requiredSkills: [], parcels: parcels, kg: kg, customerName: "", contactToken: "", notes: "")
    }

    @Test func ratesGoByZoneThenSizeAndTheGigFeeSurgesByHour() {
        let terms = Self.terms
        #expect(terms.thirdPartyRate(for: Self.order(zone: "barra")) == 4, "the zone's own line first")
        #expect(terms.thirdPartyRate(for: Self.order(zone: "tijuca")) == 3, "then the * line")
        #expect(terms.thirdPartyRate(for: Self.order(zone: "tijuca", parcels: 2)) == 5)
        #expect(terms.thirdPartyRate(for: Self.order(zone: "tijuca", parcels: 900)) == nil)
        let noon = SampleEvents.t0 + 2 * 3600  // 12:00 local
        let ten = SampleEvents.t0              // 10:00 local
        #expect(terms.dropPrice(channel: .gig, riderPrice: 9, thirdPartyRate: nil, at: noon, utcOffsetSeconds: -10800) == 6)
        #expect(terms.dropPrice(channel: .gig, riderPrice: 9, thirdPartyRate: nil, at: ten, utcOffsetSeconds: -10800) == 4)
        #expect(terms.dropPrice(channel: .thirdParty, riderPrice: 9, thirdPartyRate: 3, at: ten, utcOffsetSeconds: -10800) == 3)
        #expect(terms.dropPrice(channel: .own, riderPrice: 0, thirdPartyRate: 3, at: ten, utcOffsetSeconds: -10800) == 0)
        #expect(ChannelTerms.standard.dropPrice(channel: .gig, riderPrice: 4.8, thirdPartyRate: nil, at: noon, utcOffsetSeconds: 0) == 4.8,
                "no terms: the rider's own price")
    }

    @Test func rulesSayWhichChannelMayTakeAnOrderAndWhyNot() {
        let terms = Self.terms
        let inZone = Self.order(zone: "centro"), outOfZone = Self.order(zone: "barra")
        #expect(terms.refusal(of: .own, for: inZone, waveLoad: [0, 0], utcOffsetSeconds: -10800) == nil)
        #expect(terms.refusal(of: .own, for: outOfZone, waveLoad: [0, 0], utcOffsetSeconds: -10800) == "zone barra is outside the own fleet's zones")
        #expect(terms.refusal(of: .gig, for: outOfZone, waveLoad: [0, 0], utcOffsetSeconds: -10800) == "out-of-zone orders go to the 3PL")
        #expect(terms.refusal(of: .thirdParty, for: outOfZone, waveLoad: [0, 0], utcOffsetSeconds: -10800) == nil)
        #expect(terms.refusal(of: .gig, for: Self.order(zone: "centro", tier: .express), waveLoad: [], utcOffsetSeconds: -10800)
                == "express orders never go to gig")
        #expect(terms.refusal(of: .thirdParty, for: inZone, waveLoad: [2, 0], utcOffsetSeconds: -10800) == "3PL wave 06:00–12:00 is full (2/2)")
        #expect(terms.refusal(of: .thirdParty, for: Self.order(zone: "centro", at: 13), waveLoad: [2, 0], utcOffsetSeconds: -10800) == nil)
        #expect(terms.refusal(of: .thirdParty, for: Self.order(zone: "centro", parcels: 900), waveLoad: [0, 0], utcOffsetSeconds: -10800)
                == "no 3PL rate for zone centro, size oversize")
    }

    /// A slot of a capped 3PL wave is worth little while the wave has room and a standard order an hour late as it
    /// fills (the last slot); nothing outside the waves or without them.
    @Test func aWaveSlotIsWorthMoreAsTheWaveFills() {
        var terms = Self.terms
        terms.thirdPartyWaves = [.init(start: 6 * 3600, end: 12 * 3600, value: 10)]
        let order = Self.order(zone: "centro")
        let values = (0..<10).map { terms.thirdPartySlotValue(for: order, waveLoad: [$0], utcOffsetSeconds: -10800) }
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "\(values)")
        #expect(values[0] < 0.01 && values[9] == 8 + 60)
        #expect(terms.thirdPartySlotValue(for: Self.order(zone: "centro", at: 13), waveLoad: [9], utcOffsetSeconds: -10800) == 0)
        #expect(ChannelTerms.standard.thirdPartySlotValue(for: order, waveLoad: [], utcOffsetSeconds: -10800) == 0)
    }

    @Test(arguments: [
        (#"{"sizes":[{"size":"S","max_parcels":1,"max_kg":3}],"rates_3pl":[{"zone":"*","size":"M","per_drop":3}]}"#, "rates_3pl[0].size", "unknown size"),
        (#"{"sizes":[{"size":"M","max_parcels":5,"max_kg":10},{"size":"S","max_parcels":1,"max_kg":3}]}"#, "sizes[1].size", "smallest to the largest"),
        (#"{"gig_surge":[{"start":"11:00","end":"14:00","factor":1.2},{"start":"13:00","end":"15:00","factor":1.5}]}"#, "gig_surge[1].start", "overlaps"),
        (#"{"waves_3pl":[{"start":"06:00","end":"11:00","capacity":7.5}]}"#, "waves_3pl[0].capacity", "whole number"),
        (#"{"waves_3pl":[{"start":"11:00","end":"06:00","capacity":7}]}"#, "waves_3pl[0].end", "ends before it starts"),
        (#"{"gig_surge":[{"start":"noon","end":"14:00","factor":1.2}]}"#, "gig_surge[0].start", "expected HH:MM"),
        (#"{"never_to_gig":["vip"]}"#, "never_to_gig[0]", "expected one of"),
        (#"{"gig_acceptance_min":-3}"#, "gig_acceptance_min", "out of range"),
    ])
    func aBadTermNamesItsField(text: String, field: String, reason: String) throws {
        var r = try FieldReader(try JSONParser.parse(text))
        #expect {
            _ = try ChannelTermsCodec.read(&r)
        } throws: { error in
            guard let error = error as? EventError else { return false }
            return error.field == field && error.reason.contains(reason)
        }
    }

    @Test func theShippedTermsLoadAndAnUnknownZoneIsNamedWithItsFile() throws {
        let rio = try ScenarioLoader.load(directory: Self.sampleData + "/rio")
        let terms = try #require(rio.channels)
        #expect(terms.ownFleetZones.contains("centro") && !terms.ownFleetZones.contains("jacarepagua"))
        #expect(terms.gigAcceptanceSeconds == 240)
        let folder = try TestCity.folder { files in
            files["channels.json"] = #"{"own_fleet_zones": ["centro", "atlantis"]}"#
        }
        #expect {
            _ = try ScenarioLoader.load(directory: folder)
        } throws: { error in
            "\(error)".contains("channels.json") && "\(error)".contains("own_fleet_zones") && "\(error)".contains("atlantis")
        }
    }

    static let sampleData = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sample-data").path

    /// A day of the test city under terms that bind: the rules hold for every assignment, the reasons say so, the
    /// 3PL's waves are never overfilled by the planner, and gig couriers set off only after accepting.
    @Test func aDayUnderTheTermsKeepsTheRules() throws {
        let folder = try TestCity.folder(riders: 12, orders: 160) { files in
            files["channels.json"] = #"""
            {"sizes": [{"size": "S", "max_parcels": 1, "max_kg": 3}, {"size": "L", "max_parcels": 500, "max_kg": 2000}],
             "rates_3pl": [{"zone": "*", "size": "S", "per_drop": 2.5}, {"zone": "*", "size": "L", "per_drop": 4}],
             "waves_3pl": [{"start": "06:00", "end": "12:00", "capacity": 12}, {"start": "12:00", "end": "22:00", "capacity": 12}],
             "gig_fee": 3, "gig_surge": [{"start": "11:00", "end": "14:00", "factor": 2}], "gig_acceptance_min": 10,
             "never_to_gig": ["critical", "express"], "own_fleet_zones": ["centro", "zona-sul", "tijuca", "zona-norte", "barra"]}
            """#
        }
        let scenario = try ScenarioLoader.load(directory: folder)
        let journal = TestCity.temporaryFile()
        let engine = try TestCity.run(scenario, until: 22 * 3600, journal: journal)
        let world = engine.world
        var events: [Event] = []
        _ = try JournalReader.read(path: journal) { _, line in
            if case let .event(event, _) = line { events.append(event) }
            return true
        }
        #expect(events.contains { $0.type == .channelsDefined })

        var holder: [String: String] = [:]
        var acceptedAt: [String: Instant] = [:]
        var overfilled = 0, gigPickups = 0, noneAsked = 0
        var replay = World()
        for event in events {
            replay.apply(event)
            switch event.body {
            case let .orderAssigned(order, rider, reason), let .orderReassigned(order, _, rider, reason):
                holder[order] = rider
                acceptedAt[order] = event.at + 600
                let channel = try #require(world.riders[rider]?.profile.channel)
                let o = try #require(world.orders[order])
                if o.pinnedRider == nil {
                    #expect(world.channels.refusal(of: channel, for: o, waveLoad: [], utcOffsetSeconds: world.utcOffsetSeconds) == nil,
                            "\(order) (\(o.zone), \(o.tier)) went to \(channel.rawValue)")
                }
                // A channel whose nearest riders were priced and had no room is said so, with how many were asked.
                if let match = reason.firstMatch(of: /(own|3pl|gig): none of the (\d+) asked can take it/) {
                    #expect(Int(match.2)! > 0 && String(match.1) != channel.rawValue, "\(reason)")
                    noneAsked += 1
                }
                if o.zone == "jacarepagua", reason.contains("next:") {
                    #expect(reason.contains("own: none can take it (zone jacarepagua is outside the own fleet's zones)"), "\(reason)")
                }
                for (wave, load) in replay.thirdPartyWaveLoad().enumerated() where Double(load) > world.channels.thirdPartyWaves[wave].value {
                    overfilled += 1
                }
            case let .stopArrived(rider, order, .pickup) where world.riders[rider]?.profile.channel == .gig:
                #expect(event.at >= acceptedAt[order] ?? event.at, "\(rider) reached the pickup of \(order) before accepting it")
                gigPickups += 1
            default:
                break
            }
        }
        #expect(overfilled == 0)
        #expect(gigPickups > 0)
        #expect(noneAsked > 0)
        // A full wave hands a slot to an out-of-zone order by moving a 3PL order another channel can take.
        #expect(events.contains { if case let .orderReassigned(_, _, _, reason) = $0.body { reason.contains("frees a 3PL wave slot") } else { false } })
        #expect(world.orders.values.contains { $0.zone == "jacarepagua" && $0.status == .delivered }, "out-of-zone orders are served by the 3PL")
        let report = RunReport(world: world, recorder: KPIRecorder(planLock: scenario.planLock), policy: "", seed: 1)
        #expect(report.deliveriesByChannel["3pl"]! > 0 && report.deliveriesByChannel["gig"]! > 0)
    }
}
