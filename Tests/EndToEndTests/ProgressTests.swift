import Foundation
import Testing

/// Long headless work shows how far it is on a terminal, and writes nothing of it into a pipe.
@Suite struct ProgressTests {
    @Test(.enabled(if: Tmux.isAvailable)) func aLongSimulateShowsItsProgressOnATerminalAndNothingInAPipe() throws {
        let work = try Tower.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let rio = Tower.packageRoot.appendingPathComponent("sample-data/rio").path
        let tmux = try Tmux(width: 100, height: 12, command: "\(Tower.binary) simulate --scenario \(rio) --until 11:00 --eta-model none",
                            directory: work)
        let during = try tmux.wait(for: "the progress bar") { $0.contains("simulate [") }
        #expect(during.range(of: #"simulate \[#*\.*\] +\d+% \d\d:\d\d"#, options: .regularExpression) != nil, "\(during)")
        let after = try tmux.wait(for: "the end of the run", timeout: 300) { $0.contains("EXIT=") }
        #expect(after.contains("digest:") && after.contains("EXIT=0"), "\(after)")
        #expect(!after.contains("simulate ["), "the bar is cleared before the figures print: \(after)")

        let city = try Tower.smallCity()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: city).deletingLastPathComponent().path) }
        let piped = try Tower.run(["simulate", "--scenario", city, "--until", "09:00"])
        #expect(piped.status == 0 && !piped.stderr.contains("simulate ["), "\(piped.stderr)")
    }
}
