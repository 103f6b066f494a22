// libFuzzer entry for the HTTP parser and the OsmAnd reader: every input must parse to a request, "incomplete",
// or a failure with a 4xx/5xx status and a reason; never a crash, a hang or an unbounded allocation.
// Built and run by bench/fuzz/run (swiftc -sanitize=fuzzer,address), not by `swift build`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var limits = HTTPParser.Limits()
    limits.requestLine = 512
    limits.headerBytes = 2048
    limits.body = 4096
    var offset = 0
    // Pipelined requests, as a keep-alive connection would hand them over.
    while offset < bytes.count {
        switch HTTPParser(limits: limits).parse(bytes[offset...]) {
        case .incomplete, .awaitingBody:
            return 0
        case let .request(request, consumed):
            precondition(consumed > 0 && consumed <= bytes.count - offset, "a request consumed \(consumed) bytes")
            _ = try? OsmAndPosition.parse(request, localOffsetSeconds: -10_800)
            offset += consumed
        case let .failure(status, reason):
            precondition((400...599).contains(status) && !reason.isEmpty, "failure \(status) '\(reason)'")
            return 0
        }
    }
    return 0
}
