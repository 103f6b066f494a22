import Testing
@testable import TowerBoard

/// The one keymap table: keys, the help screen and the status line's hints come from it.
@Suite struct KeymapTests {
    @Test func noKeyMeansTwoThingsInOneContext() {
        for context in KeyContext.allCases {
            var seen: [Key: BoardAction] = [:]
            for binding in Keymap.bindings where binding.contexts.contains(context) {
                for key in binding.keys {
                    #expect(seen[key] == nil || seen[key] == binding.action, "\(key) in \(context)")
                    seen[key] = binding.action
                }
            }
        }
    }

    @Test func theHelpAndTheHintsComeFromTheTable() {
        let described = Keymap.helpRows.map(\.keys)
        for binding in Keymap.bindings { if let help = binding.help { #expect(described.contains(help.keys)) } }
        #expect(Keymap.hints(in: .board, readonly: false) == " ?:help  tab:pane  ↑↓:select  ⏎:open  m:map  M:metrics  ::cmd  q:quit")
        #expect(Keymap.hints(in: .queue, readonly: false).contains("a:approve"))
        #expect(!Keymap.hints(in: .queue, readonly: true).contains("a:approve"), "no decisions hinted on a read-only board")
        #expect(Keymap.hints(in: .queue, readonly: true).hasSuffix("(read-only)"))
        let idle = Keymap.hints(in: .queue, readonly: false, waiting: false)
        #expect(!idle.contains("1-4:pick") && !idle.contains("a:approve") && !idle.contains("r:reject") && idle.contains("u:undo"),
                "with nothing waiting, no answer is hinted; undo still is: \(idle)")
        #expect(Keymap.hints(in: .help, readonly: false) == " esc or ?:close help  ↑↓ PgUp PgDn:scroll")
    }

    @Test func theModelAnswersEveryKeyTheTableHintsAt() {
        // A key hinted in a context changes something there (the screen, the focus, a prompt or a message) or asks
        // the app for something: no hint names a key that does nothing.
        var rows = BoardModel.Rows()
        rows.lanes = ["R1", "R2"]
        rows.exceptions = ["E-1", "E-2"]
        rows.optionCosts = ["E-1": [1]]
        rows.linked = .rider("R1")
        let screens: [(KeyContext, BoardModel.Screen, BoardModel.Pane)] = [
            (.board, .board, .lanes), (.queue, .board, .exceptions), (.rider, .rider("R1"), .lanes), (.order, .order("O-1"), .lanes),
            (.exceptionCase, .exception("E-1"), .lanes), (.views, .map, .lanes), (.help, .help, .lanes),
        ]
        for (context, screen, focus) in screens {
            for binding in Keymap.bindings where binding.hint?.contexts.contains(context) == true {
                var model = BoardModel(speed: 60, readonly: false)
                model.screen = screen
                model.trail = screen == .board ? [] : [.board]
                model.focus = focus
                if focus == .exceptions { model.selection[.exceptions] = .init(id: "E-1", index: 0) }
                let before = (model.screen, model.focus, model.commandLine, model.selectedIndex(model.focus, in: rows.ids(model.focus)))
                let commands = model.press(binding.keys[0], rows: rows)
                let after = (model.screen, model.focus, model.commandLine, model.selectedIndex(model.focus, in: rows.ids(model.focus)))
                #expect(!commands.isEmpty || before != after || model.message != nil, "\(binding.keys[0]) in \(context)")
            }
        }
    }

    @Test func theSelectionStaysOnItsRowWhenTheRowsMove() {
        var model = BoardModel(speed: 60, readonly: false)
        var rows = BoardModel.Rows()
        rows.lanes = ["R1", "R2", "R3"]
        model.press(.down, rows: rows)
        #expect(model.selectedIndex(.lanes, in: rows.lanes) == 1)
        rows.lanes = ["R0", "R3", "R1", "R2"]  // a rider joined and the sort moved them
        #expect(model.selectedIndex(.lanes, in: rows.lanes) == 3, "still R2")
        model.press(.enter, rows: rows)
        #expect(model.screen == .rider("R2"))
        model.screen = .board
        rows.lanes = ["R0", "R1"]  // R2 left: the row at its place, within the rows
        #expect(model.selectedIndex(.lanes, in: rows.lanes) == 1)
    }
}
