import Foundation

/// Checks a feed line by line against a world that the valid lines build up, collecting every problem.
public struct FeedValidator {
    public private(set) var world: World
    public private(set) var diagnostics: [LineDiagnostic] = []
    public private(set) var lines = 0
    public private(set) var valid = 0

    public init(world: World = World()) { self.world = world }

    /// Validates a whole file's bytes.
    public mutating func validate(data: Data) {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var start = 0
            var number = 0
            while start < bytes.count {
                number += 1
                var end = start
                while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
                var contentEnd = end
                if contentEnd > start, bytes[contentEnd - 1] == UInt8(ascii: "\r") { contentEnd -= 1 }
                let slice = UnsafeBufferPointer(rebasing: bytes[start..<contentEnd])
                start = end + 1
                if JournalReader.isBlank(slice) { continue }
                validate(line: JournalReader.decode(slice), number: number)
            }
        }
    }

    /// Validates one decoded line.
    public mutating func validate(line: JournalReader.Line, number: Int) {
        lines += 1
        switch line {
        case let .bad(error):
            diagnostics.append(LineDiagnostic(line: number, severity: .error, error: error))
        case let .event(event, warnings):
            do {
                try world.check(event)
                world.apply(event)
                valid += 1
                for warning in warnings { diagnostics.append(LineDiagnostic(line: number, severity: .warning, error: warning)) }
            } catch {
                diagnostics.append(LineDiagnostic(line: number, severity: .error, error: error))
            }
        }
    }
}
