// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Tower",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "tower", targets: ["tower"]),
        .library(name: "TowerCore", targets: ["TowerCore"]),
        .library(name: "TowerService", targets: ["TowerService"]),
        .library(name: "TowerBoard", targets: ["TowerBoard"]),
    ],
    targets: [
        // ncursesw as a system library; the shim wraps macros and globals as inline functions.
        .systemLibrary(
            name: "CNcursesw",
            pkgConfig: "ncursesw",
            providers: [.apt(["libncurses-dev"])]
        ),
        // Signal plumbing in C: a handler may only set a flag, and the flag must have exactly one definition.
        .target(name: "CTerminalSignals"),
        // The orchestration core: Foundation only, no terminal. Optimised in debug builds too: the tests run whole
        // simulated days through it, which take minutes unoptimised and seconds optimised.
        .target(name: "TowerCore", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The core as a service: its Unix socket (boards attach, `tower decide` sends), POSIX through Glibc.
        .target(name: "CServiceShims"),
        .target(name: "TowerService", dependencies: ["TowerCore", "CServiceShims"]),
        // The board: renders core state into a buffer of styled cells; one file talks to ncurses.
        .target(name: "TowerBoard", dependencies: ["TowerCore", "TowerService", "CNcursesw", "CTerminalSignals"]),
        .executableTarget(name: "tower", dependencies: ["TowerCore", "TowerService", "TowerBoard", "CTerminalSignals"]),
        // What the test targets share: the run's scratch folder, removed when the test process exits.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "TowerCoreTests", dependencies: ["TowerCore", "TestSupport"]),
        .testTarget(name: "TowerServiceTests", dependencies: ["TowerService", "TowerCore"]),
        // Snapshots are read and recorded beside the test sources (see SnapshotAssertion.swift).
        .testTarget(name: "TowerBoardTests", dependencies: ["TowerBoard", "TowerCore", "TestSupport"], exclude: ["Snapshots"]),
        // Drives the built `tower` binary, headless and in tmux.
        .testTarget(name: "EndToEndTests", dependencies: ["tower", "TowerCore", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
