import Foundation
import TowerCore

/// Where Tower's shipped files (sample data, themes) and its state are, whatever folder it is run from.
///
/// Shipped files are looked for, in order, under `$TOWER_HOME`; the package the executable was built in (it lives
/// at `PACKAGE/.build/TRIPLE/CONFIG/tower`); the install prefix beside the executable (`BIN/../share/tower`, which
/// `scripts/install` writes); `/usr/local/share/tower`; `/usr/share/tower`. The working directory is not searched,
/// so `cd / && tower demo` opens the same city as the quick start. State (journals, dead letters) goes under
/// `$XDG_STATE_HOME/tower`, else `~/.local/state/tower`.
enum Installation {
    static let roots: [String] = {
        var roots: [String] = []
        if let home = ProcessInfo.processInfo.environment["TOWER_HOME"], !home.isEmpty { roots.append(home) }
        let executable = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]).resolvingSymlinksInPath()
        let bin = executable.deletingLastPathComponent()
        roots.append(bin.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path)
        roots.append(bin.deletingLastPathComponent().appendingPathComponent("share/tower").path)
        roots += ["/usr/local/share/tower", "/usr/share/tower"]
        return roots
    }()

    /// The first shipped copy of `relative` (e.g. `sample-data/rio`), or `relative` itself when none is found
    /// (an error then names the path as the user would write it).
    static func shipped(_ relative: String) -> String {
        roots.lazy.map { $0 + "/" + relative }.first { FileManager.default.fileExists(atPath: $0) } ?? relative
    }

    /// Folders that may hold themes, in search order.
    static var themeDirectories: [String] { roots.map { $0 + "/themes" } }

    /// Where models trained at start are kept (`ETAModelCache`), named by this executable's size and time, so a
    /// new build trains its own; nil when there is no state folder (the model is then trained each time).
    static func modelCache() -> ETAModelCache? {
        guard let folder = try? stateDirectory() + "/eta-models",
              let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let attributes = try? FileManager.default.attributesOfItem(atPath: executable),
              let size = attributes[.size] as? Int, let modified = attributes[.modificationDate] as? Date else { return nil }
        return ETAModelCache(folder: folder, build: "\(executable)|\(size)|\(modified.timeIntervalSince1970)")
    }

    /// The folder for journals and dead letters, created when missing.
    static func stateDirectory() throws -> String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_STATE_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? environment["HOME"].map { $0 + "/.local/state" } ?? "."
        let path = base + "/tower"
        do {
            try WholeFile.makeFolder(path, what: "the state folder")
        } catch let error as ToolError {
            throw ToolError(error.message + " (set XDG_STATE_HOME or pass --journal)")
        }
        return path
    }
}
