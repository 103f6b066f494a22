/// A key press or a mouse event, as the board's update understands it.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, enter, escape, tab, backTab, backspace, pageUp, pageDown, home, end
    case resize
    /// A click (or a double-click) at a screen cell.
    case click(x: Int, y: Int, double: Bool)
    /// The wheel turned over a screen cell.
    case wheel(up: Bool, x: Int, y: Int)
}
