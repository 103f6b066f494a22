import Foundation
import TowerCore

/// Which rider carries which phone: `DEVICE = RIDER` per line (`#` starts a comment), or a `device` column in
/// riders.csv. A phone not listed is refused (404), as Traccar refuses an unknown device.
public struct DeviceMap: Sendable {
    public var riders: [String: String]

    public init(riders: [String: String]) { self.riders = riders }

    /// The phones riders.csv names (its `device` column).
    public init(scenario: Scenario) {
        riders = Dictionary(scenario.riders.compactMap { rider in rider.device.map { ($0, rider.profile.id) } }, uniquingKeysWith: { first, _ in first })
    }

    /// This map with `other`'s phones added (a devices file beside riders.csv's column); a phone the two give to
    /// different riders is an error naming both.
    public func merged(with other: DeviceMap, from source: String) throws -> DeviceMap {
        var riders = riders
        for (device, rider) in other.riders.sorted(by: { $0.key < $1.key }) {
            if let known = riders[device], known != rider {
                throw ToolError("\(source): device \(TextSanitizer.clean(device)) is \(TextSanitizer.clean(rider))'s, but riders.csv gives it to \(known)")
            }
            riders[device] = rider
        }
        return DeviceMap(riders: riders)
    }

    public static func load(path: String) throws -> DeviceMap {
        guard let data = FileManager.default.contents(atPath: path) else { throw ToolError("cannot read devices \(path)") }
        var riders: [String: String] = [:]
        for (index, raw) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = (raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? "").trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw ToolError("\(path) line \(index + 1): expected DEVICE = RIDER") }
            if riders[parts[0]] != nil { throw ToolError("\(path) line \(index + 1): device \(TextSanitizer.clean(parts[0])) is listed twice") }
            riders[parts[0]] = parts[1]
        }
        return DeviceMap(riders: riders)
    }
}
