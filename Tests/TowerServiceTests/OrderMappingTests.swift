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

    @Test(arguments: ["order Id", "order = ", "colour = Id", "order = Id\norder = Name", "customer = Name"])
    func aBrokenMappingIsAnErrorNamingTheLine(text: String) {
        #expect(throws: ToolError.self, "\(text)") { try OrderMapping.parse(text, name: "map.conf") }
    }
}
