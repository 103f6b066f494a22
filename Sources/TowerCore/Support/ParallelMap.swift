import Foundation

/// A map over `0..<count` on every core: for work whose items are independent and pure over `Sendable` values (each
/// rider's lane of an outlook). The results come back in index order, so what is computed does not depend on how
/// the work was shared out.
enum ParallelMap {
    /// - Parameter minimumPerChunk: below twice this many items the map runs on the caller's thread alone.
    static func map<T: Sendable>(count: Int, minimumPerChunk: Int = 16, _ transform: @Sendable (Int) -> T) -> [T] {
        guard count >= 2 * minimumPerChunk, ProcessInfo.processInfo.activeProcessorCount > 1 else { return (0..<count).map(transform) }
        let chunks = min(ProcessInfo.processInfo.activeProcessorCount * 4, count / minimumPerChunk)
        let slots = Slots<T>(count: count)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for index in count * chunk / chunks ..< count * (chunk + 1) / chunks { slots.put(transform(index), at: index) }
        }
        return slots.take()
    }
}

/// Room for `count` results that workers fill, each index by exactly one worker; read once every worker is done
/// (`concurrentPerform` returns only then, which orders their writes before the read).
private final class Slots<T>: @unchecked Sendable {
    private let base: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        base = UnsafeMutablePointer<T?>.allocate(capacity: count)
        base.initialize(repeating: nil, count: count)
    }

    func put(_ value: T, at index: Int) { base[index] = value }

    func take() -> [T] { (0..<count).map { base[$0]! } }

    deinit {
        base.deinitialize(count: count)
        base.deallocate()
    }
}
