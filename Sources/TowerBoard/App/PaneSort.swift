/// A column a pane's rows can be ordered by.
public enum SortColumn: String, CaseIterable, Sendable {
    case rider, late, load, channel, status, risk, due, order, raised, kind, subject

    /// Whether the biggest comes first when the column is picked (the most late, loaded or at risk on top).
    var descendingFirst: Bool { self == .late || self == .load || self == .risk }
}

/// How one pane orders its rows: by one of its columns (`s` cycles through them), either way (`S`). The first
/// column of each pane is its natural order: riders by id, orders by risk, cases by the deadline they wait on.
public struct PaneSort: Equatable, Sendable {
    public var column: Int = 0
    public var reversed = false

    public init(column: Int = 0, reversed: Bool = false) {
        self.column = column
        self.reversed = reversed
    }

    /// The columns of each pane, in the order `s` cycles through them.
    public static func columns(_ pane: BoardModel.Pane) -> [SortColumn] {
        switch pane {
        case .lanes: [.rider, .late, .load, .channel, .status]
        case .atRisk: [.risk, .due, .order, .rider]
        case .exceptions: [.due, .raised, .kind, .subject]
        }
    }

    public func column(of pane: BoardModel.Pane) -> SortColumn {
        let columns = Self.columns(pane)
        return columns[min(max(0, column), columns.count - 1)]
    }

    /// Whether the biggest (or the last in the alphabet) comes first.
    public func isDescending(_ pane: BoardModel.Pane) -> Bool { column(of: pane).descendingFirst != reversed }

    /// `late↓`: the column and the way, for the pane's title (`glyphs.falling` down, `glyphs.rising` up).
    public func label(_ pane: BoardModel.Pane, glyphs: Glyphs = .unicode) -> String {
        column(of: pane).rawValue + (isDescending(pane) ? glyphs.falling : glyphs.rising)
    }

    /// What a row sorts by in a column: a number or a text; nil keeps the pane's natural order.
    enum Key: Comparable {
        case number(Double)
        case text(String)
    }

    /// `rows` (in the pane's natural order) ordered by this sort; ties keep the natural order.
    func apply<Row>(_ rows: [Row], pane: BoardModel.Pane, key: (SortColumn, Row) -> Key?) -> [Row] {
        let column = column(of: pane)
        var ordered = rows
        if column != Self.columns(pane)[0] {
            let keyed = rows.enumerated().map { (offset: $0.offset, key: key(column, $0.element), row: $0.element) }
            ordered = keyed.sorted { a, b in
                if let ka = a.key, let kb = b.key, ka != kb { return column.descendingFirst ? ka > kb : ka < kb }
                return a.offset < b.offset
            }.map(\.row)
        }
        return reversed ? ordered.reversed() : ordered
    }
}
