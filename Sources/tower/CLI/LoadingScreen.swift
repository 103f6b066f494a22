import Foundation
import Glibc

/// What the board's terminal shows while the core starts (resuming a journal, catching up to `--from`): the
/// board's name, what is being done and a bar, centred, in plain ANSI before the board takes the screen over; only
/// when standard output is a terminal, at most ten times a second.
final class LoadingScreen {
    private let enabled = isatty(STDOUT_FILENO) == 1
    private var lastDraw = 0.0
    private var cleared = false

    /// `fraction` nil: work whose length is not known (no bar).
    func show(_ fraction: Double?, _ what: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSinceReferenceDate
        guard now - lastDraw >= 0.1 || (fraction ?? 0) >= 1 || fraction == nil else { return }
        lastDraw = now
        var size = winsize()
        let known = ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_row > 0 && size.ws_col > 0
        let rows = known ? Int(size.ws_row) : 24, columns = known ? Int(size.ws_col) : 80
        let lines = ["TOWER", "", what, ""] + (fraction.map { [ProgressBar.line("loading", fraction: $0, detail: "")] } ?? [])
        var text = cleared ? "" : "\u{1B}[2J"
        cleared = true
        let top = max(1, (rows - lines.count) / 2)
        for (index, line) in lines.enumerated() {
            let shown = String(line.prefix(columns))
            text += "\u{1B}[\(top + index);\(max(1, (columns - shown.count) / 2 + 1))H\u{1B}[2K" + shown
        }
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
