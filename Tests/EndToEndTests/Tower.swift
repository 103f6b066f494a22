import TestSupport
import Foundation
import Testing

/// Runs the built `tower` binary.
enum Tower {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary `swift test` built beside the test bundle.
    static let binary: String = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tower").path
        let candidates = [beside, packageRoot.appendingPathComponent(".build/debug/tower").path]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? beside
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Where runs without a folder of their own keep state (the ETA models trained at start, kept for the next run):
    /// in the build folder, never the user's state folder.
    static let sharedState = packageRoot.appendingPathComponent(".build/test-state").path

    /// The environment of a `tower` run whose state goes under `state`.
    static func environment(state: String = sharedState) -> [String: String] {
        ProcessInfo.processInfo.environment.merging(["XDG_STATE_HOME": state]) { $1 }
    }

    /// Runs `tower` with arguments to completion.
    static func run(_ arguments: [String], in directory: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment()
        if let directory {
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.environment = environment(state: directory + "/state")
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryDirectory() throws -> String {
        let path = Scratch.path("e2e-\(UUID().uuidString.prefix(13))")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// A small generated city in a fresh folder, made by `tower generate`: 8 riders for 160 orders, short-handed
    /// enough that its day puts cases with several options to a person.
    static func smallCity() throws -> String {
        let directory = try temporaryDirectory() + "/city"
        let result = try run(["generate", directory, "--seed", "4", "--riders", "8", "--orders", "160"])
        #expect(result.status == 0, "\(result.stderr)")
        return directory
    }

    /// A local time (HH:MM) when the small city `city` has an escalation with several options waiting, found by
    /// playing its whole day once: the minute it was escalated (its deadline is later).
    static func escalationTime(in city: String) throws -> String {
        let folder = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/day.jsonl"
        let run = try run(["simulate", "--scenario", city, "--journal", journal])
        #expect(run.status == 0, "\(run.stderr)")
        for line in try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n") where line.contains("\"exception.escalated\"") {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] ?? [:]
            guard (object["options"] as? [Any])?.count ?? 0 >= 2, let at = object["at"] as? String,
                  let deadline = object["deadline"] as? String, deadline > at, at >= String(at.prefix(11)) + "07:00" else { continue }
            return String(at.dropFirst(11).prefix(5))
        }
        Issue.record("no escalation with several options in \(city)'s day")
        return "12:00"
    }

    static func digest(_ output: String) -> String? {
        output.split(separator: "\n").first { $0.hasPrefix("digest: ") }.map { String($0.dropFirst(8)) }
    }
}
