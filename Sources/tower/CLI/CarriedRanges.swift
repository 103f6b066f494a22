import Foundation
import TowerCore

/// Where a new day's lanes' P10–P90 ranges start: how they spread at the end of an earlier day of the same city
/// (`RangeCalibration`, learned from that day's arrivals), written on the day's `session.started` so that a replay
/// learns from the same start.
///
/// A day that starts from the model's own spreads gives ranges too narrow hours ahead, and a range given two hours
/// ahead is scored only two hours later, so the day's own learning reaches the morning too late: on the sample city
/// the learned model's ranges held 68% of service starts, and 81% when each day started from the day before's
/// (BENCHMARKS.md, "The lanes' ranges carried into the next day").
enum CarriedRanges {
    static let option = CommandSpec.Option(
        name: "ranges-from", value: "JOURNAL",
        help: "Start the lanes' P10-P90 ranges from how they spread at the end of this earlier day's journal ('none': from the model's own). "
            + "Default with --date: the latest earlier day of the same city in the state folder.")

    /// The ranges a new day (`journal` missing or empty) starts from and a line saying where they came from:
    /// `--ranges-from`'s journal, else, for a journal named by its date (`--date`), the latest earlier day's journal
    /// beside it that holds them, learned on lanes timed by the same kind of model (learned, or the travel model: each
    /// side is a factor on that model's own spread). Nil when no such day is found. A journal that resumes has its own
    /// start on its first line: no ranges, and a line saying so when `--ranges-from` asked for some.
    static func find(_ arguments: ParsedArguments, eta: ETAModel?, journal: String?, scenario: Scenario) throws -> (ranges: RangeCalibration?, note: String)? {
        let named = arguments.value(option.name)
        if let journal, ((try? FileManager.default.attributesOfItem(atPath: journal))?[.size] as? Int ?? 0) > 0 {
            return named.map { _ in (nil, "--\(option.name) is not used: \(TextSanitizer.clean(journal)) resumes its day, whose ranges started as its first line says") }
        }
        if named == "none" { return nil }
        func model(_ fingerprint: String) -> String { fingerprint.isEmpty ? "the travel model" : "a learned ETA model" }
        if let named {
            // Read to its end: a named pipe nobody writes to would hold the start for ever.
            try WholeFile.requireRegular(named, what: "--\(option.name)", why: "it names an earlier day's journal")
            guard let learned = try Replayer.learnedRanges(path: named) else {
                throw ToolError("\(TextSanitizer.clean(named)): no checkpoint in it holds the lanes' ranges learned from an arrival (a day stopped before its first checkpoint or its first arrival)")
            }
            guard learned.etaModel.isEmpty == (eta == nil) else {
                throw ToolError("\(TextSanitizer.clean(named)): its lanes were timed by \(model(learned.etaModel)), this day's by \(model(eta?.fingerprint ?? "")); their ranges' widths do not carry over")
            }
            return (learned.ranges, "the lanes' ranges start from the end of \(TextSanitizer.clean(named))")
        }
        let dated = DateOption.suffix(arguments, scenario: scenario)
        guard let journal, !dated.isEmpty else { return nil }
        let date = String(dated.dropFirst())
        for earlier in earlierDays(of: journal, date: date) {
            if let learned = try? Replayer.learnedRanges(path: earlier.path), learned.etaModel.isEmpty == (eta == nil) {
                return (learned.ranges, "the lanes' ranges start from the end of \(earlier.date) (\(TextSanitizer.clean(earlier.path)))")
            }
        }
        return nil
    }

    /// The journals beside `journal` (named with `-DATE` in it) of the same city on earlier dates, the latest first:
    /// the same name with another date, a simulated day's under any seed.
    static func earlierDays(of journal: String, date: String) -> [(date: String, path: String)] {
        let url = URL(fileURLWithPath: journal)
        let name = url.lastPathComponent, folder = url.deletingLastPathComponent().path
        guard let mark = name.range(of: "-" + date) else { return [] }
        let prefix = name[..<mark.upperBound].dropLast(date.count), suffix = name[mark.upperBound...]
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return files.compactMap { file -> (String, String)? in
            guard file.hasPrefix(prefix), file.utf8.count >= prefix.utf8.count + date.utf8.count else { return nil }
            let rest = file.dropFirst(prefix.count)
            let day = String(rest.prefix(date.count)), tail = rest.dropFirst(date.count)
            guard isDate(day), day < date, tail == suffix || (isSeeded(tail) && isSeeded(suffix)),
                  (try? FileManager.default.attributesOfItem(atPath: folder + "/" + file))?[.type] as? FileAttributeType == .typeRegular else { return nil }
            return (day, folder + "/" + file)
        }.sorted { ($0.0, $0.1) > ($1.0, $1.1) }
    }

    /// `YYYY-MM-DD`, digits and dashes (compared as text, it orders as the days do).
    private static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 10 && bytes.indices.allSatisfy { [4, 7].contains($0) ? bytes[$0] == UInt8(ascii: "-") : (48...57).contains(bytes[$0]) }
    }

    /// A simulated day's journal's end: `-seedN.jsonl`.
    private static func isSeeded(_ tail: Substring) -> Bool {
        guard tail.hasPrefix("-seed"), tail.hasSuffix(".jsonl") else { return false }
        let digits = tail.dropFirst(5).dropLast(6)
        return !digits.isEmpty && digits.allSatisfy(\.isASCII) && digits.allSatisfy(\.isNumber)
    }
}
