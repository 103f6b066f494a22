import Foundation
import TowerCore

/// What the board shows and how: the only state the keys change. Pure, so any screen can be rebuilt from a
/// world and a list of keys.
public struct BoardModel: Sendable {
    public enum Pane: Int, CaseIterable, Sendable {
        case lanes, atRisk, exceptions

        /// How the status line names it.
        public var title: String {
            switch self {
            case .lanes: "lanes"
            case .atRisk: "at-risk orders"
            case .exceptions: "exceptions"
            }
        }
    }

    public enum Screen: Equatable, Sendable {
        case board
        case rider(String)
        case order(String)
        case exception(String)
        case help
        /// The city map: riders, hubs, at-risk orders.
        case map
        /// The KPIs over the day, as sparklines.
        case metrics
    }

    /// A supervisor's decision on an escalation, for the app to submit to the core.
    public enum Decision: Equatable, Sendable {
        case approve(exception: String, option: Int)
        /// `r` then a one-line reason (`:reject ID REASON`), journaled with the rejection.
        case reject(exception: String, reason: String)
        /// `:assign ORDER RIDER`: a dispatcher puts an order on a rider.
        case assign(order: String, rider: String)
        /// `u`: take back this operator's last decision (the core says whether it still can).
        case undo
    }

    public var screen: Screen = .board
    /// The screens enter went through to reach this one, for esc to go back along and the breadcrumb to show.
    public var trail: [Screen] = []
    public var focus: Pane = .lanes
    /// The selected row of each pane, by id: it stays on its rider, order or case when the rows move under it.
    public var selection: [Pane: Selection] = [:]
    public var paused = false
    /// Set while the clock is held for a waiting decision (see `BoardPace`): shown in the header instead of the speed.
    public var held: String?
    /// Simulated seconds per wall second.
    public var speed: Double
    /// The `:` command being typed, when the command line is open.
    public var commandLine: String?
    /// Commands run before (kept across restarts by the app), for ↑ ↓.
    public var history = CommandHistory()
    /// The `/` filter being typed, when the filter line is open, and the pane it filters.
    public var filterLine: String?
    public var filterPane: Pane = .lanes
    /// Each pane's filter (`/` types the one of the pane in focus).
    public var filters: [Pane: RowFilter] = [:]
    /// Each pane's order (`s` and `S` on the pane in focus).
    public var sorts: [Pane: PaneSort] = [:]
    /// A line for the status bar (results, refusals), until the next key (or, on a read-only board, the next caption
    /// once `replyHold` has passed).
    public var message: String?
    public var readonly: Bool
    /// Who decides from this board (written into the journal with each decision).
    public var operatorName = "operator"
    /// What they may do: approving above the cost limit needs a supervisor.
    public var role: Role = .dispatcher
    /// Options picked with 1-4, by exception; `a` approves the picked one (the first when none was picked).
    public var pickedOption: [String: Int] = [:]
    /// In a case about several orders, the one ↑↓ chose for enter to open, by exception (0, the default: its subject).
    public var linkPick: [String: Int] = [:]
    /// The help's first line shown (it scrolls on a short terminal); back to the top each time it opens.
    public var helpScroll = 0
    /// A costly decision waiting for `y`.
    public var confirming: Decision?
    /// `q` was pressed once while escalations wait; a second `q` quits.
    public var quitArmed = false
    /// A new escalation arrived a moment ago: the header is drawn in the alert style.
    public var flashing = false
    /// Until when it flashes.
    private var flashUntil = Date.distantPast
    /// The wall clock of the last tick.
    private var lastWall = Date.distantPast
    /// Until when the status line keeps a reply to the viewer's own key from the demo's captions: at ×3600 several
    /// can come in a second and would hide the reply before anyone read it.
    private var replyHeldUntil = Date.distantPast
    /// How long a reply to a key is held so.
    static let replyHold: TimeInterval = 3
    /// No bell and no flash when an escalation arrives (`--quiet`).
    public var quiet = false

