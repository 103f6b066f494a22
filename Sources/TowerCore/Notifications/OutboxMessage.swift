/// One customer message, as the outbox holds it and a webhook receives it (one JSON object per line).
///
/// `id` is the id of the journal's `customer.notified` event: the key that keeps each message written and
/// sent once, however often Tower restarts.
public struct OutboxMessage: Hashable, Sendable {
    public var id: String
    public var at: Instant
    public var order: String
    /// The order's opaque contact token: the notification service knows whom it stands for; Tower does not.
    public var contact: String
    public var kind: NoticeKind
    public var text: String
    /// The new window the customer is told, when the message moves it.
    public var window: TimeWindow?

    /// The message a `customer.notified` event carries, or nil for any other event.
    public init?(event: Event, contact: String) {
        guard case let .customerNotified(order, kind, text, window) = event.body else { return nil }
        id = event.id; at = event.at; self.order = order; self.contact = contact; self.kind = kind; self.text = text
        self.window = window
    }

    /// The message as one JSON object (without the line break), times in the journal's offset.
    public func json(utcOffsetSeconds: Int) -> [UInt8] {
        var w = JSONWriter()
        func time(_ instant: Instant) -> String { ISOTime.format(instant, offsetSeconds: utcOffsetSeconds) }
        w.beginObject()
        w.key("id"); w.value(id)
        w.key("at"); w.value(time(at))
        w.key("order"); w.value(order)
        w.key("contact"); w.value(contact)
        w.key("kind"); w.value(kind.rawValue)
        w.key("message"); w.value(text)
        if let window {
            w.key("window_start"); w.value(time(window.start))
            w.key("window_end"); w.value(time(window.end))
        }
        w.endObject()
        return w.bytes
    }

    /// The id of a line of an outbox file, or the reason it has none.
    public static func id(ofLine line: some Collection<UInt8>) throws(ToolError) -> String {
        let value: JSONValue
        do { value = try JSONParser.parse(line) } catch { throw ToolError("\(error)") }
        guard case let .string(id)? = value["id"], !id.isEmpty else { throw ToolError("no \"id\" string") }
        return id
    }
}
