/// What a key asks the board to do. `BoardModel.update` performs actions; `Keymap` says which keys ask for which,
/// where.
public enum BoardAction: Hashable, Sendable {
    case help, nextPane, previousPane
    case down, up, pageDown, pageUp, first, last
    case open, back
    case pick(Int), approve, reject, undo
    case map, metrics
    case pause, faster, slower
    case filter, sort, reverseSort, command
    case quit
}

/// Where the board is, as far as keys go: each binding works in some of these.
public enum KeyContext: Hashable, Sendable, CaseIterable {
    /// The three panes, the exception queue not in focus.
    case board
    /// The three panes with the exception queue in focus: the decision keys work on its selected case.
    case queue
    case rider, order
    /// One exception's case.
    case exceptionCase
    /// The map and the KPIs over the day.
    case views
    case help
}

/// One row of the keymap: the keys, the action, where it works, its line on the help screen and its hint on the
/// status line.
public struct KeyBinding: Sendable {
    public var keys: [Key]
    public var action: BoardAction
    public var contexts: Set<KeyContext>
    /// The keys as the help screen writes them and what they do; nil: the row above describes it too.
    public var help: (keys: String, text: String)?
    /// The status line's hint (`?:help`), in the contexts listed, in table order.
    public var hint: (text: String, contexts: Set<KeyContext>)?
    /// A decision: off on a read-only board, and not hinted there.
    public var decides: Bool

    /// Whether it answers an escalated case (pick, approve, reject): nothing to hint where none waits.
    var answersACase: Bool {
        switch action {
        case .pick, .approve, .reject: return true
        default: return false
        }
    }

    init(_ keys: [Key], _ action: BoardAction, in contexts: Set<KeyContext>, help: (String, String)? = nil,
         hint: (String, Set<KeyContext>)? = nil, decides: Bool = false) {
        self.keys = keys; self.action = action; self.contexts = contexts
        self.help = help.map { (keys: $0.0, text: $0.1) }
        self.hint = hint.map { (text: $0.0, contexts: $0.1) }
        self.decides = decides
    }
}

/// The one table of the board's keys: `BoardModel.update` looks keys up in it, the help screen lists it and the
/// status line shows its hints, so the three never disagree.
public enum Keymap {
    private static let everywhere = Set(KeyContext.allCases)
    private static let panes: Set<KeyContext> = [.board, .queue]
    /// Where the row moves work: the panes' rows, and the help's lines.
    private static let moves: Set<KeyContext> = panes.union([.help])
    private static let drills: Set<KeyContext> = [.rider, .order, .exceptionCase, .views]
    private static let decisions: Set<KeyContext> = [.queue, .exceptionCase]
    /// Decision keys answer on the board too, to say where they work.
    private static let decisionKeys: Set<KeyContext> = [.board, .queue, .exceptionCase]
    private static let clock: Set<KeyContext> = [.board, .queue, .rider, .order, .exceptionCase, .views]

