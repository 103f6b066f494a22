import CNcursesw
import CTerminalSignals
import Foundation
import TowerCore

/// The terminal, through ncursesw: the only file that talks to it. Writes only the cells that changed
/// since the last frame, and reads keys with a timeout so an idle board sleeps in `wget_wch`.
public final class NcursesTerminal {
    private var screen: OpaquePointer?
    private var pairs: [Style.ColorKey: Int32] = [:]
    private let colors: Int
    private var previous: ScreenBuffer?
    /// The terminal keys are read from: stdin, or /dev/tty when stdin carries a feed.
    private var keyboard: UnsafeMutablePointer<FILE>?
    public let isUTF8: Bool

    /// Checks that a full-screen board can start here, without letting ncurses exit the process.
    /// - Parameter stdinIsFeed: standard input carries the feed, so keys must come from the controlling terminal.
    public static func preflight(stdinIsFeed: Bool = false) throws {
        guard isatty(STDOUT_FILENO) == 1 else {
            throw ToolError("the board needs a terminal (stdout is not a tty); for a headless run use 'tower simulate'")
        }
        if stdinIsFeed {
            guard let tty = tower_open_tty() else { throw ToolError("with --feed -, keys are read from /dev/tty, and there is no controlling terminal") }
            fclose(tty)
        } else if isatty(STDIN_FILENO) != 1 {
            throw ToolError("the board needs a terminal (stdin is not a tty); for a headless run use 'tower simulate'")
        }
        guard let term = ProcessInfo.processInfo.environment["TERM"], !term.isEmpty, term != "dumb" else {
            throw ToolError("the board needs a terminal type: TERM is unset or 'dumb' (try TERM=xterm-256color)")
        }
    }

    /// - Parameter mouse: ask the terminal for clicks and the wheel (`--no-mouse` turns it off, leaving the
    ///   terminal's own selection of text to the mouse).
    public init(useColor: Bool, stdinIsFeed: Bool = false, mouse: Bool = true) throws {
        try NcursesTerminal.preflight(stdinIsFeed: stdinIsFeed)
        keyboard = stdinIsFeed ? tower_open_tty() : fdopen(dup(STDIN_FILENO), "r")
        tower_signals_install()
        tower_set_locale()
        isUTF8 = tower_locale_is_utf8() != 0
        guard let screen = tower_newterm(keyboard) else {
            let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
            throw ToolError("unknown terminal type '\(TextSanitizer.clean(term))' (no terminfo entry); try TERM=xterm-256color")
        }
        self.screen = screen
        tower_signals_install()  // again: newterm installs ncurses' own SIGINT and SIGTERM handlers
        tower_install_crash_handlers()
        cbreak()
        noecho()
        nonl()
        keypad(tower_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        tower_mouse(mouse ? 1 : 0)
        if useColor, has_colors() {
            start_color()
            use_default_colors()
            colors = Int(tower_colors())
        } else {
            colors = 0
        }
    }

    deinit { close() }

    /// Restores the terminal. Safe to call more than once.
    public func close() {
        guard let screen else { return }
        endwin()
        delscreen(screen)
        self.screen = nil
        if let keyboard { fclose(keyboard); self.keyboard = nil }
    }

    /// The terminal's size now.
    public var size: (width: Int, height: Int) { (Int(tower_cols()), Int(tower_lines())) }

    /// A pending SIGTERM, SIGHUP or SIGINT, taken (0 when none). A terminal that hung up counts as SIGHUP.
    public func takeSignal() -> Int32 {
        let signal = tower_signals_take()
        if signal != 0 { return signal }
        let fd = keyboard.map { fileno($0) } ?? STDIN_FILENO
        return tower_terminal_hung_up(fd) != 0 ? SIGHUP : 0
    }

    /// Whether SIGTERM, SIGHUP or SIGINT arrived and waits to be taken: long work (a catch-up) stops for it.
    public var signalPending: Bool { tower_signals_peek() != 0 }

    /// Rings the terminal's bell (a flash of the screen where the terminal has no bell).
    public func bell() { _ = beep() }

    /// Forgets what is on screen, so the next frame is drawn whole (after a resize).
    public func invalidate() {
        previous = nil
        clearok(tower_stdscr(), true)
    }

    /// Draws `buffer`, writing only the cells that differ from the last frame.
    public func draw(_ buffer: ScreenBuffer) {
        for run in buffer.changes(since: previous) {
            var x = run.x
            for cell in run.cells {
                defer { x += 1 }
                if cell.symbol.isEmpty { continue }  // second column of a wide character
                _ = tower_set_attr(attributes(cell.style), pair(for: cell.style))
                var text = cell.symbol.unicodeScalars.map { wchar_t(bitPattern: $0.value) }
                text.append(0)
                _ = tower_put_wchar(Int32(run.y), Int32(x), text)
            }
        }
        previous = buffer
        wnoutrefresh(tower_stdscr())
        doupdate()
    }

    /// Waits up to `milliseconds` for a key (negative: forever).
    public func readKey(timeout milliseconds: Int32) -> Key? {
        wtimeout(tower_stdscr(), milliseconds)
        var character: wint_t = 0
        let result = wget_wch(tower_stdscr(), &character)
        if result == tower_err() { return nil }
        if result == tower_key_code_yes() {
            switch Int32(character) {
            case tower_key_resize(): return .resize
            case tower_key_mouse():
                var y: Int32 = 0, x: Int32 = 0
                switch tower_read_mouse(&y, &x) {
                case 1: return .click(x: Int(x), y: Int(y), double: false)
                case 2: return .click(x: Int(x), y: Int(y), double: true)
                case 3: return .wheel(up: true, x: Int(x), y: Int(y))
                case 4: return .wheel(up: false, x: Int(x), y: Int(y))
                default: return nil
                }
            case KEY_UP: return .up
            case KEY_DOWN: return .down
            case KEY_LEFT: return .left
            case KEY_RIGHT: return .right
            case KEY_ENTER: return .enter
            case KEY_BACKSPACE: return .backspace
            case KEY_BTAB: return .backTab
            case KEY_NPAGE: return .pageDown
            case KEY_PPAGE: return .pageUp
            case KEY_HOME: return .home
            case KEY_END: return .end
            default: return nil
            }
        }
        switch character {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let scalar = Unicode.Scalar(UInt32(character)), character >= 32 else { return nil }
            return .char(Character(scalar))
        }
    }

    private func attributes(_ style: Style) -> attr_t {
        var value = tower_a_normal()
        if style.bold { value |= tower_a_bold() }
        if style.dim { value |= tower_a_dim() }
        if style.reverse { value |= tower_a_reverse() }
        if style.underline { value |= tower_a_underline() }
        return value
    }

    private func pair(for style: Style) -> Int32 {
        guard colors > 0 else { return 0 }
        let key = style.colorKey
        if let known = pairs[key] { return known }
        let number = alloc_pair(code(style.fg), code(style.bg))
        let pair = number < 0 ? 0 : number
        pairs[key] = pair
        return pair
    }

    /// The colour number to ask for, reduced to what the terminal has.
    private func code(_ color: Color) -> Int32 {
        switch color {
        case .terminalDefault: return -1
        case let .indexed(index):
            if Int(index) < colors { return Int32(index) }
            return Int32(Color.basic(index))
        }
    }
}

extension Style {
    struct ColorKey: Hashable { var fg: Color; var bg: Color }
    var colorKey: ColorKey { ColorKey(fg: fg, bg: bg) }
}
