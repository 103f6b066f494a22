import Foundation
import Testing

/// The board with a real mouse protocol on a pseudo-terminal (tmux's send-keys cannot inject mouse reports): it
/// asks the terminal for mouse reports, a click on a row selects it and a second opens it; `--no-mouse` asks for
/// nothing.
@Suite struct MouseEndToEndTests {
    static let canRun = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    /// Runs the board on a 120x40 pty, clicks twice on the lanes' third rider (SGR reports, as xterm sends them)
    /// and prints whether mouse reporting was asked for and whether the rider opened.
    static func clickTwice(_ extra: [String]) throws -> String {
        let work = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let arguments = ([Tower.binary, "--journal", work + "/j.jsonl", "--paused", "--fresh"] + extra).map { "'\($0)'" }.joined(separator: ", ")
        let script = """
        import os, pty, time, select, fcntl, termios, struct
        pid, fd = pty.fork()
        if pid == 0:
            os.environ.update(TERM='xterm-256color', LANG='C.UTF-8', LC_ALL='C.UTF-8', XDG_STATE_HOME='\(work)/state')
            os.environ.pop('NO_COLOR', None)
            os.chdir('\(work)')
            os.execv('\(Tower.binary)', [\(arguments)])
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', 40, 120, 0, 0))
        out = b''
        def pump(seconds, until=None):
            global out
            end = time.time() + seconds
            while time.time() < end:
                if until is not None and until in out: return
                ready, _, _ = select.select([fd], [], [], 0.1)
                if ready:
                    try: out += os.read(fd, 65536)
                    except OSError: return
        pump(60, until=b'Rider lanes')
        pump(1)
        asked = b'\\x1b[?100' in out  # xterm's mouse modes, 1000 (clicks) with 1006 (SGR reports)
        mark = len(out)
        os.write(fd, b'\\x1b[<0;7;7M\\x1b[<0;7;7m'); pump(0.8)
        os.write(fd, b'\\x1b[<0;7;7M\\x1b[<0;7;7m'); pump(10, until=b'board \\xe2\\x80\\xba R')
        opened = b'board \\xe2\\x80\\xba R' in out[mark:]
        os.write(fd, b'qq'); pump(5)
        try: os.waitpid(pid, 0)
        except ChildProcessError: pass
        print('asked' if asked else 'not-asked', 'opened' if opened else 'not-opened')
        """
        return try Program.output(["/usr/bin/python3", "-c", script]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test(.enabled(if: canRun)) func aClickSelectsARowAndASecondOpensIt() throws {
        let result = try Self.clickTwice([])
        #expect(result == "asked opened", "\(result)")
    }

    @Test(.enabled(if: canRun)) func noMouseLeavesTheMouseToTheTerminal() throws {
        #expect(try Self.clickTwice(["--no-mouse"]) == "not-asked not-opened")
    }
}
