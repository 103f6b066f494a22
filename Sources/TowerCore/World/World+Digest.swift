extension World {
    /// A SHA-256 of a canonical text of the whole world (sorted by id, every field), as 64 hex digits.
    /// Equal worlds give equal digests on any machine; the same journal always gives the same digest.
    public var digest: String {
        var hasher = SHA256()
        func line(_ text: String) { hasher.update(text); hasher.update(CollectionOfOne(UInt8(ascii: "\n"))) }
        func t(_ instant: Instant?) -> String { instant.map { String($0.seconds) } ?? "-" }
        func n(_ value: Double) -> String { formatNumber(value) }
        func p(_ point: GeoPoint) -> String { n(point.lat) + "," + n(point.lon) }

        line("world|\(name)|\(seed.map(String.init) ?? "-")|\(utcOffsetSeconds)|\(t(clock))|\(lastSeq)|\(notificationsSent)")
        for id in zones.keys.sorted() {
            let z = zones[id]!
            line("zone|\(z.id)|\(z.name)|\(n(z.area.south)),\(n(z.area.west)),\(n(z.area.north)),\(n(z.area.east))|\(n(z.baseSpeedKmh))")
        }
        if channels != .standard {
            var w = JSONWriter()
            w.beginObject(); ChannelTermsCodec.write(channels, into: &w); w.endObject()
            line("channels|" + w.string)
        }
        for id in hubs.keys.sorted() {
            let h = hubs[id]!
            line("hub|\(h.id)|\(h.name)|\(p(h.location))|\(h.zone)")
        }
        for id in riders.keys.sorted() {
            let r = riders[id]!, f = r.profile
            line("rider|\(f.id)|\(f.name)|\(f.channel.rawValue)|\(f.vehicle.rawValue)|\(f.capacityParcels)|\(n(f.capacityKg))|"
                + "\(f.skills.map(\.rawValue).sorted().joined(separator: "+"))|\(t(f.shift.start))-\(t(f.shift.end))|"
                + "\(n(f.costPerHour))|\(n(f.costPerKm))|\(n(f.costPerDrop))|\(f.hub)|\(f.zone)|"
                + "\(r.status.rawValue)|\(p(r.position))|\(t(r.positionAt))|\(r.onBoard.joined(separator: "+"))|"
                + "\(r.loadParcels)|\(n(r.loadKg))|\(r.delivered)|\(r.failed)|\(n(r.kmDriven))|"
                + "\(t(r.shiftStartedAt))|\(t(r.shiftEndedAt))|\(t(r.brokenDownSince))|\(t(r.movedAt))|\(r.legFrom.map(p) ?? "-")")
        }
        for id in orders.keys.sorted() {
            let o = orders[id]!
            let pickup: String
            switch o.pickup {
            case let .hub(hub): pickup = "hub:" + hub
            case let .point(point): pickup = "pt:" + p(point)
            }
            line("order|\(o.id)|\(t(o.createdAt))|\(pickup)|\(p(o.drop))|\(o.zone)|\(t(o.window.start))-\(t(o.window.end))|"
                + "\(t(o.promised.start))-\(t(o.promised.end))|\(o.serviceSeconds)|\(o.tier.rawValue)|"
                + "\(o.requiredSkills.map(\.rawValue).sorted().joined(separator: "+"))|\(o.parcels)|\(n(o.kg))|"
                + "\(o.customerName)|\(o.contactToken)|\(o.notes)|\(o.status.rawValue)|\(o.rider ?? "-")|\(o.attempts)|"
                + "\(t(o.pickedUpAt))|\(t(o.completedAt))|\(o.failureReason?.rawValue ?? "-")|\(o.pinnedRider ?? "-")|\(t(o.arrivedAt))|\(t(o.notifiedAt))|\(t(o.assignedAt))|"
                + "\(t(o.booked.start))-\(t(o.booked.end))|\(t(o.promiseMovedAt))" + (o.readyAt.map { "|ready \(t($0))" } ?? ""))
        }
        for id in routes.keys.sorted() {
            let route = routes[id]!
            line("route|\(id)|\(t(route.plannedAt))|" + route.stops.map { "\($0.order):\($0.kind.rawValue):\($0.eta.seconds)" }.joined(separator: ","))
        }
        for id in incidents.keys.sorted() {
            let i = incidents[id]!
            line("incident|\(i.id)|\(i.zone)|\(n(i.slowdown))|\(t(i.since))|\(t(i.until))|\(i.note)")
        }
        for id in exceptions.keys.sorted() {
            let e = exceptions[id]!
            line("exception|\(e.id)|\(e.kind.rawValue)|\(e.subject)|\(e.detail)|\(t(e.raisedAt))|\(e.state.rawValue)|"
                + e.options.map { "\($0.action):\(n($0.costDelta)):\($0.summary)" }.joined(separator: ";")
                + "|\(t(e.deadline))|\(e.defaultAction?.description ?? "-")|\(e.escalationReason ?? "-")|\(e.resolution?.text ?? "-")|\(e.rule ?? "-")|\(t(e.resolvedAt))|\(e.decidedBy ?? "-")"
                + (e.covering.isEmpty ? "" : "|covering " + e.covering.joined(separator: ",")))
        }
        return hasher.finalize().hexString
    }
}
