import Foundation
import Testing
@testable import TowerCore

/// The defects fault injection found (a crash from one feed line, lost or duplicated data), each kept fixed.
@Suite struct FaultTests {
    let t0 = DeskCity.t0
    let window = TimeWindow(start: DeskCity.t0, end: DeskCity.t0 + 4 * 3600)

    /// Feeds bodies to an engine as feed lines `f1`, `f2`, … one minute apart from `start`.
    final class Feeder {
        let engine: Engine
        var count = 0
        var time: Instant
        init(_ engine: Engine, from start: Instant) { self.engine = engine; time = start }
        func send(_ body: EventBody, id: String? = nil) throws {
            count += 1
            time = time + 60
            try engine.submit(Event(id: id ?? "f\(count)", at: time, by: "feed", body: body))
        }
    }

    func stops(of order: String, in world: World) -> [Stop] {
        world.routes.values.flatMap(\.stops).filter { $0.order == order }
    }

    /// The desk city past its plan lock, journaling to a sink the test reads, with R1 on shift.
    func deskWithR1OnShift() throws -> (engine: Engine, sink: MemorySink, feed: Feeder) {
        let sink = MemorySink()
        let engine = Engine(journal: sink, settings: EngineSettings(planLock: t0 - 3600))
        for (index, body) in DeskCity.setting.enumerated() { try engine.submit(Event(id: "s\(index)", at: t0 - 7200, by: "test", body: body)) }
        let feed = Feeder(engine, from: t0)
        try feed.send(.shiftStarted(rider: "R1"))
        return (engine, sink, feed)
    }

    // 1. A delivery reported without its pickup, then a breakdown: the core trapped reassigning the finished order.
    @Test func aDeliveryWithoutItsPickupThenABreakdownReassignsTheRestWithoutTrapping() throws {
        let engine = try DeskCity.engine()
        let feed = Feeder(engine, from: t0)
        try feed.send(.shiftStarted(rider: "R1"))
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        try feed.send(.orderCreated(DeskCity.order("O-2", at: GeoPoint(lat: -22.93, lon: -43.18), window: window)))
        try #require(engine.world.orders["O-1"]?.rider == "R1" && engine.world.orders["O-2"]?.rider == "R1", "both orders on R1, the only rider on shift")
        try feed.send(.shiftStarted(rider: "R2"))
        try feed.send(.deliveryDone(rider: "R1", order: "O-1"))
        #expect(stops(of: "O-1", in: engine.world).isEmpty, "a delivered order leaves every route, its unreported pickup too")
        try feed.send(.riderBreakdown(rider: "R1", note: "flat tyre"))
        #expect(engine.unmadeDecisions.isEmpty)
        #expect(engine.world.orders["O-1"]?.status == .delivered)
        #expect(engine.world.orders["O-2"]?.rider == "R2", "the order still to deliver moves to the rider on shift")
        #expect(stops(of: "O-2", in: engine.world).count == 2)
    }

    @Test func aPickupReportedByAnotherRiderMovesTheDeliveryToThatRider() throws {
        let engine = try DeskCity.engine(mode: .static)
        let feed = Feeder(engine, from: t0)
        try feed.send(.shiftStarted(rider: "R1"))
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        try #require(engine.world.orders["O-1"]?.rider == "R1")
        try feed.send(.shiftStarted(rider: "R2"))
        try feed.send(.pickupDone(rider: "R2", order: "O-1"))
        #expect(engine.world.routes["R1"]?.stops.contains { $0.order == "O-1" } == false, "off the planned rider's route")
        #expect(engine.world.routes["R2"]?.stops.map(\.kind) == [.delivery], "on the route of the rider who has the parcel, even in static mode")
        #expect(engine.world.exceptions.values.contains { $0.kind == .contradictoryEvent && $0.subject == "O-1" })
    }

    /// A static-mode engine where R1 has picked up O-1 and R2 has started its shift.
    func parcelOnBoardWithR1() throws -> (Engine, Feeder) {
        let engine = try DeskCity.engine(mode: .static)
        let feed = Feeder(engine, from: t0)
        try feed.send(.shiftStarted(rider: "R1"))
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        try feed.send(.pickupDone(rider: "R1", order: "O-1"))
        try #require(engine.world.riders["R1"]?.onBoard == ["O-1"])
        try feed.send(.shiftStarted(rider: "R2"))
        return (engine, feed)
    }

