import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Synchronization
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

    /// A named pipe (as `/dev/stdout` or `/dev/null` would be) is written in place and stays a pipe: renamed over,
    /// `tower eta synth /dev/null` run as root replaced the device with a file. A pipe nobody reads is refused at
    /// once. A link to a file replaces the file it names and stays a link.
    @Test func aPipeOrADeviceIsWrittenInPlaceAndALinkStaysALink() throws {
        let folder = Scratch.path("whole-file-pipe")
        try WholeFile.makeFolder(folder, what: "the folder")
        let pipe = folder + "/pipe"
        try #require(mkfifo(pipe, 0o600) == 0)
        // A reader that does not wait for a writer, so the write below can open the pipe (and a build that renamed a
        // file over it fails the checks below instead of hanging).
        let reader = open(pipe, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        try WholeFile.checkWritable(pipe, what: "the history")
        try WholeFile.write(Data("through the pipe".utf8), to: pipe, what: "the history")
        var buffer = [UInt8](repeating: 0, count: 64)
        let got = read(reader, &buffer, buffer.count)
        var status = stat()
        #expect(lstat(pipe, &status) == 0 && status.st_mode & S_IFMT == S_IFIFO, "still a pipe")
        #expect(got > 0 && String(decoding: buffer.prefix(max(got, 0)), as: UTF8.self) == "through the pipe")

        // Nobody reading: refused at once, by name, not waited on. (Written on a thread, so a build that waits
        // fails the test instead of holding the run: the pipe is opened for reading after a while to let it go.)
        let lonely = folder + "/lonely"
        try #require(mkfifo(lonely, 0o600) == 0)
        let done = DispatchSemaphore(value: 0), outcome = Mutex<String?>(nil)
        Thread.detachNewThread {
            outcome.withLock { $0 = Self.message { try WholeFile.write(Data("x".utf8), to: lonely, what: "the history") } }
            done.signal()
        }
        let answered = done.wait(timeout: .now() + 5) == .success
        if !answered {
            let release = open(lonely, O_RDONLY | O_NONBLOCK)  // kept open until the write is through: no broken pipe
            done.wait()
            close(release)
        }
        #expect(answered, "a write to a pipe nobody reads waited")
        #expect(outcome.withLock { $0 } == "cannot write the history \(lonely): it is a named pipe nobody is reading")
        try FileManager.default.removeItem(atPath: lonely)

        let file = folder + "/model.json", link = folder + "/current"
        try WholeFile.write(Data("old".utf8), to: file, what: "the model")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: file)
        try WholeFile.write(Data("new".utf8), to: link, what: "the model")
        #expect(lstat(link, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK, "still a link")
        #expect(String(decoding: try Data(contentsOf: URL(fileURLWithPath: file)), as: UTF8.self) == "new")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["current", "model.json", "pipe"])
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
