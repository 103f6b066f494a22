/// A key press, by canonical name, as the board's update understands it.
public enum Key: Hashable, Sendable {
    case char(Character)
    case up, down, left, right, enter, escape, tab, backTab, backspace, pageUp, pageDown, home, end
    case resize
}
