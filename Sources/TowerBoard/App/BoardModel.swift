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
    public var cursor: [Pane: Int] = [:]
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
    /// A theme asked for with `:theme NAME`, for the app to load.
    public var themeRequest: String?
    /// A line for the status bar (results, refusals), until the next key.
    public var message: String?
    public var readonly: Bool
    public private(set) var quitRequested = false
    /// Who decides from this board (written into the journal with each decision).
    public var operatorName = "operator"
    /// What they may do: approving above the cost limit needs a supervisor.
    public var role: Role = .dispatcher
    /// Options picked with 1-4, by exception; `a` approves the picked one (the first when none was picked).
    public var pickedOption: [String: Int] = [:]
    /// A decision waiting for the app to submit it.
    public var decisionRequest: Decision?
    /// A costly decision waiting for `y`.
    public var confirming: Decision?
    /// The decision request was confirmed with `y` (the app asks no more).
    public var decisionConfirmed = false
    /// `q` was pressed once while escalations wait; a second `q` quits.
    public var quitArmed = false
    /// A new escalation arrived a moment ago: the header is drawn in the alert style.
    public var flashing = false

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
        /// The policy's cost limit: approving an option above it asks for confirmation.
        public var costLimit = Double.infinity
        /// What costs are counted in (`World.costUnit`).
        public var costUnit = "units"
        /// What enter opens from the drill-down on screen: a case's rider or order, an order's rider.
        public var linked: Screen?
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

        public init(pane: Rect, rows: Rect = Rect(x: 0, y: 0, width: 0, height: 0), offset: Int = 0, rowHeight: Int = 1) {
            self.pane = pane
            self.rows = rows
            self.offset = offset
            self.rowHeight = rowHeight
        }

        /// The index of the row drawn at line `y`, if a row is there.
        func row(atY y: Int) -> Int? {
            guard y >= rows.y, y < rows.maxY, rowHeight > 0 else { return nil }
            return offset + (y - rows.y) / rowHeight
        }
    }

    public func selectedIndex(_ pane: Pane, count: Int) -> Int { count == 0 ? 0 : min(max(0, cursor[pane] ?? 0), count - 1) }

    /// Applies one key.
    public mutating func handle(_ key: Key, rows: Rows) {
        message = nil
        if commandLine != nil { editCommand(key, rows: rows); return }
        if filterLine != nil { editFilter(key); return }
        if let decision = confirming {
            confirming = nil
            if key == .char("y") { decisionRequest = decision; decisionConfirmed = true } else { message = "cancelled" }
            return
        }
        let armed = quitArmed
        quitArmed = false
        if case let .click(x, y, double) = key { click(x: x, y: y, double: double, rows: rows); return }
        if case let .wheel(up, x, y) = key { wheel(up: up, x: x, y: y, rows: rows); return }
        switch screen {
        case .help:
            if key == .escape || key == .char("?") || key == .char("q") { back() }
            return
        case let .exception(id):
            if key == .escape || key == .char("q") || key == .backspace { back(); return }
            if key == .enter, let linked = rows.linked { open(linked); return }
            if decide(key, on: id, rows: rows) { return }
            if key == .char("u") { handleUndo(); return }
        case .rider, .order, .map, .metrics:
            if key == .escape || key == .char("q") || key == .backspace { back(); return }
            if key == .enter, let linked = rows.linked { open(linked); return }
            if key == .char("m") { view(.map); return }
            if key == .char("M") { view(.metrics); return }
        case .board:
            break
        }
        let ids = rows.ids(focus)
        let current = selectedIndex(focus, count: ids.count)
        switch key {
        case .char("q"):
            let waiting = rows.optionCosts.count
            if waiting > 0, !readonly, !armed {
                quitArmed = true
                message = "\(waiting) escalation\(waiting == 1 ? "" : "s") waiting for a decision: press q again to quit"
            } else {
                quitRequested = true
            }
        case .char("?"): open(.help)
        case .char("m"): open(.map)
        case .char("M"): open(.metrics)
        case .char(" "): paused.toggle(); message = paused ? "paused" : "running"
        case .char("+"), .char("="): changeSpeed(by: 1)
        case .char("-"), .char("_"): changeSpeed(by: -1)
        case .char(":"): commandLine = ""
        case .char("/"): filterPane = focus; filterLine = filters[focus]?.text ?? ""
        case .char("s"), .char("S"):
            var sort = sorts[focus] ?? PaneSort()
            if key == .char("s") {
                sort = PaneSort(column: (sort.column + 1) % PaneSort.columns(focus).count)
            } else {
                sort.reversed.toggle()
            }
            sorts[focus] = sort
            cursor[focus] = 0
            let way = sort.isDescending(focus) ? "high to low" : "low to high"
            message = "\(focus.title) sorted by \(sort.column(of: focus).rawValue), \(way) (s: next column, S: reverse)"
        case .tab, .right, .char("l"): focus = Pane(rawValue: (focus.rawValue + 1) % Pane.allCases.count)!
        case .backTab, .left, .char("h"): focus = Pane(rawValue: (focus.rawValue + Pane.allCases.count - 1) % Pane.allCases.count)!
        case .down, .char("j"): cursor[focus] = min(current + 1, max(0, ids.count - 1))
        case .up, .char("k"): cursor[focus] = max(current - 1, 0)
        case .pageDown: cursor[focus] = min(current + 10, max(0, ids.count - 1))
        case .pageUp: cursor[focus] = max(current - 10, 0)
        case .home, .char("g"): cursor[focus] = 0
        case .end, .char("G"): cursor[focus] = max(0, ids.count - 1)
        case .enter:
            guard !ids.isEmpty else { return }
            openRow(ids[current], of: focus)
        case .escape:
            if filters[focus] != nil { filters[focus] = nil; message = "filter cleared" }
        case .char("u"): handleUndo()
        case .char("a"), .char("r"), .char("1"), .char("2"), .char("3"), .char("4"):
            if focus == .exceptions, !ids.isEmpty, decide(key, on: ids[current], rows: rows) { return }
            message = readonly ? "read-only board: actions are off" : "select an escalation in the exception queue first"
        default: break
        }
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
        let wasSelected = focus == pane ? selectedIndex(pane, count: rows.ids(pane).count) : nil
        focus = pane
        guard let index = area.row(atY: y), x >= area.rows.x, x < area.rows.maxX, index < rows.ids(pane).count else { return }
        cursor[pane] = index
        if double || wasSelected == index { openRow(rows.ids(pane)[index], of: pane) }
    }

    /// The wheel moves the selection of the pane under it by three rows.
    private mutating func wheel(up: Bool, x: Int, y: Int, rows: Rows) {
        guard screen == .board, let pane = rows.areas.first(where: { $0.value.pane.contains(x: x, y: y) })?.key else { return }
        let count = rows.ids(pane).count
        let current = selectedIndex(pane, count: count)
        cursor[pane] = up ? max(0, current - 3) : min(max(0, count - 1), current + 3)
    }

    /// `1`-`4` pick an option, `a` approves the picked one, `r` rejects; a costly approval asks for `y` first.
    /// Returns whether the key was a decision key.
    private mutating func decide(_ key: Key, on id: String, rows: Rows) -> Bool {
        guard case let .char(character) = key, "ar1234".contains(character) else { return false }
        if readonly { message = "read-only board: actions are off"; return true }
        guard let costs = rows.optionCosts[id] else { message = "\(id) is not waiting for a decision"; return true }
        switch character {
        case "a":
            let option = pickedOption[id] ?? 1
            let cost = costs.indices.contains(option - 1) ? costs[option - 1] : 0
            let decision = Decision.approve(exception: id, option: option)
            if cost > rows.costLimit {
                if let refusal = role.refusal(toApproveCost: cost, costLimit: rows.costLimit, unit: rows.costUnit) {
                    message = "\(id): \(refusal) (you are a \(role.rawValue))"
                    return true
                }
                confirming = decision
                message = "approve option \(option) of \(id) at cost +\(String(format: "%.2f", cost)) \(rows.costUnit), above the limit? y to confirm"
            } else if let added = rows.optionAddsLate[id].flatMap({ $0.indices.contains(option - 1) ? $0[option - 1] : nil }), added > 0 {
                confirming = decision
                message = "approve option \(option) of \(id)? it makes \(added) more deliver\(added == 1 ? "y" : "ies") late: y to confirm"
            } else {
                decisionRequest = decision
            }
        case "r":
            // A rejection needs its reason: the command line opens with the verb and the case, for one line of why.
            commandLine = "reject \(id) "
            message = "why reject \(id)? one line, enter rejects, esc keeps it waiting"
        default:
            let option = Int(String(character))!
            guard option <= costs.count else { message = "\(id) has \(costs.count) options"; return true }
            pickedOption[id] = option
            message = "option \(option) of \(id) picked: a approves, r rejects"
        }
        return true
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

    private mutating func handleUndo() {
        if readonly { message = "read-only board: actions are off" } else { decisionRequest = .undo }
    }

    private mutating func changeSpeed(by step: Int) {
        let index = BoardModel.speeds.firstIndex { $0 >= speed } ?? BoardModel.speeds.count - 1
        speed = BoardModel.speeds[min(max(0, index + step), BoardModel.speeds.count - 1)]
        message = "speed ×\(Int(speed))"
    }

    private mutating func editCommand(_ key: Key, rows: Rows) {
        switch key {
        case .up, .down:
            commandLine = history.step(older: key == .up, from: commandLine ?? "")
        case .tab:
            let (line, choices) = Completion.complete(commandLine ?? "", world: rows.world)
            commandLine = String(line.prefix(200))
            if !choices.isEmpty { message = choices.prefix(8).joined(separator: "  ") + (choices.count > 8 ? "  … \(choices.count - 8) more" : "") }
        default:
            guard let text = Self.edit(&commandLine, key, limit: 200) else { return }
            history.remember(text.trimmingCharacters(in: .whitespaces))
            run(command: text)
        }
    }

    private mutating func editFilter(_ key: Key) {
        guard let text = Self.edit(&filterLine, key, limit: 100) else { return }
        filters[filterPane] = RowFilter(text)
        cursor[filterPane] = 0
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
    public mutating func run(command text: String) {
        let words = text.split(separator: " ").map(String.init)
        guard let verb = words.first else { return }
        switch verb {
        case "q", "quit": quitRequested = true
        case "pause": paused = true; message = "paused"
        case "resume", "run": paused = false; message = "running"
        case "help": open(.help)
        case "map": open(.map)
        case "metrics": open(.metrics)
        case "board": screen = .board; trail = []
        case "assign":
            guard words.count == 3 else { message = "usage: :assign ORDER RIDER"; return }
            if readonly { message = "read-only board: actions are off"; return }
            decisionRequest = .assign(order: words[1], rider: words[2])
        case "reject":
            guard words.count >= 3 else { message = "a rejection needs its reason: :reject EXCEPTION REASON"; return }
            if readonly { message = "read-only board: actions are off"; return }
            decisionRequest = .reject(exception: words[1], reason: words.dropFirst(2).joined(separator: " "))
        case "undo":
            handleUndo()
        case "theme":
            guard words.count == 2 else { message = "usage: :theme NAME (dark, light, high-contrast, colorblind, mono) or :theme PATH"; return }
            themeRequest = words[1]
        case "speed":
            guard words.count == 2, let value = Double(words[1]), value >= 0.1, value <= 3600 else {
                message = "usage: :speed N (simulated seconds per second, 0.1 to 3600)"
                return
            }
            speed = value
            message = "speed ×\(words[1])"
        default:
            message = "unknown command ':\(TextSanitizer.clean(verb))' (try :assign ORDER RIDER, :reject EXCEPTION REASON, :undo, :map, :metrics, :speed N, :theme NAME, :pause, :resume, :help, :q)"
        }
    }
}
