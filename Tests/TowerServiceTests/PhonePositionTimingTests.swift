import Foundation
import Testing
import TowerCore
@testable import TowerService

/// When a phone's position counts: one more than two minutes behind the core's clock (a phone back from a dead
/// zone sending its buffer) is answered and not applied; one within two minutes is applied; one more than five
/// minutes ahead is refused, since it would move the core's clock.
@Suite struct PhonePositionTimingTests {
    static func post(_ api: CoreAPI, device: String, at time: Instant, _ point: GeoPoint) throws -> Int {
        api.osmand(try OsmAndPositionTests.request("POST /?id=\(device)&lat=\(point.lat)&lon=\(point.lon)&timestamp=\(time.seconds) HTTP/1.1\r\n\r\n")).status
    }

    @Test func aPositionCountsOnlyNearTheCoresClock() throws {
        let fixture = try CoreServerTests.Fixture()
        let engine = fixture.session.engine
        let rider = try #require(engine.world.riderIDs.first)
        let api = try CoreAPI(session: fixture.session, deadLetter: nil, devices: DeviceMap(riders: ["phone-1": rider]))
        let clock = try #require(engine.world.clock)
        let home = try #require(engine.world.riders[rider]?.position)
        let away = GeoPoint(lat: home.lat + 0.01, lon: home.lon + 0.01), later = GeoPoint(lat: home.lat + 0.02, lon: home.lon)

        #expect(try Self.post(api, device: "phone-1", at: clock - 180, away) == 200)
        #expect(engine.world.riders[rider]?.position == home, "three minutes behind: answered, not applied")
        #expect(try Self.post(api, device: "phone-1", at: clock - 60, away) == 200)
        #expect(engine.world.riders[rider]?.position == away, "a minute behind: applied")
        #expect(try Self.post(api, device: "phone-1", at: fixture.session.inputTime + 360, later) == 400, "six minutes ahead: refused")
        #expect(engine.world.riders[rider]?.position == away)
        #expect(try Self.post(api, device: "phone-1", at: fixture.session.inputTime + 240, later) == 200)
        #expect(engine.world.riders[rider]?.position == later, "four minutes ahead: applied")
    }
}
