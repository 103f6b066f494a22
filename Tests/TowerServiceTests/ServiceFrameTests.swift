import Testing
import TowerCore
@testable import TowerService

/// The socket's messages: one line each, read back as written; a broken one is an error naming it.
@Suite struct ServiceFrameTests {
    @Test func everyKindOfMessageReadsBackAsWritten() throws {
        let command = ServiceFrame.command(id: 7, .assign(order: "O-1", rider: "R01", confirmed: true)).encoded()
        #expect(command.last == 0x0A && command.dropLast().firstIndex(of: 0x0A) == nil, "one line")
        guard case let .command(id, decoded) = try ServiceFrame.decode(Array(command.dropLast())) else { Issue.record("not a command"); return }
        #expect(id == 7 && decoded == .assign(order: "O-1", rider: "R01", confirmed: true))
        let reply = ServiceFrame.reply(id: 7, CommandReply(.refused, "refused: E-1 is already approved")).encoded()
        guard case let .reply(_, answer) = try ServiceFrame.decode(Array(reply.dropLast())) else { Issue.record("not a reply"); return }
        #expect(answer == CommandReply(.refused, "refused: E-1 is already approved"))
        let event = ServiceFrame.event(Array(#"{"seq":1}"#.utf8)).encoded()
        guard case let .event(line) = try ServiceFrame.decode(Array(event.dropLast())) else { Issue.record("not an event"); return }
        #expect(line == Array(#"{"seq":1}"#.utf8))
        // A binary message goes sized, whatever bytes it holds (newlines too).
        let outlook = ServiceFrame.outlook([0x0A, 0x00, 0x0A]).encoded()
        #expect(outlook == Array("#11\noutlook ".utf8) + [0x0A, 0x00, 0x0A])
        guard case let .outlook(bytes) = try ServiceFrame.decode(Array(outlook.dropFirst(4))) else { Issue.record("not an outlook"); return }
        #expect(bytes == [0x0A, 0x00, 0x0A])
    }

    @Test func aBrokenMessageIsAnErrorNamingIt() {
        #expect(throws: ToolError.self) { try ServiceFrame.decode(Array("shout {}".utf8)) }
        #expect(throws: ToolError.self) { try ServiceFrame.decode(Array("command {\"id\":".utf8)) }
        #expect(throws: ToolError.self) { try ServiceFrame.decode(Array("command {\"id\":1}".utf8)) }
        // Where in the message and why, not Foundation's "the data isn't in the correct format".
        let role = #expect(throws: ToolError.self) { try ServiceFrame.decode(Array(#"attach {"role":"boss","follow":true}"#.utf8)) }
        #expect(role?.message.hasPrefix("a 'attach' message that is not valid: at role: ") == true && role?.message.contains("boss") == true,
                "\(String(describing: role))")
        let notJSON = #expect(throws: ToolError.self) { try ServiceFrame.decode(Array("attach {role}".utf8)) }
        #expect(notJSON?.message.contains("not valid JSON") == true, "\(String(describing: notJSON))")
    }
}
