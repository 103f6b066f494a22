import Foundation

/// Runs a program to completion (python3, curl, a browser): what it printed on standard output.
enum Program {
    /// Runs a program to completion; its standard output. Its standard error goes to `errors` (a file, created or
    /// truncated) when given, else nowhere. With `through`, standard output goes to that file and is read back once
    /// the program has ended: a program that leaves children behind holding a pipe (a browser's helpers) cannot keep
    /// the reader waiting after it.
    static func output(_ arguments: [String], input: String? = nil, errors: String? = nil, through: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe(), inPipe = Pipe()
        process.standardOutput = through.flatMap(Self.file) ?? out
        process.standardError = errors.flatMap(Self.file) ?? FileHandle.nullDevice
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        if let through {
            process.waitUntilExit()
            return (try? String(contentsOfFile: through, encoding: .utf8)) ?? ""
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// A file created (or truncated) for a program to write to.
    private static func file(_ path: String) -> FileHandle? {
        FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
    }
}