    public static let speeds: [Double] = [1, 5, 15, 30, 60, 120, 300, 600, 1200]

    public init(speed: Double, readonly: Bool) {
        self.speed = speed
        self.readonly = readonly
    }

    /// The row ids of each pane as last drawn, so keys can select and drill down.
    public struct Rows: Sendable {
        public var lanes: [String] = []
        public var atRisk: [String] = []
        public var exceptions: [String] = []
        /// The cost of each option of every escalation waiting for a decision.
        public var optionCosts: [String: [Double]] = [:]
        /// How many more deliveries each option makes miss their booked window than doing nothing: approving one
        /// that makes any asks for confirmation.
        public var optionAddsLate: [String: [Int]] = [:]
        /// Whether each option waives the channel rules (`ActionKind.waive`): only a supervisor approves one, and
        /// always with `y`.
        public var optionWaives: [String: [Bool]] = [:]
        /// The policy's cost limit: approving an option above it asks for confirmation.
        public var costLimit = Double.infinity
        /// What costs are counted in (`World.costUnit`).
        public var costUnit = "units"
        /// What enter opens from the drill-down on screen: a case's rider or order, an order's rider.
        public var linked: Screen?
        /// How far the help can scroll at the size it was drawn (its lines less the room for them).
        public var helpMaxScroll = 0
        /// In a case about several orders (`ExceptionCase.covering`): its subject's screen, then each order it covers,
        /// for ↑↓ to choose which one enter opens (`linkPick`); empty otherwise.
        public var links: [Screen] = []
        /// The world drawn, for tab completion on the command line.
        public var world: World?
        /// Where each pane was drawn, for the mouse.
        public var areas: [Pane: HitArea] = [:]
        public init() {}
        func ids(_ pane: Pane) -> [String] {
            switch pane {
            case .lanes: return lanes
            case .atRisk: return atRisk
            case .exceptions: return exceptions
            }
        }
    }

    /// Where a pane's rows were drawn: the whole pane (a click there focuses it), the rectangle of its rows, the
    /// first row shown and the lines each row takes.
    public struct HitArea: Equatable, Sendable {
        public var pane: Rect
        public var rows: Rect
        public var offset: Int
        public var rowHeight: Int

        /// Rows of one line each drawn below the others (the queue's resolved cases), from row `first` on.
        public var tail: Tail?

        public struct Tail: Equatable, Sendable {
            public var rows: Rect
            public var first: Int
        }

        public init(pane: Rect, rows: Rect = Rect(x: 0, y: 0, width: 0, height: 0), offset: Int = 0, rowHeight: Int = 1) {
            self.pane = pane
            self.rows = rows
            self.offset = offset
            self.rowHeight = rowHeight
        }

        /// The index of the row drawn at line `y`, if a row is there.
        func row(atY y: Int) -> Int? {
            if let tail, y >= tail.rows.y, y < tail.rows.maxY { return tail.first + y - tail.rows.y }
            guard y >= rows.y, y < rows.maxY, rowHeight > 0 else { return nil }
            return offset + (y - rows.y) / rowHeight
        }
    }

    /// A pane's selected row: the one with the selected id, or (when that id has left the rows) the one at the
    /// place it was, within the rows.
    public struct Selection: Equatable, Sendable {
        public var id: String
        public var index: Int
    }

    /// The index of `pane`'s selected row among `ids` (its rows as listed).
    public func selectedIndex(_ pane: Pane, in ids: [String]) -> Int {
        guard !ids.isEmpty, let selected = selection[pane] else { return 0 }
        if selected.index < ids.count, ids[selected.index] == selected.id { return selected.index }
        return ids.firstIndex(of: selected.id) ?? min(selected.index, ids.count - 1)
    }

    /// Selects the row at `index` (within the rows) of `pane`.
    private mutating func select(_ pane: Pane, index: Int, in ids: [String]) {
        guard !ids.isEmpty else { return }
        let index = min(max(0, index), ids.count - 1)
        selection[pane] = Selection(id: ids[index], index: index)
    }

