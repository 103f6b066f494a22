import Foundation
import TowerCore

/// `tower report`: the day of one or more journals, for the terminal or as a self-contained HTML file.
enum ReportCommand: Command {
    static let spec = CommandSpec(
        name: "report",
        summary: "Report a day from its journal: KPIs, exceptions and decisions, riders' plan against the day; several journals side by side.",
        arguments: [.init(name: "JOURNAL", help: "A journal written by Tower; give several to compare them (e.g. the same seed under each policy).", repeats: true)],
        options: [
            .init(name: "html", value: "FILE", help: "Write the report as one self-contained HTML file instead (inline SVG charts, no scripts; nothing printed)."),
            .init(name: "failed-cost", value: "AMOUNT", help: "What each failed delivery costs, counted in cost per delivery (default 17)."),
        ],
        discussion: """
        Columns are named after the journal files: 'tower simulate --policy static --journal static.jsonl' and
        '--policy continuous-auto --journal auto.jsonl', then 'tower report static.jsonl auto.jsonl --html day.html'.
        """)

    static func run(_ arguments: ParsedArguments) throws -> Int32 {
        let failedCost = try arguments.double("failed-cost", default: RunReport.failedDeliveryCost, in: 0...1_000_000)
        let days = try arguments.positionals.map { try DayReport(journal: $0, failedCost: failedCost) }
        for day in days {
            if let torn = day.tornLastLine {
                FileHandle.standardError.write(Data("tower: \(day.journal) line \(torn): torn last line left out (its writer stopped, or is still writing it)\n".utf8))
            }
        }
        guard let path = arguments.value("html") else {
            for line in ReportText.lines(days) { print(line) }
            return 0
        }
        // The HTML file alone: nothing on standard output, so the command can sit in a script or a cron job.
        try WholeFile.write(Data(ReportHTML.document(days).utf8), to: path, what: "the report")
        return 0
    }
}
