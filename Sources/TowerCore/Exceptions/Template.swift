/// A customer message template: text with `{field}` placeholders, filled in one pass so a filled-in value that
/// itself contains braces is never expanded.
enum Template {
    /// What a placeholder may name.
    enum Field: String, CaseIterable, Sendable {
        case order, customer, window, eta, reason
    }

    /// Why a template cannot be used, or nil. A template goes to customers' phones: it may hold no control
    /// characters or escape sequences (a terminal or an SMS gateway could act on them), and every placeholder must
    /// be one Tower fills in (an unknown one would go out as literal braces).
    static func problem(in template: String) -> String? {
        if template.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "control characters or escape sequences are not allowed in a message"
        }
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { return "a '{' is not closed" }
            let name = String(rest[rest.index(after: open)..<close])
            if Field(rawValue: name) == nil {
                return "unknown placeholder {\(TextSanitizer.clean(String(name.prefix(40))))} (known: "
                    + Field.allCases.map { "{\($0.rawValue)}" }.joined(separator: ", ") + ")"
            }
            rest = rest[rest.index(after: close)...]
        }
        return nil
    }

    /// Fills the placeholders of a template that passed `problem(in:)`; the result is cleaned of control
    /// characters all the same, since values come from outside (a customer's name).
    static func render(_ template: String, value: (Field) -> String) -> String {
        var output = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { break }
            output += rest[..<open]
            let name = String(rest[rest.index(after: open)..<close])
            output += Field(rawValue: name).map(value) ?? "{\(name)}"
            rest = rest[rest.index(after: close)...]
        }
        return TextSanitizer.clean(output + rest)
    }
}
