import Foundation
import Testing
import TowerBoard

/// Compares a rendered buffer with `Snapshots/NAME.txt` beside this file. Run with `TOWER_RECORD_SNAPSHOTS=1`
/// to write the files anew; a missing file is written and reported as a failure, so it is looked at once.
func assertSnapshot(_ buffer: ScreenBuffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = directory.appendingPathComponent(name + ".txt")
    let actual = buffer.lines.map { line in
        var trimmed = line
        while trimmed.hasSuffix(" ") { trimmed.removeLast() }
        return trimmed
    }.joined(separator: "\n") + "\n"
    let record = ProcessInfo.processInfo.environment["TOWER_RECORD_SNAPSHOTS"] == "1"
    guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        if !record { Issue.record("recorded a new snapshot \(name).txt; check it and run again", sourceLocation: sourceLocation) }
        return
    }
    guard expected != actual else { return }
    let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
    let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
    var diff: [String] = []
    for index in 0..<max(expectedLines.count, actualLines.count) {
        let e = index < expectedLines.count ? String(expectedLines[index]) : "<none>"
        let a = index < actualLines.count ? String(actualLines[index]) : "<none>"
        if e != a { diff.append("line \(index + 1):\n  - \(e)\n  + \(a)") }
    }
    let details = diff.prefix(12).joined(separator: "\n")
    Issue.record("snapshot \(name) differs (TOWER_RECORD_SNAPSHOTS=1 re-records):\n\(details)", sourceLocation: sourceLocation)
}
