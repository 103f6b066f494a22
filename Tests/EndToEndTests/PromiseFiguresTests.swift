import Foundation
import Testing
import TowerCore

/// The figures `simulate --json` prints, recomputed from the journal it wrote, by the customer's booked window.
@Suite struct PromiseFiguresTests {
    @Test func lateInTheJSONIsTheJournalsDeliveriesAfterTheirBookedWindow() throws {
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/day.jsonl"
        let run = try Tower.run(["simulate", "--scenario", city, "--seed", "2", "--journal", journal, "--json"])
        let json = try JSONParser.parse(Array(run.stdout.utf8))
        // The booked window: from order.created, or an order.updated by anyone but the core.
        var booked: [String: Instant] = [:], moved: Set<String> = [], late = 0, kept = 0, broken = 0
        var delivered: [String: Instant] = [:]
        var riderless: [String: Bool] = [:]  // by the order's last event: created or unassigned, and nothing since
        var createdAt: [String: Instant] = [:], planLock: Instant?
        for line in try String(contentsOfFile: journal, encoding: .utf8).split(separator: "\n") {
            let event = try EventCodec.decode(line: Array(line.utf8)).event
            switch event.body {
            case let .orderCreated(order): riderless[order.id] = true
            case let .orderUnassigned(order, _): riderless[order] = true
            case let .orderAssigned(order, _, _), let .orderReassigned(order, _, _, _), let .deliveryDone(_, order),
                 let .deliveryFailed(_, order, _), let .orderCancelled(order, _): riderless[order] = false
            default: break
            }
            switch event.body {
            case let .orderCreated(order): booked[order.id] = order.window.end; createdAt[order.id] = event.at
            case .routePlanned: planLock = planLock ?? event.at
            case let .orderUpdated(order, changes):
                guard let window = changes.window else { break }
                if event.by == Event.core { moved.insert(order) } else { booked[order] = window.end; moved.remove(order) }
            case let .deliveryDone(_, order): delivered[order] = event.at
            case let .orderCancelled(order, _): booked[order] = nil  // not a promise to keep
            default: break
            }
        }
        var sameDay = (kept: 0, broken: 0)  // of the orders booked after the plan lock (the first plan)
        let lock = try #require(planLock)
        for (order, end) in booked {
            let isKept = delivered[order].map { $0 <= end } ?? false  // else late, failed, or never delivered
            if isKept { kept += 1 } else { broken += 1 }
            if let at = delivered[order], at > end { late += 1 }
            if createdAt[order]! > lock { if isKept { sameDay.kept += 1 } else { sameDay.broken += 1 } }
        }
        #expect(sameDay.kept > 0 && sameDay.broken > 0, "the day's own bookings, kept and broken")
        #expect(json["promises"]?["booked_same_day"]?["kept"] == .number(Double(sameDay.kept)))
        #expect(json["promises"]?["booked_same_day"]?["broken"] == .number(Double(sameDay.broken)))
        #expect(late > 0, "the day has late deliveries to count")
        #expect(json["late"] == .number(Double(late)))
        #expect(json["promises"]?["kept"] == .number(Double(kept)))
        #expect(json["promises"]?["broken"] == .number(Double(broken)))
        #expect(json["promises"]?["moved"] == .number(Double(moved.count)))
        // Over every order not cancelled: the day is over, so none is still open.
        #expect(json["promises"]?["pending"] == .number(0))
        guard case let .number(rate)? = json["promises"]?["kept_rate"] else { Issue.record("no kept_rate"); return }
        #expect(abs(rate - Double(kept) / Double(booked.count)) < 0.00005)
        // The report says how many were left without a rider at the end, as the journal does.
        let left = riderless.values.filter { $0 }.count
        #expect(left > 0, "the day leaves orders no rider could take")
        let report = try Tower.run(["report", journal])
        let row = report.stdout.split(separator: "\n").first { $0.hasPrefix("  without a rider at the end") }
        #expect(row?.split(separator: " ").last == Substring(String(left)), "\(row ?? "no row"), \(left) in the journal")
    }
}