    public static let bindings: [KeyBinding] = [
        KeyBinding([.char("?")], .help, in: clock, help: ("?", "show or close this help"), hint: ("?:help", [.board, .queue, .rider, .order, .views])),
        KeyBinding([.escape, .char("?"), .char("q")], .back, in: [.help], hint: ("esc or ?:close help", [.help])),
        // The help scrolls when the terminal is too short for it (80x24 shows half the keys): the moves below work
        // there too; this row only hints it.
        KeyBinding([.down, .char("j")], .down, in: [.help], hint: ("↑↓ PgUp PgDn:scroll", [.help])),
        KeyBinding([.tab, .right, .char("l")], .nextPane, in: panes, help: ("tab / shift-tab, ←→ hl", "move between panes"),
                   hint: ("tab:pane", panes)),
        KeyBinding([.backTab, .left, .char("h")], .previousPane, in: panes),
        KeyBinding([.down, .char("j")], .down, in: moves.union([.exceptionCase]),
                   help: ("↑↓ / jk, PgUp PgDn, g G", "select a row or a case's order, page, first, last"),
                   hint: ("↑↓:select", panes)),
        KeyBinding([.up, .char("k")], .up, in: moves.union([.exceptionCase])),
        KeyBinding([.pageDown], .pageDown, in: moves),
        KeyBinding([.pageUp], .pageUp, in: moves),
        KeyBinding([.home, .char("g")], .first, in: moves),
        KeyBinding([.end, .char("G")], .last, in: moves),
        KeyBinding([.enter], .open, in: panes.union([.rider, .views]),
                   help: ("enter", "open the selected rider, order or exception; in a case, the rider or order it is about; in an order, its rider"),
                   hint: ("⏎:open", panes)),
        KeyBinding([.enter], .open, in: [.order], hint: ("⏎:open its rider", [.order])),
        KeyBinding([.enter], .open, in: [.exceptionCase], hint: ("⏎:open what it is about", [.exceptionCase])),
        KeyBinding([.escape, .backspace], .back, in: drills,
                   help: ("esc", "back one level (the breadcrumb under the header shows the path); close the command line; on the board, clear the pane's filter"),
                   hint: ("esc:back", drills)),
        KeyBinding([.escape], .back, in: panes),
        KeyBinding([.char("1"), .char("2"), .char("3"), .char("4")], .pick(0), in: decisionKeys,
                   help: ("1-4", "pick an option of the selected escalation"), hint: ("1-4:pick", decisions), decides: true),
        KeyBinding([.char("a")], .approve, in: decisionKeys,
                   help: ("a", "approve the picked option (else the first); over the cost limit or waiving the channel rules: supervisors only, y confirms; one that makes deliveries late: y confirms"),
                   hint: ("a:approve", decisions), decides: true),
        KeyBinding([.char("r")], .reject, in: decisionKeys, help: ("r", "reject the selected escalation, with a one-line reason"),
                   hint: ("r:reject", decisions), decides: true),
        KeyBinding([.char("u")], .undo, in: clock,
                   help: ("u", "undo your last decision (approve, reject, :assign) within 2 minutes, before any of its effects has started"),
                   hint: ("u:undo", decisions), decides: true),
        KeyBinding([.char("m")], .map, in: clock, help: ("m / M", "city map / KPIs over the day (again or esc: back)"),
                   hint: ("m:map", [.board, .views])),
        KeyBinding([.char("M")], .metrics, in: clock, hint: ("M:metrics", [.board, .views])),
        KeyBinding([.char(" ")], .pause, in: clock, help: ("space", "pause or resume the clock"), hint: ("space:pause", [.rider, .order, .views])),
        KeyBinding([.char("+"), .char("=")], .faster, in: clock, help: ("+ / -", "faster or slower"), hint: ("+/-:speed", [.rider, .order, .views])),
        KeyBinding([.char("-"), .char("_")], .slower, in: clock),
        KeyBinding([.char("/")], .filter, in: panes,
                   help: ("/", "filter the pane in focus: lanes by rider, name, zone, hub, channel, vehicle, status; at-risk by order, rider, zone, channel, tier; exceptions by id, kind, subject, detail, state (/!x: the rest)")),
        KeyBinding([.char("s")], .sort, in: panes,
                   help: ("s / S", "sort the pane in focus by its next column / reverse it (lanes: rider, late, load, channel, status; at-risk: risk, due, order, rider; exceptions: due, raised, kind, subject); the title shows the order")),
        KeyBinding([.char("S")], .reverseSort, in: panes),
        KeyBinding([.char(":")], .command, in: clock,
                   help: (":", "commands (tab completes, ↑↓ recall): :open ID, :assign ORDER RIDER, :reject EXCEPTION REASON, :undo, :speed N, :theme NAME, :pause, :resume, :map, :metrics, :board, :q"),
                   hint: ("::cmd", [.board])),
        KeyBinding([.char("q")], .quit, in: panes, help: ("q", "quit, or back from a drill-down; twice if cases wait"), hint: ("q:quit", panes)),
        KeyBinding([.char("q")], .back, in: drills, hint: ("q:back", [.rider, .order])),
    ]

    /// The action `key` asks for in `context`, if any (the first binding that has it).
    public static func action(for key: Key, in context: KeyContext) -> BoardAction? {
        guard let binding = bindings.first(where: { $0.contexts.contains(context) && $0.keys.contains(key) }) else { return nil }
        if case .pick = binding.action, case let .char(c) = key, let option = Int(String(c)) { return .pick(option) }
        return binding.action
    }

    /// Whether `action` is a decision (off on a read-only board).
    public static func decides(_ action: BoardAction) -> Bool {
        if case .pick = action { return true }
        return bindings.contains { $0.action == action && $0.decides }
    }

    /// The help screen's rows, in table order, with the mouse last.
    public static var helpRows: [(keys: String, text: String)] {
        bindings.compactMap(\.help) + [("mouse", "click a row to select it, again (or double-click) to open it; the wheel scrolls the pane under it, or the help; a click on the breadcrumb goes back (--no-mouse: off)")]
    }

    /// The status line's hints in `context`: the bindings hinted there, in table order (decisions left out on a
    /// read-only board; pick, approve and reject where no case waits for an answer: `waiting` false).
    public static func hints(in context: KeyContext, readonly: Bool, waiting: Bool = true) -> String {
        let shown = bindings.filter { binding in
            guard let hint = binding.hint, hint.contexts.contains(context) else { return false }
            return !(readonly && binding.decides) && (waiting || !binding.answersACase)
        }
        return " " + shown.map { $0.hint!.text }.joined(separator: "  ") + (readonly && context != .help ? "  (read-only)" : "")
    }
}
