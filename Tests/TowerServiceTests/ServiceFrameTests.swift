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
        // The learner's state after a retrained model took over: one line, and the model predicts as it did.
        var settings = SyntheticHistory.Settings()
        settings.days = 3
        let rows = SyntheticHistory(settings: settings).rows
        let learner = OnlineETA(model: try ETAModel(training: rows))
        let learned = ServiceFrame.learned(learner.snapshot).encoded()
        #expect(learned.dropLast().firstIndex(of: 0x0A) == nil, "one line")
        guard case let .learned(state) = try ServiceFrame.decode(Array(learned.dropLast())) else { Issue.record("not a learned state"); return }
        #expect(rows.prefix(20).allSatisfy { state.model.predict($0).travel == learner.model.predict($0).travel })
    }

    @Test func aBrokenMessageIsAnErrorNamingIt() {
        #expect(throws: ToolError.self) { try ServiceFrame.decode(Array("shout {}".utf8)) }
        #expect(throws: ToolError.self) { try ServiceFrame.decode(Array("command {\"id\":".utf8)) }
        #expect(throws: ToolError.self) { try ServiceFrame.decode(Array("command {\"id\":1}".utf8)) }
    }
}
