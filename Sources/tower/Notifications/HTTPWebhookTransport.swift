import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TowerCore

/// POSTs messages one at a time, blocking the calling thread (the relay's own) until the answer or the timeout:
/// `http://` on a socket of its own per message (`PlainHTTPPost`), `https://` with Foundation's URLSession.
struct HTTPWebhookTransport: WebhookTransport {
    let url: URL
    var timeout: TimeInterval = 10
    private let session: URLSession
    private let plain: PlainHTTPPost?

    /// Checks the address: an absolute http or https URL with a host, and a port a socket can have.
    /// - Parameter option: the option that gave it, for the error (`webhook`, `rider-webhook`).
    init(address: String, option: String = "webhook") throws {
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else {
            throw UsageError(message: "--\(option) needs an http:// or https:// address, got '\(TextSanitizer.clean(address))'")
        }
        guard let port = UInt16(exactly: url.port ?? (scheme == "http" ? 80 : 443)), port > 0 else {
            throw UsageError(message: "--\(option)'s port \(url.port ?? 0) is not one from 1 to 65535, in '\(TextSanitizer.clean(address))'")
        }
        self.url = url
        plain = scheme == "http" ? PlainHTTPPost(host: url.host!, port: port,
                                                 path: url.path.isEmpty ? "/" : url.path + (url.query.map { "?" + $0 } ?? ""),
                                                 timeout: timeout) : nil
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        session = URLSession(configuration: configuration)
    }

    func post(_ body: [UInt8], key: String) -> DeliveryResult {
        if let plain {
            switch plain.send(body, headers: [("Content-Type", "application/json"), ("Idempotency-Key", key), ("User-Agent", "tower")]) {
            case let .success(status): return .of(status: status)
            case let .failure(failure): return .retry(failure.reason)
            }
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("tower", forHTTPHeaderField: "User-Agent")
        request.setValue("close", forHTTPHeaderField: "Connection")
        let answer = Answer()
        let task = session.dataTask(with: request) { _, response, error in
            let result: DeliveryResult
            if let status = (response as? HTTPURLResponse)?.statusCode {
                result = .of(status: status)
            } else {
                result = .retry(error.map { ($0 as NSError).localizedDescription } ?? "no answer")
            }
            answer.set(result)
        }
        task.resume()
        return answer.wait(seconds: timeout + 5) ?? { task.cancel(); return .retry("no answer in \(Int(timeout)) s") }()
    }

    /// The answer of one request, handed from URLSession's queue to the waiting thread.
    private final class Answer: Sendable {
        private let result = Mutex<DeliveryResult?>(nil)
        private let ready = DispatchSemaphore(value: 0)

        func set(_ value: DeliveryResult) {
            result.withLock { $0 = value }
            ready.signal()
        }

        func wait(seconds: Double) -> DeliveryResult? {
            guard ready.wait(timeout: .now() + seconds) == .success else { return nil }
            return result.withLock { $0 }
        }
    }
}
