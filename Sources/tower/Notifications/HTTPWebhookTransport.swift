import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TowerCore

/// POSTs messages with Foundation's URLSession (http and https), one at a time, blocking the calling thread
/// (the relay's own) until the answer or the timeout.
struct HTTPWebhookTransport: WebhookTransport {
    let url: URL
    var timeout: TimeInterval = 10
    private let session: URLSession

    /// Checks the address: an absolute http or https URL with a host.
    init(address: String) throws {
        guard let url = URL(string: address), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              url.host?.isEmpty == false else {
            throw UsageError(message: "--webhook needs an http:// or https:// address, got '\(TextSanitizer.clean(address))'")
        }
        self.url = url
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.httpMaximumConnectionsPerHost = 1
        configuration.httpShouldUsePipelining = false
        session = URLSession(configuration: configuration)
    }

    func post(_ body: [UInt8], key: String) -> DeliveryResult {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.httpBody = Data(body)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(key, forHTTPHeaderField: "Idempotency-Key")
        request.setValue("tower", forHTTPHeaderField: "User-Agent")
        // A fresh connection per message: a reused one that the endpoint dropped makes the HTTP library send the
        // POST again on its own, unseen by the relay (a message twice), after a stall.
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
