import Foundation

/// Runs a program to completion (python3, curl, a browser): what it printed on standard output.
enum Program {
    /// Runs a program to completion; its standard output. Its standard error goes to `errors` (a file, created or
    /// truncated) when given, else nowhere.
    static func output(_ arguments: [String], input: String? = nil, errors: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: arguments[0])
        process.arguments = Array(arguments.dropFirst())
        let out = Pipe(), inPipe = Pipe()
        process.standardOutput = out
        if let errors, FileManager.default.createFile(atPath: errors, contents: nil), let file = FileHandle(forWritingAtPath: errors) {
            process.standardError = file
        } else {
            process.standardError = FileHandle.nullDevice
        }
        process.standardInput = input == nil ? FileHandle.nullDevice : inPipe
        try process.run()
        if let input {
            inPipe.fileHandleForWriting.write(Data(input.utf8))
            try inPipe.fileHandleForWriting.close()
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
