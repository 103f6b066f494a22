import Foundation
import Glibc
import Synchronization
import TowerCore
import TowerService

/// `tower bench http`: drivers' phones posting positions (OsmAnd query form) over keep-alive connections into a
/// generated city, with every accepted position journaled and synced to disk before its reply (the core's group
/// commit: one fsync per pass of its loop). Positions per second, p50 and p99 time to the 200, peak memory.
enum HTTPBench {
    private final class Shared: Sendable {
        let latencies = Mutex([Double]())
        let answered = Mutex(0)
        let failures = Mutex([String]())
        /// The phones stop first; the core goes on answering until they have.
        let stop = Mutex(false)
        let stopCore = Mutex(false)
    }

    static func run(riders: Int, clients: Int, seconds: Double) throws {
        let work = "/tmp/tower-bench-http-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        try ScenarioGenerator(name: "bench-http", seed: 6, riders: riders, orders: riders * 4).write(to: work + "/city")
        let scenario = try ScenarioLoader.load(directory: work + "/city")
        let started = try SessionStarter.start(scenario: scenario, seed: 1, journalPath: work + "/j.jsonl", durability: .live)
        let clock = scenario.planLock + 600
        started.simulation.run(until: clock, engine: started.engine)
        started.engine.sync()
        let session = CoreSession(engine: started.engine, source: SimulationSource(simulation: started.simulation), start: clock, speed: 60, paused: true)
        let riderIDs = started.engine.world.riderIDs
        let devices = DeviceMap(riders: Dictionary(uniqueKeysWithValues: riderIDs.enumerated().map { ("phone-\($0.offset)", $0.element) }))
        let api = try CoreAPI(session: session, deadLetter: nil, devices: devices)
        let http = try HTTPServer(address: "127.0.0.1:0", respond: api.osmand)
        http.gate = api.commits
        let before = started.engine.world.lastSeq
        let writesBefore = started.engine.journal?.writeTime ?? DurationTally()
        BenchOutput.say("city: \(riders) riders; \(clients) phones' connections kept alive (driven by \(min(Self.clientThreads, clients)) client threads), each posting positions for its riders in turn, one at a time, for \(Int(seconds)) s")

        let shared = Shared()
        let core = Handoff((session, http))
        let coreDone = DispatchSemaphore(value: 0)
        let coreThread = Thread {
            while !shared.stopCore.withLock({ $0 }) { core.value.1.serve(timeout: 10) }
            coreDone.signal()
        }
        coreThread.start()
        let port = http.port
        let clientsDone = DispatchSemaphore(value: 0)
        let center = scenario.zones.first.map { GeoPoint(lat: ($0.area.south + $0.area.north) / 2, lon: ($0.area.west + $0.area.east) / 2) }
            ?? GeoPoint(lat: -22.9, lon: -43.2)
        let lists = (0..<clients).map { index in stride(from: index, to: riderIDs.count, by: clients).map { "phone-\($0)" } }
        let threads = min(Self.clientThreads, clients)
        for thread in 0..<threads {
            let share = Array(stride(from: thread, to: lists.count, by: threads).map { lists[$0] })
            Thread { phones(share, port: port, center: center, shared: shared); clientsDone.signal() }.start()
        }
        let start = Date()
        Thread.sleep(forTimeInterval: seconds)
        shared.stop.withLock { $0 = true }
        for _ in 0..<threads { clientsDone.wait() }
        let wall = Date().timeIntervalSince(start)
        shared.stopCore.withLock { $0 = true }
        coreDone.wait()
        http.close()
        for failure in shared.failures.withLock({ Array($0.prefix(5)) }) { BenchOutput.say("problem: \(failure)") }
        let latencies = shared.latencies.withLock { $0 }.sorted()
        let journaled = session.engine.world.lastSeq - before
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        BenchOutput.say(String(format: "positions answered: %d in %.1f s = %.0f per second; journaled: %lld (each synced before its reply)",
                   shared.answered.withLock { $0 }, wall, Double(shared.answered.withLock { $0 }) / wall, journaled))
        let writesAfter = session.engine.journal?.writeTime ?? DurationTally()
        let writes = (count: writesAfter.count - writesBefore.count, seconds: writesAfter.seconds - writesBefore.seconds)
        BenchOutput.say(String(format: "journal: %d group commits, %.2f ms each on average (the fsync, off the core's thread); %d steps written, %.1f µs each",
                               api.commits.syncs.count, api.commits.syncs.seconds / Double(max(api.commits.syncs.count, 1)) * 1000,
                               writes.count, writes.seconds / Double(max(writes.count, 1)) * 1e6))
        BenchOutput.say("time to the 200: p50 \(BenchOutput.ms(latencies, 0.5, digits: 2)) p99 \(BenchOutput.ms(latencies, 0.99, digits: 2)); peak memory \(usage.ru_maxrss / 1024) MB (target: 20,000 per second)")
    }

