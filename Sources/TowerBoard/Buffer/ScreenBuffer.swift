import TowerCore

/// One screen position: what is drawn there and how.
public struct Cell: Hashable, Sendable {
    /// The grapheme drawn here; empty for the second column of a wide character.
    public var symbol: String
    public var style: Style

    public init(symbol: String = " ", style: Style = .plain) {
        self.symbol = symbol; self.style = style
    }

    public static let blank = Cell()
    /// The cell behind a wide character's first column.
    public static let continuation = Cell(symbol: "", style: .plain)
}

/// A rectangle on the screen.
public struct Rect: Hashable, Sendable {
    public var x: Int, y: Int, width: Int, height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x; self.y = y; self.width = max(0, width); self.height = max(0, height)
    }

    public var isEmpty: Bool { width <= 0 || height <= 0 }
    public func contains(x: Int, y: Int) -> Bool { x >= self.x && x < maxX && y >= self.y && y < maxY }
    public var maxX: Int { x + width }
    public var maxY: Int { y + height }

    /// Splits off `count` rows from the top.
    public func top(_ count: Int) -> (Rect, Rect) {
        let rows = min(max(0, count), height)
        return (Rect(x: x, y: y, width: width, height: rows), Rect(x: x, y: y + rows, width: width, height: height - rows))
    }

    /// Splits off `count` columns from the left.
    public func left(_ count: Int) -> (Rect, Rect) {
        let columns = min(max(0, count), width)
        return (Rect(x: x, y: y, width: columns, height: height), Rect(x: x + columns, y: y, width: width - columns, height: height))
    }
}

/// A grid of styled cells that views draw into; the terminal backend writes only what changed between two.
public struct ScreenBuffer: Hashable, Sendable {
    public private(set) var width: Int
    public private(set) var height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var area: Rect { Rect(x: 0, y: 0, width: width, height: height) }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Fills a rectangle (clipped to the screen) with a style's blank.
    public mutating func fill(_ rect: Rect, style: Style) {
        for y in max(0, rect.y)..<min(height, rect.maxY) {
            for x in max(0, rect.x)..<min(width, rect.maxX) { self[x, y] = Cell(symbol: " ", style: style) }
        }
    }

    /// Writes text from (x, y), clipped to `maxWidth` columns and the screen. Control characters and escape
    /// sequences are removed first: this is the only way text enters the screen.
    /// - Returns: the number of columns written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(maxWidth ?? (width - x), width - x)
        guard limit > 0 else { return 0 }
        let clean = TextSanitizer.needsCleaning(text) ? TextSanitizer.clean(text) : text
        var column = x
        for character in clean {
            let columns = CharacterWidth.of(character)
            if columns == 0 { continue }
            if column + columns > x + limit { break }
            if column >= 0 {
                clearWide(at: column, y: y)
                self[column, y] = Cell(symbol: String(character), style: style)
                if columns == 2 {
                    if column + 1 < width { clearWide(at: column + 1, y: y); self[column + 1, y] = Cell(symbol: "", style: style) }
                }
            }
            column += columns
        }
        return column - x
    }

    /// Writes text padded with spaces to exactly `width` columns.
    public mutating func putPadded(_ text: String, x: Int, y: Int, width: Int, style: Style) {
        let written = put(text, x: x, y: y, style: style, maxWidth: width)
        if written < width { put(String(repeating: " ", count: width - written), x: x + written, y: y, style: style) }
    }

    /// Overwriting half of a wide character leaves the other half blank, never a stray half glyph.
    private mutating func clearWide(at x: Int, y: Int) {
        let current = self[x, y]
        if current.symbol.isEmpty, x > 0 {
            self[x - 1, y] = Cell(symbol: " ", style: self[x - 1, y].style)
        } else if CharacterWidth.of(current.symbol) == 2, x + 1 < width {
            self[x + 1, y] = Cell(symbol: " ", style: current.style)
        }
    }

    /// The screen as plain text lines (trailing spaces kept), for snapshots and tests.
    public var lines: [String] {
        (0..<height).map { y in (0..<width).map { self[$0, y].symbol }.joined() }
    }

    /// The cells that differ from `previous`, as runs of consecutive cells on a row (whole screen if sizes differ).
    public func changes(since previous: ScreenBuffer?) -> [(x: Int, y: Int, cells: ArraySlice<Cell>)] {
        var runs: [(Int, Int, ArraySlice<Cell>)] = []
        let same = previous.map { $0.width == width && $0.height == height } ?? false
        for y in 0..<height {
            var x = 0
            while x < width {
                let index = y * width + x
                if same, previous!.cells[index] == cells[index] { x += 1; continue }
                var end = x + 1
                while end < width, !(same && previous!.cells[y * width + end] == cells[y * width + end]) { end += 1 }
                // A run never starts on the second column of a wide character.
                var start = x
                if start > 0, cells[index].symbol.isEmpty { start -= 1 }
                runs.append((start, y, cells[(y * width + start)..<(y * width + end)]))
                x = end
            }
        }
        return runs
    }
}
