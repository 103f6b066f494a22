import Testing
@testable import TowerCore

@Suite struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONParser.parse(#"{"a": [1, -2.5, 3e2, true, false, null], "b": "x\"y\\z\n\u00e9\ud83d\ude00"}"#)
        #expect(value["a"] == .array([.number(1), .number(-2.5), .number(300), .bool(true), .bool(false), .null]))
        #expect(value["b"] == .string("x\"y\\z\né😀"))
    }

    /// Characters written as they are (two, three and four bytes of UTF-8) among escapes and plain ASCII: the string
    /// is the same whichever way each character came.
    @Test func takesCharactersAsWrittenAmongEscapes() throws {
        let value = try JSONParser.parse(#"{"r": "cost 5,113 → 4,098 · Vitória \u00e9\t😀 end", "k": "açaí"}"#)
        #expect(value["r"] == .string("cost 5,113 → 4,098 · Vitória é\t😀 end"))
        #expect(value["k"] == .string("açaí"))
        #expect(value["r"].map { if case let .string(text) = $0 { Array(text.utf8) } else { [] } }
                == Array("cost 5,113 → 4,098 · Vitória é\t😀 end".utf8))
    }

    @Test func keepsKeyOrder() throws {
        guard case let .object(pairs) = try JSONParser.parse(#"{"z":1,"a":2}"#) else { Issue.record("not an object"); return }
        #expect(pairs.map(\.0) == ["z", "a"])
    }

    @Test(arguments: [
        (#"{"a":1"#, "unexpected end of input"),
        (#"{"a":1}x"#, "unexpected data after the value"),
        (#"{"a":NaN}"#, "NaN and Infinity are not JSON numbers"),
        (#"{"a":01}"#, "expected ',' or '}'"),
        ("{\"a\":\"\u{01}\"}", "control character in a string"),
        (#"{"a":"\x"}"#, "invalid escape"),
        (#"{"a":"\ud800"}"#, "lone surrogate"),
        (#"{"a":1e999}"#, "number out of range"),
        (#"[1,]"#, "unexpected character"),
    ])
    func rejectsBrokenText(text: String, reason: String) {
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(text) }
        do { _ = try JSONParser.parse(text) } catch { #expect(error.reason.contains(reason), "\(error.reason)") }
    }

    @Test func rejectsInvalidUTF8() {
        let bytes: [UInt8] = Array(#"{"a":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8)
        do { _ = try JSONParser.parse(bytes); Issue.record("accepted invalid UTF-8") } catch { #expect(error.reason.contains("invalid UTF-8")) }
        let overlong: [UInt8] = Array(#"{"a":""#.utf8) + [0xC0, 0xAF] + Array(#""}"#.utf8)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(overlong) }
    }

    /// A line is read where it lies (a journal's buffer, a slice of it); bytes that are not one run in memory are
    /// copied first. Either way the same value, and a broken line's offset counted from its own first byte.
    @Test func readsInPlaceOrCopiedAlike() throws {
        let line = #"{"v":1,"id":"e-1","stops":[{"order":"O-1","kind":"pickup"},{}],"lat":-22.9}"#
        let buffer = Array("junk\n\(line)\n".utf8)
        let inPlace = try JSONParser.parse(buffer[5..<(5 + line.utf8.count)])
        let copied = try JSONParser.parse(line.utf8.lazy.map { $0 })
        let fromText = try JSONParser.parse(line)
        #expect(inPlace == copied && inPlace == fromText)
        #expect(copied["stops"] == .array([.object([("order", .string("O-1")), ("kind", .string("pickup"))]), .object([])]))
        let broken = #"{"a":1,"a":2}"#
        var errors: [JSONSyntaxError] = []
        do { _ = try JSONParser.parse(Array("xx\(broken)".utf8)[2...]) } catch { errors.append(error) }
        do { _ = try JSONParser.parse(broken.utf8.lazy.map { $0 }) } catch { errors.append(error) }
        #expect(errors.count == 2, "a repeated key accepted")
        #expect(errors.allSatisfy { $0.offset == 7 && $0.reason.contains("duplicate key") }, "\(errors)")
    }

    @Test func refusesDeepNesting() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        do { _ = try JSONParser.parse(deep); Issue.record("accepted") } catch { #expect(error.reason.contains("nested deeper")) }
    }

    @Test func writerRoundTrips() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("text"); writer.value("tab\there \u{1B}[31m \"quoted\" é")
        writer.key("n"); writer.value(-22.905)
        writer.key("i"); writer.value(42)
        writer.key("list"); writer.beginArray(); writer.value(1); writer.value("two"); writer.endArray()
        writer.endObject()
        let parsed = try JSONParser.parse(writer.bytes)
        #expect(parsed["text"] == .string("tab\there \u{1B}[31m \"quoted\" é"))
        #expect(parsed["n"] == .number(-22.905))
        #expect(parsed["list"] == .array([.number(1), .string("two")]))
        #expect(writer.string.hasPrefix(#"{"text":"tab\there \u001b[31m"#))
    }
}
