import Foundation
import Synchronization

/// A one-line progress bar on stderr for long headless work (a full-day `simulate`, a `--runs` comparison), drawn
/// only when stderr is a terminal, never into a pipe or a log, at most ten times a second, and cleared when the work
/// is done so the figures print on a clean screen. Safe to update from several threads.
final class ProgressBar: Sendable {
    private let what: String
    private let enabled: Bool
    /// When the bar was last drawn (seconds since the reference date); 0 before the first time.
    private let lastDraw = Mutex<Double>(0)

    init(_ what: String, enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.what = what
        self.enabled = enabled
    }

    func update(_ fraction: Double, detail: String) {
        guard enabled else { return }
        let now = Date().timeIntervalSinceReferenceDate
        let due = lastDraw.withLock { last in
            guard now - last >= 0.1 || fraction >= 1 else { return false }
            last = now
            return true
        }
        if due { FileHandle.standardError.write(Data(("\r" + ProgressBar.line(what, fraction: fraction, detail: detail) + "\u{1B}[K").utf8)) }
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    /// `simulate [#######.........]  42% 12:30`: the bar in plain ASCII, so it reads in any locale.
    static func line(_ what: String, fraction: Double, detail: String, width: Int = 24) -> String {
        let share = min(1, max(0, fraction.isFinite ? fraction : 0))
        let filled = Int((share * Double(width)).rounded(.down))
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        return "\(what) [\(bar)] \(String(format: "%3d", Int((share * 100).rounded(.down))))% \(detail)"
    }
}
