/// Removes what must never reach a terminal from untrusted text: C0 and C1 control characters and
/// whole escape sequences (CSI, OSC, DCS …), not just their ESC byte, so `ESC[2J` leaves nothing behind.
public enum TextSanitizer {
    /// The text with control characters and escape sequences removed; tabs and line breaks become spaces.
    public static func clean(_ text: String) -> String {
        guard needsCleaning(text) else { return text }
        var out = String.UnicodeScalarView()
        var scalars = Array(text.unicodeScalars)[...]
        while let scalar = scalars.popFirst() {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D:
                out.append(" ")
            case 0x1B:
                skipEscapeSequence(&scalars)
            case 0x9B:  // 8-bit CSI
                skipCSI(&scalars)
            case 0x90, 0x9D, 0x9E, 0x9F, 0x98:  // 8-bit DCS, OSC, PM, APC, SOS
                skipString(&scalars)
            case 0x00..<0x20, 0x7F..<0xA0:
                continue
            case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069:  // bidi overrides reorder what follows
                continue
            default:
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// An id or value from outside, cleaned, cut at `limit` characters (with …) and in quotes, for a message: an
    /// empty or cleaned-away one still shows as `""`, and a 7 KB id in a request path is not echoed whole.
    public static func quoted(_ text: String, limit: Int = 80) -> String {
        let cleaned = clean(String(text.prefix(limit + 1)))
        return "\"" + (cleaned.count > limit ? cleaned.prefix(limit) + "…" : cleaned) + "\""
    }

    /// True when `clean` would change the text.
    public static func needsCleaning(_ text: String) -> Bool {
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x00..<0x20, 0x7F..<0xA0, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
            default: continue
            }
        }
        return false
    }

    private static func skipEscapeSequence(_ s: inout ArraySlice<Unicode.Scalar>) {
        guard let next = s.first else { return }
        switch next {
        case "[": s.removeFirst(); skipCSI(&s)
        case "]", "P", "X", "^", "_": s.removeFirst(); skipString(&s)
        default:
            // Two-character escapes (ESC c, ESC 7 …) and charset selections (ESC ( B).
            s.removeFirst()
            if "()*+".unicodeScalars.contains(next), !s.isEmpty { s.removeFirst() }
        }
    }

    /// CSI: parameters and intermediates up to a final byte in 0x40–0x7E.
    private static func skipCSI(_ s: inout ArraySlice<Unicode.Scalar>) {
        while let scalar = s.popFirst() {
            if (0x40...0x7E).contains(scalar.value) { return }
            if !(0x20...0x3F).contains(scalar.value) { return }
        }
    }

    /// OSC / DCS / PM / APC: everything up to BEL or ST (ESC \ or 0x9C).
    private static func skipString(_ s: inout ArraySlice<Unicode.Scalar>) {
        while let scalar = s.popFirst() {
            if scalar.value == 0x07 || scalar.value == 0x9C { return }
            if scalar.value == 0x1B {
                if s.first == "\\" { s.removeFirst() }
                return
            }
        }
    }
}
