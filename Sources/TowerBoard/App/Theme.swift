import Foundation
import TowerCore

/// Semantic colours of the board. A theme file sets some of them; the rest fall back to the default (dark).
///
/// File format, one setting per line (`#` not followed by a hex digit starts a comment):
/// ```
/// late     = #ff5f5f bold
/// header   = #ffffff on #005f87 bold
/// selected = reverse
/// ```
/// A value is an optional foreground colour, optionally `on` a background colour, then attributes
/// (`bold`, `dim`, `reverse`, `underline`). Colours are `#rrggbb` (mapped to the 256-colour palette),
/// a palette number 0–255, or `default`.
public struct Theme: Sendable {
    public enum Role: String, CaseIterable, Sendable {
        case text, muted, title, header, border, selected, status, accent
        case ok, tight, late, critical
        case own, thirdParty = "3pl", gig
    }

    public var name: String
    public var styles: [Role: Style]
    /// Whether colours are used at all (false for `mono` and under `NO_COLOR`).
    public var usesColor: Bool

    public subscript(role: Role) -> Style { styles[role] ?? Theme.dark.styles[role] ?? .plain }

    public static let dark: Theme = {
        func c(_ hex: String) -> Color { Color.parse(hex)! }
        return Theme(name: "dark", styles: [
            .text: Style(), .muted: Style(fg: c("#808080")), .title: Style(fg: c("#5fafff"), bold: true),
            .header: Style(fg: c("#ffffff"), bg: c("#005f87"), bold: true), .border: Style(fg: c("#4e4e4e")),
            .selected: Style(reverse: true), .status: Style(fg: c("#d0d0d0"), bg: c("#303030")), .accent: Style(fg: c("#ffaf00"), bold: true),
            .ok: Style(fg: c("#5fd75f")), .tight: Style(fg: c("#ffd75f")), .late: Style(fg: c("#ff5f5f"), bold: true),
            .critical: Style(fg: c("#ff5fff"), bold: true),
            .own: Style(fg: c("#87d7ff")), .thirdParty: Style(fg: c("#d7afff")), .gig: Style(fg: c("#ffd787")),
        ], usesColor: true)
    }()

    /// No colours: meaning comes from glyphs and attributes only.
    public static let mono = Theme(name: "mono", styles: [
        .text: Style(), .muted: Style(dim: true), .title: Style(bold: true), .header: Style(reverse: true),
        .border: Style(), .selected: Style(reverse: true), .status: Style(reverse: true), .accent: Style(bold: true),
        .ok: Style(), .tight: Style(underline: true), .late: Style(bold: true), .critical: Style(bold: true, underline: true),
        .own: Style(), .thirdParty: Style(), .gig: Style(),
    ], usesColor: false)

    /// Parses a theme file. Unknown keys and bad values are returned as warnings naming the line; what is valid is kept.
    public static func parse(_ text: String, name: String, file: String) -> (Theme, [String]) {
        var theme = Theme(name: name, styles: [:], usesColor: true)
        var warnings: [String] = []
        for (index, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let content = commentStripped(String(rawLine))
            if content.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let parts = content.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { warnings.append("\(file) line \(index + 1): expected 'key = value'"); continue }
            guard let role = Role(rawValue: parts[0]) else {
                warnings.append("\(file) line \(index + 1): unknown key '\(TextSanitizer.clean(parts[0]))' (ignored)")
                continue
            }
            guard !parts[1].isEmpty else {
                // `late = #zzzzzz bold` reads as a comment after `=`: say so rather than leave the role plain.
                warnings.append("\(file) line \(index + 1), key \(parts[0]): no style (a '#' not followed by a hex colour starts a comment)")
                continue
            }
            switch parseStyle(parts[1]) {
            case let .success(style): theme.styles[role] = style
            case let .failure(error): warnings.append("\(file) line \(index + 1), key \(parts[0]): \(error.message)")
            }
        }
        return (theme, warnings)
    }

    /// Cuts a `#` comment; a `#` followed by a hex digit is a colour, not a comment.
    private static func commentStripped(_ line: String) -> String {
        let characters = Array(line)
        for (index, character) in characters.enumerated() where character == "#" {
            let next = index + 1 < characters.count ? characters[index + 1] : " "
            if !next.isHexDigit { return String(characters[..<index]) }
        }
        return line
    }

    private static func parseStyle(_ value: String) -> Result<Style, ToolError> {
        var style = Style()
        var words = value.split(separator: " ").map(String.init)[...]
        var expectingBackground = false
        var sawForeground = false
        while let word = words.popFirst() {
            switch word {
            case "bold": style.bold = true
            case "dim": style.dim = true
            case "reverse": style.reverse = true
            case "underline": style.underline = true
            case "on": expectingBackground = true
            default:
                guard let color = Color.parse(word) else {
                    return .failure(ToolError("'\(TextSanitizer.clean(word))' is not a colour (#rrggbb, 0-255, default) or attribute"))
                }
                if expectingBackground { style.bg = color; expectingBackground = false }
                else if !sawForeground { style.fg = color; sawForeground = true }
                else { return .failure(ToolError("two foreground colours; write 'FG on BG'")) }
            }
        }
        if expectingBackground { return .failure(ToolError("'on' needs a background colour")) }
        return .success(style)
    }

    /// Finds a theme by name (in `themes/` beside the working directory or the executable) or by path.
    /// A theme that cannot be read gives the default theme and a message; the board still starts.
    public static func load(_ nameOrPath: String, searchDirectories: [String]) -> (Theme, [String]) {
        if nameOrPath == "mono" && !searchDirectories.contains(where: { FileManager.default.fileExists(atPath: $0 + "/mono.theme") }) {
            return (.mono, [])
        }
        let candidates = nameOrPath.contains("/") || nameOrPath.hasSuffix(".theme")
            ? [nameOrPath] : searchDirectories.map { $0 + "/" + nameOrPath + ".theme" }
        for path in candidates {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            guard let text = String(data: data, encoding: .utf8) else { return (.dark, ["\(path): not UTF-8 text; using the dark theme"]) }
            let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
            var (theme, warnings) = parse(text, name: name, file: path)
            if name == "mono" { theme.usesColor = false }
            return (theme, warnings)
        }
        if nameOrPath == "dark" { return (.dark, []) }
        return (.dark, ["theme '\(TextSanitizer.clean(nameOrPath))' not found (looked in \(candidates.joined(separator: ", "))); using dark"])
    }
}
