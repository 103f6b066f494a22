import Foundation

/// Hands a value that is not `Sendable` (a core, a server) to the one thread that uses it from then on.
final class Handoff<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// What the threaded benches print: lines at once (print's buffer holds them to the end when stdout is a file),
/// and quantiles of sorted durations.
enum BenchOutput {
    static func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

    static func ms(_ sorted: [Double], _ q: Double, digits: Int = 1) -> String {
        guard !sorted.isEmpty else { return "n/a" }
        return String(format: "%.\(digits)f ms", sorted[min(sorted.count - 1, Int(Double(sorted.count) * q))] * 1000)
    }
}
