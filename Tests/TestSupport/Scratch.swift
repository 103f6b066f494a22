import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where this test run's temporary files go: one folder per test process, removed when the process exits, so a
/// test that stops early (or forgets) leaves nothing behind. Shared by every test target.
public enum Scratch {
    public static let root: String = {
        let path = folder(of: getpid())
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: Scratch.folder(of: getpid())) }
        return path
    }()

    static func folder(of process: pid_t) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tower-tests-\(process)").path
    }

    /// A path for `name` inside the run's folder.
    public static func path(_ name: String) -> String { root + "/" + name }
}