    @Test func aDeliveryReportedByAnotherRiderTakesTheParcelOffTheRiderWhoHadIt() throws {
        let (engine, feed) = try parcelOnBoardWithR1()
        try feed.send(.deliveryDone(rider: "R2", order: "O-1"))
        let r1 = try #require(engine.world.riders["R1"])
        #expect(r1.onBoard.isEmpty && r1.loadParcels == 0 && r1.loadKg == 0, "the parcel left the load of the rider who had it")
        #expect(engine.world.riders["R2"]?.loadParcels == 0, "and was never counted on the rider who reported it")
        #expect(stops(of: "O-1", in: engine.world).isEmpty)
        #expect(engine.world.exceptions.values.contains { $0.kind == .contradictoryEvent && $0.subject == "O-1" && $0.detail.contains("on board with R1") },
                "a supervisor is told the feed contradicts the plan")
    }

    @Test func aParcelOnBoardPickedUpByAnotherRiderIsHandedOver() throws {
        let (engine, feed) = try parcelOnBoardWithR1()
        try feed.send(.pickupDone(rider: "R2", order: "O-1"))
        let r1 = try #require(engine.world.riders["R1"]), r2 = try #require(engine.world.riders["R2"])
        #expect(r1.onBoard.isEmpty && r1.loadParcels == 0, "off the load of the rider who had it")
        #expect(r2.onBoard == ["O-1"] && r2.loadParcels == 1, "on the load of the rider who took it")
        #expect(engine.world.orders["O-1"]?.rider == "R2" && engine.world.orders["O-1"]?.status == .pickedUp)
        #expect(engine.world.routes["R1"]?.stops.contains { $0.order == "O-1" } == false)
        #expect(engine.world.routes["R2"]?.stops.map(\.kind) == [.delivery], "its delivery on the new holder's route")
        #expect(engine.world.exceptions.values.contains { $0.kind == .contradictoryEvent && $0.subject == "O-1" && $0.detail.contains("on board with R1") })
    }

    @Test func aParcelOnBoardNoPlaceFitsGoesWhereItCostsLeastNotLast() throws {
        let engine = try DeskCity.engine(mode: .static)
        // Forty minutes before R1's shift ends: the drive out west does not fit in it, so no place fits anything after.
        let feed = Feeder(engine, from: t0 + 5 * 3600 + 1200)
        try feed.send(.shiftStarted(rider: "R1"))
        let long = TimeWindow(start: feed.time, end: feed.time + 3 * 3600)
        try feed.send(.orderCreated(DeskCity.order("O-2", at: GeoPoint(lat: -22.915, lon: -43.195), window: long)))
        try feed.send(.orderCreated(DeskCity.order("O-3", at: GeoPoint(lat: -22.92, lon: -43.36), window: long)))
        try feed.send(.pickupDone(rider: "R1", order: "O-2"))
        try feed.send(.pickupDone(rider: "R1", order: "O-3"))
        try #require(engine.world.routes["R1"]?.stops.map(\.order) == ["O-2", "O-3"], "the near drop, then the far one")
        // A parcel due within the hour near the hub, picked up by R1 with no order to: no place the planner would
        // choose, and R1 has it on board all the same.
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.912, lon: -43.198), window: TimeWindow(start: feed.time, end: feed.time + 2400))))
        try feed.send(.pickupDone(rider: "R1", order: "O-1"))
        #expect(engine.world.routes["R1"]?.stops.map(\.order) == ["O-2", "O-1", "O-3"], "before the drive out west, not after it")
    }

    @Test func aPickupOfACancelledOrderLeavesItCancelledAndRaisesACase() throws {
        let engine = try DeskCity.engine(mode: .static)
        let feed = Feeder(engine, from: t0)
        try feed.send(.shiftStarted(rider: "R1"))
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        try feed.send(.orderCancelled(order: "O-1", reason: "customer request"))
        try feed.send(.pickupDone(rider: "R1", order: "O-1"))
        #expect(engine.world.orders["O-1"]?.status == .cancelled && engine.world.riders["R1"]?.onBoard.isEmpty == true)
        #expect(engine.world.exceptions.values.contains { $0.kind == .contradictoryEvent && $0.detail.contains("already cancelled") })
    }

    // 2. Feed ids and the core's own ids live in separate spaces.
    @Test func aFeedMayUseIdsLikeTheCoresOwn() throws {
        let engine = try DeskCity.engine()
        let feed = Feeder(engine, from: t0)
        try feed.send(.shiftStarted(rider: "R1"))
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        let taken = try #require(engine.world.orders["O-1"]?.rider, "the core assigned O-1")
        #expect(taken == "R1")
        // An id the core used already, and the one its next decision will get.
        let next = "d\(engine.world.lastSeq + 2)"
        try feed.send(.riderPosition(rider: "R1", position: DeskCity.hub), id: "d\(engine.world.lastSeq - 1)")
        try feed.send(.orderCreated(DeskCity.order("O-2", at: GeoPoint(lat: -22.93, lon: -43.18), window: window)), id: next)
        #expect(engine.world.orders["O-2"]?.rider != nil, "the core still decides after an input took its next id")
        #expect(engine.unmadeDecisions.isEmpty)
        #expect(throws: EventError.self, "an input may not speak as the core") {
            try engine.submit(Event(id: "x", at: feed.time + 60, by: Event.core, body: .shiftStarted(rider: "R2")))
        }
    }

    @Test func aJournalFollowedAsAFeedGivesItsInputsAndLeavesItsDecisionsToThisCore() throws {
        let engine = try DeskCity.engine()
        let ingestion = Ingestion(source: "journal", deadLetter: nil)
        let core = Event(id: "d40", seq: 40, at: t0, by: Event.core, body: .orderUnassigned(order: "O-9", reason: "x"))
        let input = Event(id: "d41", at: t0, by: "sim", body: .shiftStarted(rider: "R1"))
        #expect(ingestion.take(EventCodec.encode(core, utcOffsetSeconds: 0), line: 1, engine: engine) == .skippedCoreDecision)
        #expect(ingestion.take(EventCodec.encode(input, utcOffsetSeconds: 0), line: 2, engine: engine) == .accepted)
        #expect(ingestion.take(EventCodec.encode(input, utcOffsetSeconds: 0), line: 3, engine: engine) == .repeated)
    }

    // 9. The same id with other content is a conflict, dead-lettered with its reason; dead letters are not
    // written again when a restart reads the feed again.
    @Test func aChangedLineUnderAUsedIdIsDeadLetteredOnce() throws {
        let path = TestCity.temporaryFile("dead.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let engine = try DeskCity.engine()
        let first = Event(id: "p1", at: t0, by: "feed", body: .riderPosition(rider: "R1", position: DeskCity.hub))
        var changed = first
        changed.body = .riderPosition(rider: "R1", position: GeoPoint(lat: -22.92, lon: -43.19))
        let bad = Array(#"{"v":1,"id":"b","at":"2026-11-17T10:00:00-03:00","type":"nope"}"#.utf8)
        for _ in 0..<2 {  // a start, then a restart reading the same feed again
            let ingestion = Ingestion(source: "feed.jsonl", deadLetter: try DeadLetterFile(path: path))
            _ = ingestion.take(EventCodec.encode(first, utcOffsetSeconds: 0), line: 1, engine: engine)
            let outcome = ingestion.take(EventCodec.encode(changed, utcOffsetSeconds: 0), line: 2, engine: engine)
            guard case let .refused(error) = outcome else { Issue.record("a conflict must be refused, got \(outcome)"); return }
            #expect(error.field == "id" && error.reason.contains("already taken for a different event"))
            _ = ingestion.take(bad, line: 3, engine: engine)
        }
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2, "the conflict and the bad line, each once across both starts")
    }

    @Test func aLineTheCoreStampedSentAgainLaterIsARepeatNotAConflict() throws {
        let engine = try DeskCity.engine()
        let ingestion = Ingestion(source: "http", deadLetter: nil)
        // An order system's order and a driver app's stop, each stamped when it came, then sent again two minutes on.
        let order = Event(id: "oms-O-1", at: t0, by: "oms", body: .orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        let stop = Event(id: "stop-O-1-arrived-0", at: t0 + 60, by: "driver-app", body: .stopArrived(rider: "R1", order: "O-1", kind: .pickup))
        for event in [order, stop] {
            #expect(ingestion.take(EventCodec.encode(event, utcOffsetSeconds: 0), line: 1, engine: engine) == .accepted)
            var again = event
            again.at = event.at + 120
            #expect(ingestion.take(EventCodec.encode(again, utcOffsetSeconds: 0), line: 1, engine: engine) == .repeated, "\(event.id)")
        }
        #expect(ingestion.refused == 0)
    }

    // 3. A crash in the middle of a step (here the plan at the lock) is cut off at the next start and made again.
    @Test func aPlanCutShortByACrashIsMadeAgainAtTheNextStart() throws {
        let city = try TestCity.folder()
        let scenario = try ScenarioLoader.load(directory: city)
        let path = TestCity.temporaryFile()
        defer { try? FileManager.default.removeItem(atPath: path); try? FileManager.default.removeItem(atPath: city) }
        let settings = EngineSettings(planLock: scenario.planLock, latestEventTime: scenario.latestEventTime)
        func feedEngine(world: World = World(), journal: String) throws -> Engine {
            Engine(world: world, journal: try JournalWriter(path: journal, utcOffsetSeconds: scenario.utcOffsetSeconds, durability: .live),
                   settings: settings)
        }
        let whole = try feedEngine(journal: path)
        for event in CitySimulation(scenario: scenario, seed: 0).knownEvents() { try whole.submit(event) }
        whole.advance(to: scenario.planLock + 60)
        whole.sync()
        #expect(try Replayer.replay(path: path).world.digest == whole.world.digest, "the feed core's world is its journal's")
        let planned = whole.world.orderIDs.filter { whole.world.orders[$0]?.status == .assigned }
        try #require(planned.count > 20, "the plan assigns the test city's morning orders")

        // Cut the journal in the middle of the plan's step, as a kill between two writes would.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        let start = try #require(lines.firstIndex { $0.contains(#""type":"order.assigned""#) })
        #expect(lines[start].contains(#""n":"#), "the plan's first line carries the step's size")
        lines = lines.prefix(start + planned.count / 2)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let replayed = try Replayer.replay(path: path)
        let cut = try #require(replayed.cutShortStep)
        #expect(cut.line == start + 1 && cut.written == planned.count / 2)
        #expect(replayed.world.orderIDs.allSatisfy { replayed.world.orders[$0]?.status == .open }, "the half-written plan is left out")
        try JournalWriter.cut(path: path, at: cut.offset)
        let resumed = try feedEngine(world: replayed.world, journal: path)
        resumed.advance(to: scenario.planLock + 60)
        resumed.sync()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == text, "the plan is made again, line for line the same")
        #expect(try Replayer.replay(path: path).cutShortStep == nil)
    }

    // 4. A far-future time is refused; a long catch-up stops for a signal and goes on where it stopped.
    @Test func aTimePastTheDayIsRefused() throws {
        var settings = EngineSettings(planLock: t0 - 3600, latestEventTime: t0 + 12 * 3600)
        settings.improveIterations = 0
        let engine = Engine(journal: nil, settings: settings)
        for (index, body) in DeskCity.setting.enumerated() { try engine.submit(Event(id: "s\(index)", at: t0 - 7200, by: "test", body: body)) }
        let far = Event(id: "h", at: ISOTime.parse("2099-01-01T00:00:00-03:00")!.instant, by: "feed", body: .riderPosition(rider: "R1", position: DeskCity.hub))
        #expect { try engine.submit(far) } throws: { ($0 as? EventError)?.field == "at" }
        #expect(engine.world.clock == t0 - 7200, "nothing ran towards 2099")
        let tomorrow = TimeWindow(start: t0 + 24 * 3600, end: t0 + 26 * 3600)
        let another = Event(id: "o", at: t0 - 7200, by: "feed", body: .orderCreated(DeskCity.order("O-9", at: DeskCity.hub, window: tomorrow)))
        #expect { try engine.submit(another) } throws: { ($0 as? EventError)?.field == "window_start" }
        #expect(engine.world.orders["O-9"] == nil, "an order for another day is that day's core's")
    }

    @Test func aLongCatchUpStopsForASignalAndGoesOnWhereItStopped() throws {
        let engine = try DeskCity.engine()
        var asked = 0
        engine.interrupted = { asked += 1; return true }
        engine.advance(to: t0 + 3600)
        #expect(asked == 1, "one tick, then it stopped")
        engine.interrupted = { asked += 1; return false }
        engine.advance(to: t0 + 3600)
        let ticks = Int((t0 + 3600 - (t0 - 3600)) / Engine.tickInterval)  // from the plan lock: none before it has work
        #expect(asked == ticks, "the rest of the ticks, none twice")
    }

    // 5. A write that fails part-way leaves the file as it was; the retry writes the bytes once.
    @Test func aPartialWriteIsUndoneSoARetryNeverRepeatsBytes() throws {
        let path = TestCity.temporaryFile("outbox.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = try AppendOnlyFile(path: path, what: "outbox")
        file.append(line: Array("first".utf8))
        try file.flush()
        var calls = 0
        file.writeBytes = { fd, bytes, count in
            calls += 1
            if calls == 1 { return Glibc.write(fd, bytes, count / 2) }  // half of it, then the disk is full
            errno = ENOSPC
            return -1
        }
        file.append(line: Array(#"{"id":"d4165","kind":"failed"}"#.utf8))
        #expect(throws: ToolError.self) { try file.flush() }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n", "no half line left behind")
        file.writeBytes = { fd, bytes, count in Glibc.write(fd, bytes, count) }
        try file.flush()
        file.close()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\n{\"id\":\"d4165\",\"kind\":\"failed\"}\n")
    }

    // 6. A journal that cannot be written stops the core; the lines of the batch are not filed as bad.
    @Test func aFullDiskStopsIngestionWithoutDeadLetteringValidLines() throws {
        let dead = TestCity.temporaryFile("dead.jsonl")
        defer { try? FileManager.default.removeItem(atPath: dead) }
        let sink = EngineHaltTests.FailingSink(limit: 0)
        let engine = Engine(journal: sink, settings: EngineSettings(planLock: t0 + 86400))
        let ingestion = Ingestion(source: "feed", deadLetter: try DeadLetterFile(path: dead))
        let lines = SampleEvents.all.prefix(4).map { EventCodec.encode($0, utcOffsetSeconds: 0) }
        #expect(ingestion.take(lines[0], line: 1, engine: engine) == .stopped)
        #expect(engine.halted?.message.contains("no space left on device") == true)
        for (index, line) in lines.enumerated().dropFirst() { #expect(ingestion.take(line, line: index + 1, engine: engine) == .stopped) }
        #expect(ingestion.refused == 0)
        #expect(try String(contentsOfFile: dead, encoding: .utf8).isEmpty)
    }

    // 7. A feed rotated by copying over it (same inode, more bytes) is read again from its start.
    @Test func aFeedCopiedOverItselfIsReadFromItsStart() throws {
        let path = TestCity.temporaryFile("feed.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data("a1\na2\na3\n".utf8).write(to: URL(fileURLWithPath: path))
        let follower = try FeedFollower(path: path)
        #expect(follower.poll().count == 3)
        let handle = try #require(FileHandle(forWritingAtPath: path))  // same inode: truncate and write, as cp does
        try handle.truncate(atOffset: 0)
        handle.write(Data("b1\nb2\nb3\nb4\nb5\n".utf8))
        try handle.close()
        #expect(follower.poll().map { String(decoding: $0.bytes, as: UTF8.self) } == ["b1", "b2", "b3", "b4", "b5"])
    }

    /// A feed of R1's positions at these offsets from `t0`, followed by a `FeedSource` into a desk engine: how many
    /// lines it refused, the engine's clock after, and the lines `tower validate` finds bad.
    func follow(_ offsets: [Int64]) throws -> (refused: Int, clock: Instant?, bad: [Int]) {
        let path = TestCity.temporaryFile("slip.jsonl"), dead = TestCity.temporaryFile("slip.dead.jsonl")
        defer { for file in [path, dead] { try? FileManager.default.removeItem(atPath: file) } }
        let lines = offsets.enumerated().map { index, offset in
            EventCodec.encode(Event(id: "p\(index)", at: t0 + offset, by: "feed", body: .riderPosition(rider: "R1", position: DeskCity.hub)), utcOffsetSeconds: -10800)
        }
        try Data(lines.map { $0 + [0x0A] }.joined()).write(to: URL(fileURLWithPath: path))
        let engine = try DeskCity.engine(mode: .static)
        let source = FeedSource(follower: try FeedFollower(path: path), deadLetter: try DeadLetterFile(path: dead))
        source.advance(to: t0, engine: engine)
        var validator = FeedValidator(world: DeskCity.world())
        try validator.validate(path: path)
        return (source.deadLetters, engine.world.clock, validator.diagnostics.filter { $0.severity == .error }.map(\.line))
    }

    @Test func aFeedLineDatedHoursOnWhoseNextLineGoesOnFromBeforeIsASlipAndTheRestIsTaken() throws {
        let slip = try follow([0, 5 * 3600, 60, 120])
        #expect(slip.refused == 1 && slip.clock == t0 + 120, "the slip refused, the lines after it taken: \(slip)")
        #expect(slip.bad == [2], "validate names the slip, not the lines after it")
        let jump = try follow([0, 5 * 3600, 5 * 3600 + 60])
        #expect(jump.refused == 0 && jump.clock == t0 + 5 * 3600 + 60 && jump.bad.isEmpty, "a feed that really jumps goes on from the jump: \(jump)")
        let jitter = try follow([0, 600, 300])
        #expect(jitter.refused == 1 && jitter.bad == [3], "lines minutes out of order: the later one goes back in time, as before")
        let last = try follow([0, 60, 5 * 3600])
        #expect(last.refused == 0 && last.clock == t0 + 5 * 3600 && last.bad.isEmpty, "nothing after it to ask: taken")
    }

    // 10. Policy templates reach customers: no escape sequences, no unknown placeholders, no key set twice.
    @Test(arguments: [
        ("[templates]\ndelayed = hi \u{1B}]52;c;ZXZpbA==\u{07} {order}\n", "control characters or escape sequences are not allowed"),
        ("[templates]\ndelayed = hi {custmer}, {order}\n", "unknown placeholder {custmer}"),
        ("[general]\ncost_limit = 10\ncost_limit = 20\n", "cost_limit is set twice (first on line 2)"),
    ])
    func aPolicyFileWithAnUnsafeTemplateOrARepeatedKeyIsRefused(text: String, reason: String) {
        #expect { try PolicyParser.parse(text, file: "p.conf") } throws: { "\($0)".contains(reason) }
    }

    // 11. A line of any length is read in bounded memory and refused; the lines after it are still read.
    @Test func aHugeLineIsRefusedAndTheNextLineStillRead() throws {
        let path = TestCity.temporaryFile("huge.jsonl")
        defer { try? FileManager.default.removeItem(atPath: path) }
        var data = Data(repeating: UInt8(ascii: "x"), count: 10 << 20)
        data.append(contentsOf: Array("\n".utf8) + EventCodec.encode(SampleEvents.all[0], utcOffsetSeconds: 0) + Array("\n".utf8))
        try data.write(to: URL(fileURLWithPath: path))
        var seen: [(Int, Int)] = []
        try JournalReader.lines(path: path) { number, bytes, _ in
            seen.append((number, bytes.count))
            return true
        }
        #expect(seen.map(\.0) == [1, 2])
        #expect(seen[0].1 == EventCodec.maxLineBytes + 1, "of the long line only enough to refuse it is kept")
        var validator = FeedValidator()
        try validator.validate(path: path)
        #expect(validator.diagnostics.map(\.line) == [1] && validator.valid == 1)
    }

    // 12. Small ones: C1 controls escaped in what Tower writes, a repeated JSON key refused.
    @Test func c1ControlsAreEscapedAndRepeatedKeysRefused() throws {
        var w = JSONWriter()
        w.value("a\u{9B}31mb")
        #expect(w.string == #""a\u009b31mb""#)
        #expect(throws: JSONSyntaxError.self) { try JSONParser.parse(Array(#"{"id":"a","id":"b"}"#.utf8)) }
    }

    // 13. A second session.started (posted mid-day, or another journal's first line followed as a feed) renamed the
    // day, moved its clock's offset and its ETA model under the core: no restart could resume its journal.
    @Test func aSecondSessionStartedIsRefusedAndTheDayKeepsItsName() throws {
        let engine = try DeskCity.engine()
        let before = engine.world
        let feed = Feeder(engine, from: t0)
        #expect(throws: EventError.self) {
            try feed.send(.sessionStarted(name: "evil", seed: 9, utcOffsetSeconds: 0, source: "feed", currency: "XXX", etaModel: "", policy: "static"))
        }
        let world = engine.world
        #expect(world.name == before.name && world.seed == before.seed && world.utcOffsetSeconds == before.utcOffsetSeconds)
        #expect(world.etaModel == before.etaModel && world.currency == before.currency)
        try feed.send(.shiftStarted(rider: "R1"))
        #expect(engine.world.riders["R1"]?.status != .offShift, "the lines after it are taken")
    }

    // 14. A rider whose shift ended early (sick, a vehicle gone) kept its orders: nobody collected them and no case
    // said so, since a simulated rider ends its shift only with its route done.
    @Test func aShiftEndedEarlyHandsOnWhatIsNotCollectedAndAsksAboutWhatIsOnBoard() throws {
        let engine = try DeskCity.engine()
        let feed = Feeder(engine, from: t0)
        try feed.send(.shiftStarted(rider: "R1"))
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        try feed.send(.orderCreated(DeskCity.order("O-2", at: GeoPoint(lat: -22.93, lon: -43.18), window: window)))
        try #require(engine.world.orders["O-1"]?.rider == "R1" && engine.world.orders["O-2"]?.rider == "R1")
        try feed.send(.pickupDone(rider: "R1", order: "O-1"))
        try feed.send(.shiftStarted(rider: "R2"))
        try feed.send(.shiftEnded(rider: "R1"))
        let world = engine.world
        #expect(world.orders["O-2"]?.rider == "R2", "the order R1 had not collected goes to a rider on shift")
        #expect(!(world.routes["R1"]?.stops.contains { $0.order == "O-2" } ?? false))
        #expect(world.orders["O-1"]?.rider == "R1" && world.orders["O-1"]?.status == .pickedUp, "the parcel on board stays with R1")
        let cases = world.exceptions.values.filter { $0.kind == .contradictoryEvent && $0.subject == "R1" }
        #expect(cases.count == 1 && cases.first?.detail == "R1 ended the shift with 1 parcel on board: O-1", "\(cases.map(\.detail))")
        let ask = try #require(cases.first?.options.first { $0.action.kind == .askRider }, "ask the rider about it: \(cases.map(\.options))")
        #expect(ask.summary.contains("ask R1"))
        let option = try #require(cases.first?.options.firstIndex { $0.action.kind == .askRider }) + 1
        try engine.submit(Event(id: "approve", at: feed.time + 60, by: "ana", body: .exceptionApproved(exception: cases.first!.id, option: option, operator: "ana"),
                                role: .supervisor))
        #expect(engine.world.exceptions[cases.first!.id]?.state == .approved, "a rider whose shift ended can still be called")
    }

    // 15. An order updated past its rider's room (100 parcels for a motorbike of 20) stayed on the rider: the plan
    // carried what the rider cannot.
    @Test func anOrderThatOutgrowsItsRiderGoesToAnotherOrWaits() throws {
        let (engine, sink, feed) = try deskWithR1OnShift()
        try feed.send(.orderCreated(DeskCity.order("O-1", at: GeoPoint(lat: -22.92, lon: -43.19), window: window)))
        try #require(engine.world.orders["O-1"]?.rider == "R1")
        try feed.send(.orderUpdated(order: "O-1", changes: OrderChanges(parcels: 5)))
        #expect(engine.world.orders["O-1"]?.rider == "R1", "a change the rider can carry keeps it there")
        try feed.send(.orderUpdated(order: "O-1", changes: OrderChanges(parcels: 100)))
        #expect(engine.world.orders["O-1"]?.rider == nil && engine.world.orders["O-1"]?.status == .open, "no rider of this city carries 100")
        #expect(!(engine.world.routes["R1"]?.stops.contains { $0.order == "O-1" } ?? false))
        let reason = sink.events.compactMap { event -> String? in
            if case let .orderUnassigned(order, reason) = event.body, order == "O-1" { return reason }
            return nil
        }.last
        #expect(reason?.hasPrefix("order O-1 changed: O-1 is 100 parcels, over R1's 20") == true, "\(reason ?? "none")")
    }

    // 16. A core following a feed that has ended (stdin closed), fed over HTTP since: the world's clock moved with
    // the inputs, but the session's (the boards' header, the API's outlook) stayed at the feed's last line.
    @Test func aCoreWhoseFeedEndedKeepsTimeWithItsOtherInputs() throws {
        final class EndedFeed: EventSource {
            var label: String { "feed stdin ended" }
            var deadLetters: Int { 0 }
            func clock(proposed: Instant, engine: Engine) -> Instant { engine.world.clock ?? proposed }
            func advance(to time: Instant, engine: Engine) {}
            var isFinished: Bool { true }
            var finishedMessage: String { "standard input closed" }
            var hasPace: Bool { false }
            var ingestionProblem: String? { nil }
            func writeCheckpoint(engine: Engine) {}
        }
        let engine = try DeskCity.engine()
        let session = CoreSession(engine: engine, source: EndedFeed(), start: t0, speed: 1)
        try engine.submit(Event(id: "http-1", at: t0 + 3600, by: "feed", body: .shiftStarted(rider: "R1")))
        session.step(elapsed: 1)
        #expect(session.now == t0 + 3600 && session.status.now == (t0 + 3600).seconds)
    }

    // 17. A feed written by a service that starts its file with a byte-order mark: its first line was refused as
    // invalid JSON.
    @Test func aByteOrderMarkBeforeALineIsSkipped() throws {
        let line = Array("\u{FEFF}".utf8) + EventCodec.encode(Event(id: "p1", at: t0, by: "feed", body: .shiftStarted(rider: "R1")), utcOffsetSeconds: -10800)
        guard case let .event(event, _) = line.withUnsafeBufferPointer({ JournalReader.decode($0) }) else {
            Issue.record("the line after the mark was not read")
            return
        }
        #expect(event.id == "p1")
    }

    // 18. A rider registered again mid-day (a bicycle for the van, a shift cut short) kept every order: the plan
    // carried a van's load on a bicycle past the rider's last hour, and nobody was told.
    @Test func aRiderRegisteredAgainWithLessKeepsOnlyWhatItCanCarry() throws {
        let (engine, sink, feed) = try deskWithR1OnShift()
        let later = TimeWindow(start: t0 + 3 * 3600, end: t0 + 5 * 3600)
        for index in 1...6 {
            var order = DeskCity.order("O-\(index)", at: GeoPoint(lat: -22.92, lon: -43.19 + Double(index) * 0.002), window: index <= 4 ? window : later)
            order.pinnedRider = "R1"
            try feed.send(.orderCreated(order))
        }
        try #require((1...6).allSatisfy { engine.world.orders["O-\($0)"]?.rider == "R1" })
        for index in 1...3 { try feed.send(.pickupDone(rider: "R1", order: "O-\(index)")) }
        func reasons(_ order: String) -> [String] {
            sink.events.compactMap { event in
                switch event.body {
                case let .orderReassigned(id, _, _, reason) where id == order, let .orderUnassigned(id, reason) where id == order: reason
                default: nil
                }
            }
        }
        // The shift now ends before O-5's and O-6's windows open: they go; the rest stays.
        var profile = DeskCity.rider("R1")
        profile.shift.end = t0 + 2 * 3600
        try feed.send(.riderRegistered(profile))
        #expect(engine.world.orders["O-5"]?.rider != "R1" && engine.world.orders["O-6"]?.rider != "R1")
        #expect(reasons("O-5").last?.hasPrefix("R1 registered again: O-5's window opens at 13:00, after R1's shift ends at 12:00") == true, "\(reasons("O-5"))")
        #expect(engine.world.orders["O-4"]?.rider == "R1" && !(engine.world.routes["R1"]?.stops.contains { $0.order == "O-5" } ?? true))
        // A bicycle with room for 2 parcels: O-4, not collected, goes; the three on board stay, and a case asks.
        profile.vehicle = .bicycle
        profile.capacityParcels = 2
        try feed.send(.riderRegistered(profile))
        #expect(engine.world.orders["O-4"]?.rider != "R1", "\(reasons("O-4"))")
        #expect(reasons("O-4").last?.contains("with 2 parcels and 60 kg of room, O-4") == true, "\(reasons("O-4"))")
        #expect((1...3).allSatisfy { engine.world.orders["O-\($0)"]?.rider == "R1" && engine.world.orders["O-\($0)"]?.status == .pickedUp })
        let asked = engine.world.exceptions.values.filter { $0.kind == .contradictoryEvent && $0.subject == "R1" }
        #expect(asked.first?.detail == "R1 registered again with room for 2 parcels and 60 kg, carrying 3 and 6 kg", "\(asked.map(\.detail))")
    }
}
