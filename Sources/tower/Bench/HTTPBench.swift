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
        let api = CoreAPI(session: session, deadLetter: nil, devices: devices)
        let http = try HTTPServer(address: "127.0.0.1:0", handler: api.osmand)
        http.beforeReplies = api.commit
        let before = started.engine.world.lastSeq
        BenchOutput.say("city: \(riders) riders; \(clients) phones' connections kept alive, each posting positions for its riders in turn, for \(Int(seconds)) s")

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
        for index in 0..<clients {
            let phones = stride(from: index, to: riderIDs.count, by: clients).map { "phone-\($0)" }
            Thread { phone(phones: phones, port: port, center: center, shared: shared); clientsDone.signal() }.start()
        }
        let start = Date()
        Thread.sleep(forTimeInterval: seconds)
        shared.stop.withLock { $0 = true }
        for _ in 0..<clients { clientsDone.wait() }
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
        BenchOutput.say("time to the 200: p50 \(BenchOutput.ms(latencies, 0.5, digits: 2)) p99 \(BenchOutput.ms(latencies, 0.99, digits: 2)); peak memory \(usage.ru_maxrss / 1024) MB (target: 20,000 per second)")
    }

    /// One connection: requests one after the other (as a phone's client does), each answered before the next.
    private static func phone(phones: [String], port: UInt16, center: GeoPoint, shared: Shared) {
        guard !phones.isEmpty else { return }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { shared.failures.withLock { $0.append("connect: \(String(cString: strerror(errno)))") }; return }
        defer { close(fd) }
        var yes: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count = 0
        var latencies: [Double] = []
        var failure: String?
        while !shared.stop.withLock({ $0 }) {
            let phone = phones[count % phones.count]
            count += 1
            let lat = center.lat + Double(count % 997) * 1e-5, lon = center.lon + Double(count % 991) * 1e-5
            let request = Array("GET /?id=\(phone)&lat=\(lat)&lon=\(lon)&speed=5 HTTP/1.1\r\nHost: bench\r\n\r\n".utf8)
            let sent = DispatchTime.now().uptimeNanoseconds
            guard request.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }) == request.count else { failure = "send failed"; break }
            var got: [UInt8] = []
            while !(got.count >= 4 && got.suffix(4) == [13, 10, 13, 10]) {
                let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { failure = "connection closed"; break }
                got += buffer[0..<n]
            }
            if failure != nil { break }
            guard got.starts(with: Array("HTTP/1.1 200".utf8)) else { failure = String(decoding: got.prefix(80), as: UTF8.self); break }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - sent) / 1e9)
        }
        if let failure { shared.failures.withLock { $0.append(failure) } }
        shared.latencies.withLock { $0 += latencies }
        shared.answered.withLock { $0 += latencies.count }
    }


}
