/// A drawing surface of dots, two across and four down per terminal cell, shown as Unicode braille (U+2800 +
/// the dots' bits) or, in a terminal that is not UTF-8, as `.` where a cell has any dot.
struct BrailleCanvas {
    let columns: Int
    let rows: Int
    /// Dots per cell as braille bits, row by row.
    private(set) var bits: [UInt8]
    /// The style of the last thing drawn into each cell.
    private(set) var styles: [Style?]

    init(columns: Int, rows: Int) {
        self.columns = max(0, columns)
        self.rows = max(0, rows)
        bits = Array(repeating: 0, count: self.columns * self.rows)
        styles = Array(repeating: nil, count: self.columns * self.rows)
    }

    var dotWidth: Int { columns * 2 }
    var dotHeight: Int { rows * 4 }

    /// The bit of each dot in a cell, indexed [row][column] (ISO/TR 11548-1 numbering).
    private static let dotBits: [[UInt8]] = [[0x01, 0x08], [0x02, 0x10], [0x04, 0x20], [0x40, 0x80]]

    mutating func set(_ x: Int, _ y: Int, style: Style) {
        guard x >= 0, y >= 0, x < dotWidth, y < dotHeight else { return }
        let cell = (y / 4) * columns + x / 2
        bits[cell] |= BrailleCanvas.dotBits[y % 4][x % 2]
        styles[cell] = style
    }

    /// A straight line between two dots (Bresenham).
    mutating func line(from a: (x: Int, y: Int), to b: (x: Int, y: Int), style: Style, dotted: Bool = false) {
        var (x, y) = a
        let dx = abs(b.x - x), dy = -abs(b.y - y)
        let sx = x < b.x ? 1 : -1, sy = y < b.y ? 1 : -1
        var error = dx + dy
        var step = 0
        while true {
            if !dotted || step % 2 == 0 { set(x, y, style: style) }
            step += 1
            if x == b.x && y == b.y { break }
            let doubled = 2 * error
            if doubled >= dy { error += dy; x += sx }
            if doubled <= dx { error += dx; y += sy }
        }
    }

    /// The character for a cell: braille, or `.`/space in ASCII.
    func character(column: Int, row: Int, unicode: Bool) -> String? {
        let value = bits[row * columns + column]
        guard value != 0 else { return nil }
        return unicode ? String(Character(Unicode.Scalar(0x2800 + UInt32(value))!)) : "."
    }

    func style(column: Int, row: Int) -> Style? { styles[row * columns + column] }
}