    /// Threads that play the phones: each drives its share of the connections with poll(2), as a load generator
    /// does, so the clients cost the machine little beside the core (on a real server the phones are elsewhere).
    static let clientThreads = 2

    /// One kept-alive connection of the load: a request at a time (as a phone's client sends), the next once the
    /// 200 is in.
    private final class Line {
        let fd: Int32
        let phones: [String]
        var count = 0
        var sentAt: UInt64 = 0
        var got: [UInt8] = []
        init(fd: Int32, phones: [String]) { self.fd = fd; self.phones = phones }
    }

    /// Opens connections for each list of phones and posts positions over them until told to stop.
    private static func phones(_ lists: [[String]], port: UInt16, center: GeoPoint, shared: Shared) {
        var lines: [Line] = []
        defer { for line in lines { close(line.fd) } }
        for phones in lists where !phones.isEmpty {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard connected == 0 else { shared.failures.withLock { $0.append("connect: \(String(cString: strerror(errno)))") }; close(fd); return }
            var yes: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            lines.append(Line(fd: fd, phones: phones))
        }
        var latencies: [Double] = []
        var failure: String?
        var buffer = [UInt8](repeating: 0, count: 4096)
        func send(_ line: Line) -> Bool {
            let phone = line.phones[line.count % line.phones.count]
            line.count += 1
            let lat = center.lat + Double(line.count % 997) * 1e-5, lon = center.lon + Double(line.count % 991) * 1e-5
            let request = Array("GET /?id=\(phone)&lat=\(lat)&lon=\(lon)&speed=5 HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
            line.sentAt = DispatchTime.now().uptimeNanoseconds
            return request.withUnsafeBytes { Glibc.send(line.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } == request.count
        }
        for line in lines where !send(line) { failure = "send failed" }
        var fds = lines.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        while failure == nil, !shared.stop.withLock({ $0 }) {
            guard poll(&fds, nfds_t(fds.count), 100) > 0 else { continue }
            for (index, line) in lines.enumerated() where fds[index].revents != 0 {
                let n = buffer.withUnsafeMutableBytes { recv(line.fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { failure = "connection closed"; break }
                line.got += buffer[0..<n]
                // A 200 to a phone has an empty body: the reply ends with its header.
                guard line.got.count >= 4, line.got.suffix(4) == [13, 10, 13, 10] else { continue }
                guard line.got.starts(with: Array("HTTP/1.1 200".utf8)) else { failure = String(decoding: line.got.prefix(80), as: UTF8.self); break }
                latencies.append(Double(DispatchTime.now().uptimeNanoseconds - line.sentAt) / 1e9)
                line.got.removeAll(keepingCapacity: true)
                if !send(line) { failure = "send failed"; break }
            }
        }
        if let failure { shared.failures.withLock { $0.append(failure) } }
        shared.latencies.withLock { $0 += latencies }
        shared.answered.withLock { $0 += latencies.count }
    }
}