    /// Where keys are, for the keymap: the screen, and on the board whether the exception queue has the focus.
    public var keyContext: KeyContext {
        switch screen {
        case .board: return focus == .exceptions ? .queue : .board
        case .rider: return .rider
        case .order: return .order
        case .exception: return .exceptionCase
        case .map, .metrics: return .views
        case .help: return .help
        }
    }

    /// Takes one message (a key, a tick, an effect's result) and returns what the app is to do.
    public mutating func update(_ message: BoardMessage, rows: Rows) -> [BoardCommand] {
        switch message {
        case let .key(key):
            let commands = press(key, rows: rows)
            if self.message != nil { replyHeldUntil = lastWall.addingTimeInterval(Self.replyHold) }
            return commands
        case let .tick(tick):
            (speed, paused, held) = (tick.speed, tick.paused, tick.held)
            if let finished = tick.finishedMessage { self.message = finished }
            if flashing, tick.wall >= flashUntil { flashing = false }
            lastWall = tick.wall
            return []
        case let .escalated(caption):
            if readonly {
                if lastWall >= replyHeldUntil { self.message = caption }
                return []
            }
            guard !quiet else { return [] }
            flashing = true
            flashUntil = lastWall.addingTimeInterval(1.5)
            return [.bell]
        case let .replied(text, confirm):
            if let confirm { confirming = confirm }
            self.message = text
            return []
        case let .note(text):
            self.message = text
            return []
        case let .found(next):
            open(next)
            return []
        }
    }

    /// A key: the open prompt's, a confirmation's, the mouse's, else the keymap's action in the current context.
    private mutating func press(_ key: Key, rows: Rows) -> [BoardCommand] {
        message = nil
        if commandLine != nil { return editCommand(key, rows: rows) }
        if filterLine != nil { editFilter(key); return [] }
        if let decision = confirming {
            confirming = nil
            if key == .char("y") { return [.submit(decision, confirmed: true)] }
            message = "cancelled"
            return []
        }
        let armed = quitArmed
        quitArmed = false
        if case let .click(x, y, double) = key { click(x: x, y: y, double: double, rows: rows); return [] }
        if case let .wheel(up, x, y) = key { wheel(up: up, x: x, y: y, rows: rows); return [] }
        guard let action = Keymap.action(for: key, in: keyContext) else { return [] }
        if readonly, Keymap.decides(action) {
            message = "read-only board: actions are off"
            return []
        }
        return perform(action, rows: rows, quitArmed: armed)
    }

