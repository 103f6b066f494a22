/// A terminal colour: the terminal's default, or one of the 256 indexed colours.
public enum Color: Hashable, Sendable {
    case terminalDefault
    case indexed(UInt8)

    /// The nearest of the 256 colours to an RGB value (the 6×6×6 cube or the grey ramp, whichever is closer).
    public static func rgb(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Color {
        let levels: [Int] = [0, 95, 135, 175, 215, 255]
        func nearestLevel(_ v: UInt8) -> Int { levels.indices.min { abs(levels[$0] - Int(v)) < abs(levels[$1] - Int(v)) }! }
        let (ri, gi, bi) = (nearestLevel(r), nearestLevel(g), nearestLevel(b))
        let cube = (levels[ri], levels[gi], levels[bi])
        let average = (Int(r) + Int(g) + Int(b)) / 3
        let greyIndex = max(0, min(23, (average - 8 + 5) / 10))
        let grey = 8 + greyIndex * 10
        func distance(_ c: (Int, Int, Int)) -> Int {
            let dr = c.0 - Int(r), dg = c.1 - Int(g), db = c.2 - Int(b)
            return dr * dr + dg * dg + db * db
        }
        if distance((grey, grey, grey)) < distance(cube) { return .indexed(UInt8(232 + greyIndex)) }
        return .indexed(UInt8(16 + 36 * ri + 6 * gi + bi))
    }

    /// Parses `#rrggbb`, `default`, or a colour number 0–255.
    public static func parse(_ text: String) -> Color? {
        if text == "default" { return .terminalDefault }
        if let number = UInt8(text) { return .indexed(number) }
        let hex = Array(text.utf8)
        guard hex.count == 7, hex[0] == UInt8(ascii: "#"), let value = UInt32(String(text.dropFirst()), radix: 16) else { return nil }
        return .rgb(UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}

/// How a cell looks.
public struct Style: Hashable, Sendable {
    public var fg: Color
    public var bg: Color
    public var bold: Bool
    public var dim: Bool
    public var reverse: Bool
    public var underline: Bool

    public init(fg: Color = .terminalDefault, bg: Color = .terminalDefault, bold: Bool = false, dim: Bool = false,
                reverse: Bool = false, underline: Bool = false) {
        self.fg = fg; self.bg = bg; self.bold = bold; self.dim = dim; self.reverse = reverse; self.underline = underline
    }

    public static let plain = Style()
}

extension Color {
    /// The nearest of the 8 basic colours to a 256-palette colour, for terminals with fewer colours.
    public static func basic(_ index: UInt8) -> UInt8 {
        if index < 8 { return index }
        if index < 16 { return index - 8 }
        let rgb: (Int, Int, Int)
        if index >= 232 {
            let grey = 8 + Int(index - 232) * 10
            rgb = (grey, grey, grey)
        } else {
            let levels = [0, 95, 135, 175, 215, 255]
            let cube = Int(index) - 16
            rgb = (levels[cube / 36], levels[cube / 6 % 6], levels[cube % 6])
        }
        // Basic colour i has red in bit 0, green in bit 1, blue in bit 2.
        let bits = (rgb.0 > 127 ? 1 : 0) | (rgb.1 > 127 ? 2 : 0) | (rgb.2 > 127 ? 4 : 0)
        return UInt8(bits)
    }
}