/// A run stopped before any window has closed or any delivery been made has no rates to give: the JSON says null
/// (not 0, which would read as every promise broken), the report says none is decided.
@Suite struct UndecidedFiguresTests {
    @Test func aRunStoppedBeforeAnythingIsDecidedHasNoRates() throws {
        let city = try Tower.smallCity()
        let folder = URL(fileURLWithPath: city).deletingLastPathComponent().path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let journal = folder + "/early.jsonl"
        let run = try Tower.run(["simulate", "--scenario", city, "--seed", "2", "--until", "06:05", "--journal", journal, "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONParser.parse(Array(run.stdout.utf8))
        #expect(json["delivered"] == .number(0) && json["promises"]?["kept"] == .number(0) && json["promises"]?["broken"] == .number(0), "\(run.stdout.prefix(300))")
        for rate in ["on_time_rate", "first_attempt_rate", "eta_accuracy_rate", "eta_accuracy_at_dispatch"] {
            #expect(json[rate] == .null, "\(rate): \(String(describing: json[rate]))")
        }
        #expect(json["promises"]?["kept_rate"] == .null)
        let report = try Tower.run(["report", journal])
        let kept = report.stdout.split(separator: "\n").first { $0.hasPrefix("promises kept") }.map(String.init) ?? ""
        #expect(report.status == 0 && kept.contains("— (0 kept, 0 broken"), "\(report.stdout.prefix(800))")
        let html = folder + "/early.html"
        #expect(try Tower.run(["report", "--html", html, journal]).status == 0)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("no promise decided yet") && !page.contains("0.0% of promises kept"), "\(page.prefix(2000))")
    }
}

/// `tower bench hindsight`: each policy's kept rate beside the day played with every order known at the plan lock.
@Suite struct HindsightBenchTests {
    @Test func eachPolicyIsSetAgainstTheDayWithEveryOrderKnown() throws {
        let city = try Tower.smallCity()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: city).deletingLastPathComponent().path) }
        let run = try Tower.run(["bench", "hindsight", "--scenario", city, "--seed", "3", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONParser.parse(Array(run.stdout.utf8))
        let simulated = try Tower.run(["simulate", "--scenario", city, "--seed", "3", "--policy", "continuous-auto", "--json"])
        let auto = try JSONParser.parse(Array(simulated.stdout.utf8))["promises"]?["kept_rate"]
        guard case let .array(runs)? = json["runs"], let first = runs.first,
              case let .number(keptRate)? = auto, case let .number(benchRate)? = first["continuous-auto"],
              case let .number(hindsight)? = json["mean_kept_rate"]?["hindsight"], case let .number(gap)? = json["gap"]?["continuous-auto"] else {
            Issue.record("missing figures: \(run.stdout)")
            return
        }
        #expect(abs(benchRate - keptRate) < 1e-3, "the bench's continuous-auto day is simulate's")
        #expect((0...1).contains(hindsight))
        #expect(abs(gap - (benchRate - hindsight)) < 1e-9)
        #expect(json["gap_interval"]?["continuous-auto"] == .number(0), "one seed: no interval")
        // Beside the bound, the looser day whose parcels are all ready from the start, with the gap to it.
        guard case let .number(early)? = first["hindsight_parcels_ready_at_start"],
              case let .number(earlyGap)? = json["gap_to_parcels_ready_at_start"]?["continuous-auto"] else {
            Issue.record("missing the day with every parcel ready from the start: \(run.stdout)")
            return
        }
        #expect((0...1).contains(early))
        #expect(abs(earlyGap - (benchRate - early)) < 1e-9)
        // The orders booked after the lock: the live day's figure is simulate's, and the hindsight day, whose orders
        // are all known at its start, is read on the same orders (not on none).
        let sameDay = json["mean_kept_rate_booked_same_day"]
        guard case let .number(autoSameDay)? = sameDay?["continuous-auto"], case let .number(hindsightSameDay)? = sameDay?["hindsight"],
              case let .number(simulatedSameDay)? = try JSONParser.parse(Array(simulated.stdout.utf8))["promises"]?["booked_same_day"]?["kept_rate"] else {
            Issue.record("missing same-day figures: \(run.stdout)")
            return
        }
        #expect(abs(autoSameDay - simulatedSameDay) < 1e-3)
        #expect((0...1).contains(hindsightSameDay))
    }

    @Test func theGapIsReadWithItsIntervalOverTheSeeds() throws {
        let city = try Tower.smallCity()
        defer { try? FileManager.default.removeItem(atPath: URL(fileURLWithPath: city).deletingLastPathComponent().path) }
        let run = try Tower.run(["bench", "hindsight", "--scenario", city, "--seed", "3", "--runs", "2", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        let json = try JSONParser.parse(Array(run.stdout.utf8))
        guard case let .array(runs)? = json["runs"], runs.count == 2 else { Issue.record("two runs: \(run.stdout)"); return }
        for policy in ["static", "continuous", "continuous-auto"] {
            let gaps = runs.compactMap { run -> Double? in
                guard case let .number(kept)? = run[policy], case let .number(bound)? = run["hindsight"] else { return nil }
                return kept - bound
            }
            guard gaps.count == 2, case let .number(half)? = json["gap_interval"]?[policy], case let .number(mean)? = json["gap"]?[policy] else {
                Issue.record("missing \(policy)'s gap: \(run.stdout)")
                continue
            }
            // Two seeds: the mean of the gaps, and 12.706 (Student's t, one degree of freedom) times half their difference.
            #expect(abs(mean - (gaps[0] + gaps[1]) / 2) < 1e-9)
            #expect(abs(half - 12.706 * abs(gaps[0] - gaps[1]) / 2) < 1e-9, "\(policy): \(half) from \(gaps)")
        }
    }
}