    private mutating func perform(_ action: BoardAction, rows: Rows, quitArmed armed: Bool) -> [BoardCommand] {
        if screen == .help, let step = Self.scrollStep(action) {
            let scrolled = min(max(0, helpScroll + step), rows.helpMaxScroll)
            if scrolled == helpScroll { message = step > 0 ? "the end of the help" : "the top of the help" }
            helpScroll = scrolled
            return []
        }
        let ids = rows.ids(focus)
        let current = selectedIndex(focus, in: ids)
        switch action {
        case .help:
            helpScroll = 0
            open(.help)
        case .back:
            if screen != .board {
                back()
            } else if filters[focus] != nil {
                filters[focus] = nil
                message = "filter cleared"
            }
        case .nextPane: focus = Pane(rawValue: (focus.rawValue + 1) % Pane.allCases.count)!
        case .previousPane: focus = Pane(rawValue: (focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        case .down, .up:
            if case let .exception(id) = screen {
                chooseLink(of: id, by: action == .down ? 1 : -1, rows: rows)
            } else {
                select(focus, index: current + (action == .down ? 1 : -1), in: ids)
            }
        case .pageDown: select(focus, index: current + 10, in: ids)
        case .pageUp: select(focus, index: current - 10, in: ids)
        case .first: select(focus, index: 0, in: ids)
        case .last: select(focus, index: ids.count - 1, in: ids)
        case .open:
            if screen == .board {
                if !ids.isEmpty { openRow(ids[current], of: focus) }
            } else if case let .exception(id) = screen, !rows.links.isEmpty {
                open(rows.links[min(linkPick[id] ?? 0, rows.links.count - 1)])
            } else if let linked = rows.linked {
                open(linked)
            }
        case .pick, .approve, .reject:
            if case let .exception(id) = screen { return decide(action, on: id, rows: rows) }
            if focus == .exceptions, !ids.isEmpty { return decide(action, on: ids[current], rows: rows) }
            message = "select an escalation in the exception queue first"
        case .undo: return [.submit(.undo, confirmed: false)]
        case .map: view(.map)
        case .metrics: view(.metrics)
        case .pause:
            paused.toggle()
            message = paused ? "paused" : "running"
            return [.pace(speed: nil, paused: paused)]
        case .faster: return changeSpeed(by: 1)
        case .slower: return changeSpeed(by: -1)
        case .filter:
            filterPane = focus
            filterLine = filters[focus]?.text ?? ""
        case .sort, .reverseSort:
            var sort = sorts[focus] ?? PaneSort()
            if action == .sort {
                sort = PaneSort(column: (sort.column + 1) % PaneSort.columns(focus).count)
            } else {
                sort.reversed.toggle()
            }
            sorts[focus] = sort
            let way = sort.isDescending(focus) ? "high to low" : "low to high"
            message = "\(focus.title) sorted by \(sort.column(of: focus).rawValue), \(way) (s: next column, S: reverse)"
        case .command: commandLine = ""
        case .quit:
            let waiting = rows.optionCosts.count
            if waiting > 0, !readonly, !armed {
                quitArmed = true
                message = "\(Format.count(waiting, "escalation")) waiting for a decision: press q again to quit"
            } else {
                return [.quit]
            }
        }
        return []
    }

    private mutating func openRow(_ id: String, of pane: Pane) {
        switch pane {
        case .lanes: open(.rider(id))
        case .atRisk: open(.order(id))
        case .exceptions: open(.exception(id))
        }
    }

    /// A click on the board focuses the pane under it and selects the row; a click on the selected row, or a
    /// double-click, opens it. In a drill-down, a click on the breadcrumb goes back.
    private mutating func click(x: Int, y: Int, double: Bool, rows: Rows) {
        guard screen == .board else {
            switch screen {
            case .rider, .order, .exception: if y == 2 { back() }  // the breadcrumb's line
            default: break
            }
            return
        }
        guard let (pane, area) = rows.areas.first(where: { $0.value.pane.contains(x: x, y: y) }) else { return }
        let ids = rows.ids(pane)
        let wasSelected = focus == pane ? selectedIndex(pane, in: ids) : nil
        focus = pane
        guard let index = area.row(atY: y), x >= area.rows.x, x < area.rows.maxX, index < ids.count else { return }
        select(pane, index: index, in: ids)
        if double || wasSelected == index { openRow(rows.ids(pane)[index], of: pane) }
    }

    /// The wheel moves the selection of the pane under it by three rows.
    private mutating func wheel(up: Bool, x: Int, y: Int, rows: Rows) {
        if screen == .help {
            helpScroll = min(max(0, helpScroll + (up ? -3 : 3)), rows.helpMaxScroll)
            return
        }
        guard screen == .board, let pane = rows.areas.first(where: { $0.value.pane.contains(x: x, y: y) })?.key else { return }
        let ids = rows.ids(pane)
        select(pane, index: selectedIndex(pane, in: ids) + (up ? -3 : 3), in: ids)
    }

    /// `1`-`4` pick an option, `a` approves the picked one, `r` rejects; a costly approval asks for `y` first.
    private mutating func decide(_ action: BoardAction, on id: String, rows: Rows) -> [BoardCommand] {
        guard let costs = rows.optionCosts[id] else {
            message = "\(id) is not waiting for a decision"
            return []
        }
        switch action {
        case .approve:
            let option = pickedOption[id] ?? 1
            let cost = costs.indices.contains(option - 1) ? costs[option - 1] : 0
            let decision = Decision.approve(exception: id, option: option)
            if rows.optionWaives[id].map({ $0.indices.contains(option - 1) && $0[option - 1] }) ?? false {
                guard role >= .supervisor else {
                    message = "\(id): option \(option) waives the channel rules: a supervisor must approve it (you are a \(role.rawValue))"
                    return []
                }
                confirming = decision
                message = "approve option \(option) of \(id), waiving the channel rules at cost \(String(format: "%+.2f", cost)) \(rows.costUnit)? y to confirm"
            } else if cost > rows.costLimit {
                if let refusal = role.refusal(toApproveCost: cost, costLimit: rows.costLimit, unit: rows.costUnit) {
                    message = "\(id): \(refusal) (you are a \(role.rawValue))"
                    return []
                }
                confirming = decision
                message = "approve option \(option) of \(id) at cost +\(String(format: "%.2f", cost)) \(rows.costUnit), above the limit? y to confirm"
            } else if let added = rows.optionAddsLate[id].flatMap({ $0.indices.contains(option - 1) ? $0[option - 1] : nil }), added > 0 {
                confirming = decision
                message = "approve option \(option) of \(id)? it makes \(added) more deliver\(added == 1 ? "y" : "ies") late: y to confirm"
            } else {
                return [.submit(decision, confirmed: false)]
            }
        case .reject:
            // A rejection needs its reason: the command line opens with the verb and the case, for one line of why.
            commandLine = "reject \(id) "
            message = "why reject \(id)? one line, enter rejects, esc keeps it waiting"
        case let .pick(option):
            guard option <= costs.count else {
                message = "\(id) has \(costs.count) options"
                return []
            }
            pickedOption[id] = option
            message = "option \(option) of \(id) picked: a approves, r rejects"
        default:
            break
        }
        return []
    }

    /// Lines a movement key scrolls the help by (the whole of it for first and last).
    private static func scrollStep(_ action: BoardAction) -> Int? {
        switch action {
        case .down: 1
        case .up: -1
        case .pageDown: 10
        case .pageUp: -10
        case .first: -Int(Int32.max)
        case .last: Int(Int32.max)
        default: nil
        }
    }

    /// ↑↓ in a case about several orders: which of them enter opens (its subject first; another case says what
    /// enter does there).
    private mutating func chooseLink(of id: String, by step: Int, rows: Rows) {
        let links = rows.links
        guard links.count > 1 else {
            message = rows.linked == nil ? "this case has no rider or order to open" : "this case is about one rider or order: enter opens it"
            return
        }
        let pick = min(max(0, (linkPick[id] ?? 0) + step), links.count - 1)
        linkPick[id] = pick
        if case let .order(order) = links[pick] { message = "enter opens \(order)" }
    }

    /// Goes one level deeper, remembering where from.
    private mutating func open(_ next: Screen) {
        guard next != screen else { return }
        trail.append(screen)
        screen = next
    }

    /// `m` / `M`: the map or the metrics in place of each other (one level), or back when already there.
    private mutating func view(_ next: Screen) {
        if screen == next { back() } else if screen == .map || screen == .metrics { screen = next } else { open(next) }
    }

    /// Goes back one level (to the board from the first).
    private mutating func back() {
        screen = trail.popLast() ?? .board
    }

    private mutating func changeSpeed(by step: Int) -> [BoardCommand] {
        let index = BoardModel.speeds.firstIndex { $0 >= speed } ?? BoardModel.speeds.count - 1
        speed = BoardModel.speeds[min(max(0, index + step), BoardModel.speeds.count - 1)]
        message = "speed ×\(Int(speed))"
        return [.pace(speed: speed, paused: nil)]
    }

    private mutating func editCommand(_ key: Key, rows: Rows) -> [BoardCommand] {
        switch key {
        case .up, .down:
            commandLine = history.step(older: key == .up, from: commandLine ?? "")
        case .tab:
            let (line, choices) = Completion.complete(commandLine ?? "", world: rows.world)
            commandLine = String(line.prefix(200))
            if !choices.isEmpty { message = choices.prefix(8).joined(separator: "  ") + (choices.count > 8 ? "  … \(choices.count - 8) more" : "") }
        default:
            guard let text = Self.edit(&commandLine, key, limit: 200) else { return [] }
            history.remember(text.trimmingCharacters(in: .whitespaces))
            return [.keepHistory] + run(command: text)
        }
        return []
    }

    private mutating func editFilter(_ key: Key) {
        guard let text = Self.edit(&filterLine, key, limit: 100) else { return }
        filters[filterPane] = RowFilter(text)
        message = filters[filterPane].map { "\(filterPane.title) filtered: \($0.text) (esc clears)" } ?? "filter cleared"
    }

    /// Edits an open prompt line (`:` or `/`): typing appends, backspace deletes (closing an empty line), esc
    /// closes it. Returns the text when enter finishes it, closing the line.
    private static func edit(_ line: inout String?, _ key: Key, limit: Int) -> String? {
        guard var text = line else { return nil }
        switch key {
        case .escape: line = nil
        case .backspace:
            if text.isEmpty { line = nil } else { text.removeLast(); line = text }
        case .enter:
            line = nil
            return text
        case let .char(character):
            if text.count < limit { text.append(character); line = text }
        default: break
        }
        return nil
    }

    /// Runs a `:` command.
    @discardableResult
    public mutating func run(command text: String) -> [BoardCommand] {
        let words = text.split(separator: " ").map(String.init)
        guard let verb = words.first else { return [] }
        let acts = ["assign", "reject", "undo"].contains(verb)
        if acts, readonly {
            message = "read-only board: actions are off"
            return []
        }
        switch verb {
        case "q", "quit": return [.quit]
        case "pause":
            paused = true
            message = "paused"
            return [.pace(speed: nil, paused: true)]
        case "resume", "run":
            paused = false
            message = "running"
            return [.pace(speed: nil, paused: false)]
        case "help": open(.help)
        case "map": open(.map)
        case "metrics": open(.metrics)
        case "board": screen = .board; trail = []
        case "open":
            guard words.count == 2 else { message = "usage: :open ID (a rider, an order or a case)"; return [] }
            return [.find(words[1])]
        case "assign":
            guard words.count == 3 else { message = "usage: :assign ORDER RIDER"; return [] }
            return [.submit(.assign(order: words[1], rider: words[2]), confirmed: false)]
        case "reject":
            guard words.count >= 3 else { message = "a rejection needs its reason: :reject EXCEPTION REASON"; return [] }
            return [.submit(.reject(exception: words[1], reason: words.dropFirst(2).joined(separator: " ")), confirmed: false)]
        case "undo":
            return [.submit(.undo, confirmed: false)]
        case "theme":
            guard words.count == 2 else { message = "usage: :theme NAME (dark, light, high-contrast, colorblind, mono) or :theme PATH"; return [] }
            return [.loadTheme(words[1])]
        case "speed":
            guard words.count == 2, let value = Double(words[1]), value >= 0.1, value <= 3600 else {
                message = "usage: :speed N (simulated seconds per second, 0.1 to 3600)"
                return []
            }
            speed = value
            message = "speed ×\(words[1])"
            return [.pace(speed: value, paused: nil)]
        default:
            message = "unknown command ':\(TextSanitizer.clean(verb))' (try :open ID, :assign ORDER RIDER, :reject EXCEPTION REASON, :undo, :map, :metrics, :speed N, :theme NAME, :pause, :resume, :help, :q)"
        }
        return []
    }
}
