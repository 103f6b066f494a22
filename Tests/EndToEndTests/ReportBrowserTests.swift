import Foundation
import Testing

/// The day report as a manager opens it: rendered by headless Chromium, the screenshot is a page with content
/// (not blank) and the title names the city, the day and the policy.
@Suite struct ReportBrowserTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }
    static let canRun = chromium != nil && ["/usr/bin/python3", "/usr/bin/timeout"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    /// Runs a program for at most `seconds` (coreutils' timeout stops a browser that hangs, and kills it five seconds
    /// later if it is still there); what it printed, read from `output` after it ended, its standard error to `errors`.
    static func run(_ arguments: [String], seconds: Int = 90, output: String? = nil, errors: String? = nil) throws -> String {
        try Program.output(["/usr/bin/timeout", "--kill-after=5", "\(seconds)"] + arguments, errors: errors, through: output)
    }

    /// Runs headless Chromium (`browser`, its flags before the profile) on `arguments` until what it printed will do,
    /// at most four times, each stopped after a minute, each with a profile of its own (`name` and the attempt, in
    /// `folder`), and after a pause that doubles (5, 10, 20 s). Under the whole suite's load it hung twice in CI runs
    /// and printed nothing, and once died three times in a quarter of a second, where alone it answers in a second
    /// or three: whatever holds it is passing, so the attempts are spread. Its output goes to a file, so helpers it
    /// leaves behind cannot hold a pipe open. What it printed last, and what it said on standard error each time (the
    /// reason, when it fails), less the lines every run prints (no system bus, no CPU frequency file).
    static func browse(_ browser: [String], in folder: String, as name: String, _ arguments: [String], until done: (String) -> Bool) throws
        -> (output: String, errors: String) {
        var output = "", errors = ""
        for attempt in 1...4 {
            if attempt > 1 { Thread.sleep(forTimeInterval: 5 * Double(1 << (attempt - 2))) }
            let profile = "\(folder)/chromium-\(name)-\(attempt)"
            output = try run(browser + ["--user-data-dir=\(profile)"] + arguments, seconds: 60, output: profile + ".out", errors: profile + ".err")
            let said = ((try? String(contentsOfFile: profile + ".err", encoding: .utf8)) ?? "").split(separator: "\n")
                .filter { !$0.contains("dbus/") && !$0.contains("scaling_max_freq") }
            errors += "attempt \(attempt): " + said.joined(separator: "\n").prefix(1500) + "\n"
            if done(output) { break }
        }
        return (output, errors)
    }

    @Test(.enabled(if: canRun, "chromium is not installed")) func theReportRendersWithItsTitleAndIsNotBlank() throws {
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let day = try Tower.run(["simulate", "--scenario", city, "--policy", "continuous-auto", "--until", "14:00", "--journal", folder + "/auto.jsonl"])
        #expect(day.status == 0, "\(day.stderr)")
        let html = folder + "/day.html"
        let report = try Tower.run(["report", folder + "/auto.jsonl", "--html", html])
        #expect(report.status == 0 && report.stdout.isEmpty, "\(report.stderr)")
        let browser = [Self.chromium!, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        let (dom, said) = try Self.browse(browser, in: folder, as: "dom", ["--dump-dom", "file://" + html]) { $0.contains("<h1>") }
        let title = try #require(dom.range(of: "<h1>").map { String(dom[$0.upperBound...].prefix { $0 != "<" }) },
                                 "no title in: \(dom.prefix(300)); the browser said: \(said)")
        #expect(title.hasPrefix("Tower day report: ") && title.contains("policy continuous-auto") && title.contains("2026"), "\(title)")
        _ = try Self.browse(browser, in: folder, as: "shot", ["--window-size=1200,1600", "--screenshot=\(folder)/shot.png", "file://" + html]) { _ in
            ((try? FileManager.default.attributesOfItem(atPath: "\(folder)/shot.png"))?[.size] as? Int ?? 0) > 0
        }
        // The screenshot decoded (PNG: zlib and the row filters): the share of pixels that are not background.
        let inked = try Self.run(["/usr/bin/python3", "-c", """
        import struct, zlib, sys
        data = open('\(folder)/shot.png', 'rb').read()
        assert data[:8] == b'\\x89PNG\\r\\n\\x1a\\n'
        pos, idat, width, height, kind = 8, b'', 0, 0, 0
        while pos < len(data):
            length, tag = struct.unpack('>I4s', data[pos:pos + 8]); body = data[pos + 8:pos + 8 + length]; pos += 12 + length
            if tag == b'IHDR': width, height, depth, kind = struct.unpack('>IIBB', body[:10])
            if tag == b'IDAT': idat += body
        channels = {2: 3, 6: 4}[kind]
        raw, stride, previous, inked = zlib.decompress(idat), width * channels, bytearray(width * channels), 0
        for row in range(height):
            start = row * (stride + 1); kind_ = raw[start]; line = bytearray(raw[start + 1:start + 1 + stride])
            for i in range(stride):
                a = line[i - channels] if i >= channels else 0; b = previous[i]; c = previous[i - channels] if i >= channels else 0
                if kind_ == 1: line[i] = (line[i] + a) & 255
                elif kind_ == 2: line[i] = (line[i] + b) & 255
                elif kind_ == 3: line[i] = (line[i] + (a + b) // 2) & 255
                elif kind_ == 4:
                    p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
            inked += sum(1 for x in range(0, stride, channels) if min(line[x:x + 3]) < 200)
            previous = line
        print(inked / (width * height))
        """]).trimmingCharacters(in: .whitespacesAndNewlines)
        let share = try #require(Double(inked), "the screenshot could not be read: \(inked)")
        #expect(share > 0.01 && share < 0.9, "share of the page with ink: \(share)")
    }
}
