import Foundation

/// A k9s-style filter typed after `/`: rows whose fields contain the text (case-insensitive) are kept;
/// `/!text` keeps the others.
public struct RowFilter: Equatable, Sendable {
    public let text: String
    private let needle: String
    private let inverted: Bool

    public init?(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        inverted = trimmed.hasPrefix("!")
        needle = String(inverted ? trimmed.dropFirst() : Substring(trimmed)).lowercased()
        guard !needle.isEmpty else { return nil }
        self.text = trimmed
    }

    /// Whether a row with these fields is shown.
    public func keeps(_ fields: [String]) -> Bool {
        fields.contains { $0.lowercased().contains(needle) } != inverted
    }
}
