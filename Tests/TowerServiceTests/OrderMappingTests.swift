import Foundation
import Testing
import TowerCore
@testable import TowerService

/// The order mapping: the shipped Shopify file reads, and a broken line is an error naming it.
@Suite struct OrderMappingTests {
    static let shipped = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("sample-data/mappings/shopify-orders.conf").path

    @Test func theShippedShopifyMappingReads() throws {
        let mapping = try OrderMapping.load(path: Self.shipped)
        #expect(mapping.fields.first { $0.field == "order" }?.source == .column("Id"))
        #expect(mapping.fields.first { $0.field == "window_start" }?.source == .constant("10:00"))
        #expect(mapping.fields.first { $0.field == "lat" }?.source == .column("Latitude"))
    }

    /// A parcel's ready time is a time of the core's day like a window's; a row that leaves it empty gives none.
    @Test func aReadyTimeIsReadOnTheCoresDayAndAnEmptyOneIsLeftOut() throws {
        let mapping = try OrderMapping.parse("order = Id\nready_at = Ready\nwindow_start = \"10:00\"", name: "map.conf")
        let day = try #require(ISOTime.parse("2026-11-17T00:00:00Z")).instant
        let rows = try mapping.orders(csv: "Id,Ready\nA1,09:30\nA2,\n", day: day, world: World()).rows
        func time(_ row: Int, _ field: String) -> Instant? {
            guard case let .string(text)? = rows[row].fields.first(where: { $0.0 == field })?.1 else { return nil }
            return ISOTime.parse(text)?.instant
        }
        #expect(rows.count == 2)
        #expect(time(0, "ready_at") == day + 9 * 3600 + 1800)
        #expect(!rows[1].fields.contains { $0.0 == "ready_at" })
        #expect(time(1, "window_start") == day + 10 * 3600)
    }

    @Test(arguments: ["order Id", "order = ", "colour = Id", "order = Id\norder = Name", "customer = Name"])
    func aBrokenMappingIsAnErrorNamingTheLine(text: String) {
        #expect(throws: ToolError.self, "\(text)") { try OrderMapping.parse(text, name: "map.conf") }
    }
}
