import Foundation
import Testing
import TestSupport
import TowerCore

/// Files written whole and their folders: a failure names the path and the system's reason, and a write replaces the
/// old file only once the new one is complete.
@Suite struct WholeFileTests {
    static func message(_ work: () throws -> Void) -> String? {
        do { try work(); return nil } catch { return "\(error)" }
    }

    @Test func aWriteReplacesTheFileAndLeavesNothingBeside() throws {
        let folder = Scratch.path("whole-file-write")
        try WholeFile.makeFolder(folder, what: "the folder")
        let path = folder + "/report.html"
        try WholeFile.write(Data("first, and longer".utf8), to: path, what: "the report")
        try WholeFile.write(Data("second".utf8), to: path, what: "the report")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) == "second")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.html"])
    }

    @Test func aWriteThatCannotHappenSaysWhereAndWhy() throws {
        let folder = Scratch.path("whole-file-fail")
        try WholeFile.makeFolder(folder, what: "the folder")
        #expect(Self.message { try WholeFile.write(Data(), to: folder + "/missing/report.html", what: "the report") }
                == "cannot write the report \(folder)/missing/report.html: No such file or directory")
        #expect(Self.message { try WholeFile.write(Data(), to: folder, what: "the report") } == "cannot write the report \(folder): it is a folder")
        #expect(Self.message { try WholeFile.write(Data(), to: "", what: "the report") } == "cannot write the report: no path given")
        #expect(Self.message { try WholeFile.checkWritable(folder + "/missing/h.csv", what: "the history") }
                == "cannot write the history \(folder)/missing/h.csv: No such file or directory")
        #expect(Self.message { try WholeFile.checkWritable(folder + "/h.csv", what: "the history") } == nil)
        #expect(!FileManager.default.fileExists(atPath: folder + "/h.csv"), "a check writes nothing")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).isEmpty, "a failed write leaves no temporary file")
    }

    @Test func aFolderIsMadeWithItsParentsAndAFileInTheWayIsNamed() throws {
        let folder = Scratch.path("whole-file-folders")
        try WholeFile.makeFolder(folder + "/a/b/c", what: "the scenario folder")
        try WholeFile.makeFolder(folder + "/a/b/c", what: "the scenario folder")  // already there: fine
        var isFolder: ObjCBool = false
        #expect(FileManager.default.fileExists(atPath: folder + "/a/b/c", isDirectory: &isFolder) && isFolder.boolValue)
        try WholeFile.write(Data("x".utf8), to: folder + "/a/file", what: "a file")
        #expect(Self.message { try WholeFile.makeFolder(folder + "/a/file/d", what: "the scenario folder") }
                == "cannot create the scenario folder \(folder)/a/file/d: \(folder)/a/file is a file, not a folder")
        #expect(Self.message { try WholeFile.makeFolder("", what: "the scenario folder") } == "cannot create the scenario folder: no folder given")
    }
}
