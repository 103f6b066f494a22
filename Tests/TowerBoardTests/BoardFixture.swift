import TestSupport
import Foundation
import TowerBoard
import TowerCore

/// A small simulated city at 11:00, the same every run, for rendering tests.
enum BoardFixture {
    static var snapshot: BoardSnapshot { played.snapshot }
    /// The story captions the fixture's morning made (the demo's), oldest first.
    static var captions: [String] { played.captions }

    private static let played: (snapshot: BoardSnapshot, captions: [String]) = {
        let directory = Scratch.path("board-\(UUID().uuidString)")
        try! ScenarioGenerator(name: "board-test", seed: 4, riders: 12, orders: 160).write(to: directory)
        let scenario = try! ScenarioLoader.load(directory: directory)
        let session = try! SessionStarter.start(scenario: scenario, seed: 1, journalPath: nil, durability: .batch)
        var log = RecentLog()
        var trend = KPITrend(planLock: scenario.planLock)
        var story = StoryCaptions()
        let engine = session.engine
        engine.observer = {
            log.note($0, world: engine.world)
            trend.note($0, world: engine.world)
            story.note($0, world: engine.world)
        }
        let now = scenario.time(11 * 3600)
        session.simulation.run(until: now, engine: engine)
        // A customer note with escape sequences, as a hostile feed could send: it must reach the screen clean.
        try! engine.submit(Event(id: "hostile", at: now, by: "feed", body: .orderCancelled(order: "O-0003", reason: "\u{1B}]0;pwned\u{07}\u{1B}[2Jmoved")))
        var snapshot = BoardSnapshot(world: engine.world, outlook: Outlook(world: engine.world, now: now), now: now, source: "sim seed 1",
                                     deadLetters: 2, recent: log.lines, wallClock: "12:34:56")
        snapshot.kpis = trend.current(world: engine.world)
        snapshot.trend = trend.samples
        return (snapshot, story.captions.map(\.text))
    }()

    static func render(width: Int, height: Int, model: BoardModel = BoardModel(speed: 60, readonly: false),
                       theme: Theme = .dark, glyphs: Glyphs = .unicode) -> (ScreenBuffer, BoardModel.Rows) {
        var buffer = ScreenBuffer(width: width, height: height)
        let rows = BoardView.render(snapshot, model: model, theme: theme, glyphs: glyphs, into: &buffer)
        return (buffer, rows)
    }
}
