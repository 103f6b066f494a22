import Foundation

/// Just enough SVG and HTML writing for the day report: escaping, and charts over a time axis.
struct SVG {
    let width: Int
    let height: Int
    private(set) var body = ""

    init(width: Int, height: Int) { self.width = width; self.height = height }

    /// Escapes text for HTML and SVG: nothing from a journal (names, notes, reasons) becomes markup.
    static func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                if character.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value != 0x7F }) { out.append(character) }
            }
        }
        return out
    }

    static func number(_ value: Double) -> String { String(format: "%.1f", value) }

    mutating func add(_ element: String) { body += element + "\n" }

    mutating func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1, dash: Bool = false) {
        add("<line x1=\"\(SVG.number(x1))\" y1=\"\(SVG.number(y1))\" x2=\"\(SVG.number(x2))\" y2=\"\(SVG.number(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(SVG.number(width))\"\(dash ? " stroke-dasharray=\"3 3\"" : "")/>")
    }

    mutating func text(_ x: Double, _ y: Double, _ content: String, size: Int = 11, anchor: String = "start", fill: String = "#444") {
        add("<text x=\"\(SVG.number(x))\" y=\"\(SVG.number(y))\" font-size=\"\(size)\" text-anchor=\"\(anchor)\" fill=\"\(fill)\">\(SVG.escape(content))</text>")
    }

    mutating func rect(_ x: Double, _ y: Double, _ width: Double, _ height: Double, fill: String, stroke: String) {
        add("<rect x=\"\(SVG.number(x))\" y=\"\(SVG.number(y))\" width=\"\(SVG.number(width))\" height=\"\(SVG.number(height))\" fill=\"\(fill)\" stroke=\"\(stroke)\"/>")
    }

    mutating func circle(_ x: Double, _ y: Double, r: Double, fill: String, stroke: String? = nil, title: String? = nil) {
        let tip = title.map { "<title>\(SVG.escape($0))</title>" } ?? ""
        add("<circle cx=\"\(SVG.number(x))\" cy=\"\(SVG.number(y))\" r=\"\(SVG.number(r))\" fill=\"\(fill)\"\(stroke.map { " stroke=\"\($0)\"" } ?? "")>\(tip)</circle>")
    }

    mutating func polyline(_ points: [(Double, Double)], stroke: String) {
        guard !points.isEmpty else { return }
        let list = points.map { "\(SVG.number($0.0)),\(SVG.number($0.1))" }.joined(separator: " ")
        add("<polyline points=\"\(list)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\"/>")
    }

    var markup: String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" role=\"img\">\n\(body)</svg>"
    }
}

/// A horizontal time axis from `start` to `end` mapped onto `left`…`right` pixels, with a label every `step`.
struct TimeAxis {
    let start: Double, end: Double, left: Double, right: Double

    func x(_ seconds: Double) -> Double { left + (seconds - start) / max(1, end - start) * (right - left) }

    /// Hour marks and labels, with faint guide lines from `top` to `bottom`.
    func draw(into svg: inout SVG, top: Double, bottom: Double, offsetSeconds: Int) {
        let step = 3600.0 * ((end - start) > 12 * 3600 ? 2 : 1)
        var mark = ((start + Double(offsetSeconds)) / step).rounded(.up) * step - Double(offsetSeconds)
        while mark <= end {
            let x = self.x(mark)
            svg.line(x, top, x, bottom, stroke: "#e4e4e4")
            let local = Int(mark) + offsetSeconds
            let hour = ((local % 86400) + 86400) % 86400 / 3600
            svg.text(x, bottom + 12, String(format: "%02d:00", hour), size: 10, anchor: "middle", fill: "#777")
            mark += step
        }
    }
}
