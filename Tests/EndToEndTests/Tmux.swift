import Foundation
import Testing

/// A tmux server of our own (its own socket), with one pane running a command.
final class Tmux {
    let socket = "tower-e2e-\(UUID().uuidString.prefix(8))"
    let session = "board"

    static var isAvailable: Bool {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].contains { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// State the board keeps by default (journals, dead letters) goes under `state` (default `DIRECTORY/state`),
    /// never the user's home.
    /// The exit line starts a line of its own: a board killed with SIGKILL leaves the tty raw (a newline does not
    /// return the carriage), so the shell makes the tty sane first and the line cannot be wrapped into the
    /// shell's "Killed …" message.
    init(width: Int = 80, height: Int = 24, command: String, directory: String, state: String? = nil) throws {
        try tmux(captureOutput: false, ["new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)", "-c", directory,
                  "env -u NO_COLOR TERM=xterm-256color LANG=C.UTF-8 LC_ALL=C.UTF-8 XDG_STATE_HOME=\(state ?? directory + "/state") \(command); status=$?; stty sane 2>/dev/null; "
                  + "printf '\\r\\nEXIT=%s\\r\\n' $status; sleep 600"])
    }

    /// tmux leaves its socket file behind when the server is killed: it is removed too, so no test leaves anything.
    deinit {
        let path = (try? tmux(["display-message", "-p", "#{socket_path}"]))?.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try? tmux(captureOutput: false, ["kill-server"])
        if let path, path.hasSuffix("/" + socket) { try? FileManager.default.removeItem(atPath: path) }
    }

    /// Runs a tmux command on our server; returns what it printed when `captureOutput`.
    @discardableResult
    func tmux(captureOutput: Bool = true, _ arguments: [String]) throws -> String {
        try Spawn.run(["tmux", "-L", socket] + arguments, captureOutput: captureOutput).output
    }

    func screen() throws -> String { try tmux(["capture-pane", "-p", "-t", session]) }

    func send(_ keys: String...) throws { try tmux(captureOutput: false, ["send-keys", "-t", session] + keys) }

    func resize(width: Int, height: Int) throws {
        try tmux(captureOutput: false, ["resize-window", "-t", session, "-x", "\(width)", "-y", "\(height)"])
    }

    var paneTitle: String { (try? tmux(["display-message", "-p", "-t", session, "#{pane_title}"])) ?? "" }

    var panePID: Int32? {
        Int32(((try? tmux(["display-message", "-p", "-t", session, "#{pane_pid}"])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Waits until the screen satisfies `condition`; returns the last screen seen.
    @discardableResult
    func wait(for description: String, timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation,
              _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var last = ""
        while Date() < deadline {
            last = try screen()
            if condition(last) { return last }
            Thread.sleep(forTimeInterval: 0.2)
        }
        Issue.record("timed out waiting for \(description); screen:\n\(last)", sourceLocation: sourceLocation)
        return last
    }

    /// Quits the board with `q`, confirming with a second `q` when it asks (escalations are waiting); returns the
    /// screen after the exit.
    @discardableResult
    func quitBoard(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        try send("q")
        let screen = try wait(for: "exit or the quit question", sourceLocation: sourceLocation) { $0.contains("EXIT=") || $0.contains("press q again") }
        guard !screen.contains("EXIT=") else { return screen }
        try send("q")
        return try wait(for: "exit", sourceLocation: sourceLocation) { $0.contains("EXIT=") }
    }

    func wait(forText text: String, timeout: Double = 60, sourceLocation: SourceLocation = #_sourceLocation) throws {
        try wait(for: "'\(text)'", timeout: timeout, sourceLocation: sourceLocation) { $0.contains(text) }
    }
}
