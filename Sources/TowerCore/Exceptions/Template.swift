/// Fills `{name}` placeholders in one pass, so a filled-in value that itself contains braces is never expanded.
enum Template {
    /// Unknown placeholders stay as written.
    static func render(_ template: String, value: (String) -> String?) -> String {
        var output = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            output += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            output += value(name) ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return output + rest
    }
}
