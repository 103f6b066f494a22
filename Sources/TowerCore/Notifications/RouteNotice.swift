/// What a rider's app is told when the core changes their stops: the stops to come, in order, with their planned
/// arrival and the window promised. The id is the `route.planned` event's, so a webhook's idempotency key names it.
struct RouteNotice {
    var id: String
    var at: Instant
    var rider: String
    var stops: [Stop]
    var trigger: String
    var world: World

    func json(utcOffsetSeconds: Int) -> [UInt8] {
        var w = JSONWriter()
        func time(_ instant: Instant) -> String { ISOTime.format(instant, offsetSeconds: utcOffsetSeconds) }
        w.beginObject()
        w.key("id"); w.value(id)
        w.key("at"); w.value(time(at))
        w.key("rider"); w.value(rider)
        w.key("why"); w.value(TextSanitizer.clean(trigger))
        w.key("stops"); w.beginArray()
        for stop in stops {
            w.beginObject()
            w.key("order"); w.value(stop.order)
            w.key("kind"); w.value(stop.kind.rawValue)
            w.key("eta"); w.value(time(stop.eta))
            if let window = world.orders[stop.order]?.promised {
                w.key("window"); w.beginArray(); w.value(time(window.start)); w.value(time(window.end)); w.endArray()
            }
            w.endObject()
        }
        w.endArray()
        w.endObject()
        return w.bytes
    }
}
