/// The world's bulky values as `CompactRecord`s, so a board's snapshot reads them field by field (see
/// `CompactRecord`): orders, routes and their stops, exception cases, the outlook's lanes, and the small values
/// inside them. Each pair of functions names the same fields in the same order.

extension Tier: CompactField {}
extension Skill: CompactField {}
extension OrderStatus: CompactField {}
extension FailureReason: CompactField {}
extension Stop.Kind: CompactField {}
extension ExceptionKind: CompactField {}
extension ExceptionCase.State: CompactField {}
extension ActionKind: CompactField {}

extension GeoPoint: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(lat); fields.write(lon)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(lat: try fields.read(), lon: try fields.read())
    }
}

extension TimeWindow: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(start); fields.write(end)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(start: try fields.read(), end: try fields.read())
    }
}

extension PickupPlace: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        switch self {
        case let .hub(id): fields.write(false); fields.write(id)
        case let .point(point): fields.write(true); fields.write(point)
        }
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self = try fields.read(Bool.self) ? .point(try fields.read()) : .hub(try fields.read())
    }
}

extension Order: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(id); fields.write(createdAt); fields.write(pickup); fields.write(drop); fields.write(zone)
        fields.write(window); fields.write(promised); fields.write(booked); fields.write(promiseMovedAt)
        fields.write(serviceSeconds); fields.write(tier); fields.write(requiredSkills); fields.write(parcels); fields.write(kg)
        fields.write(customerName); fields.write(contactToken); fields.write(notes); fields.write(pinnedRider)
        fields.write(status); fields.write(rider); fields.write(assignedAt); fields.write(attempts); fields.write(pickedUpAt)
        fields.write(arrivedAt); fields.write(completedAt); fields.write(failureReason); fields.write(notifiedAt); fields.write(readyAt)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(id: try fields.read(), createdAt: try fields.read(), pickup: try fields.read(), drop: try fields.read(), zone: try fields.read(),
                  window: try fields.read(), promised: try fields.read(), serviceSeconds: 0, tier: .standard, requiredSkills: [], parcels: 0, kg: 0,
                  customerName: "", contactToken: "", notes: "")
        booked = try fields.read(); promiseMovedAt = try fields.read()
        serviceSeconds = try fields.read(); tier = try fields.read(); requiredSkills = try fields.read(); parcels = try fields.read(); kg = try fields.read()
        customerName = try fields.read(); contactToken = try fields.read(); notes = try fields.read(); pinnedRider = try fields.read()
        status = try fields.read(); rider = try fields.read(); assignedAt = try fields.read(); attempts = try fields.read(); pickedUpAt = try fields.read()
        arrivedAt = try fields.read(); completedAt = try fields.read(); failureReason = try fields.read(); notifiedAt = try fields.read()
        readyAt = try fields.read()
    }
}

extension Stop: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(order); fields.write(kind); fields.write(eta)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(order: try fields.read(), kind: try fields.read(), eta: try fields.read())
    }
}

extension Route: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(stops); fields.write(plannedAt)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(stops: try fields.read(), plannedAt: try fields.read())
    }
}

/// A lane of the core's outlook, which a snapshot carries for a board's first frame.
extension Outlook.Lane: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(rider); fields.write(stops); fields.write(slack); fields.write(p10); fields.write(p90)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(rider: try fields.read(), stops: try fields.read(), slack: try fields.read(), p10: try fields.read(), p90: try fields.read())
    }
}

extension Remedy: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(kind); fields.write(subject); fields.write(target)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(try fields.read(), try fields.read(), target: try fields.read())
    }
}

extension Resolution: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        switch self {
        case let .action(remedy): fields.write(true); fields.write(remedy)
        case let .rejected(reason): fields.write(false); fields.write(reason)
        }
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self = try fields.read(Bool.self) ? .action(try fields.read()) : .rejected(reason: try fields.read())
    }
}

extension EscalationOption: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(action); fields.write(summary); fields.write(costDelta); fields.write(lateBefore); fields.write(lateAfter)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(action: try fields.read(), summary: try fields.read(), costDelta: try fields.read(), lateBefore: try fields.read(),
                  lateAfter: try fields.read())
    }
}

extension ExceptionCase: CompactRecord {
    public func write(to fields: inout CompactFieldWriter) {
        fields.write(id); fields.write(kind); fields.write(subject); fields.write(detail); fields.write(raisedAt); fields.write(state)
        fields.write(options); fields.write(deadline); fields.write(defaultAction); fields.write(escalationReason); fields.write(resolution)
        fields.write(rule); fields.write(resolvedAt); fields.write(decidedBy); fields.write(covering)
    }
    public init(reading fields: inout CompactFieldReader) throws {
        self.init(id: try fields.read(), kind: try fields.read(), subject: try fields.read(), detail: try fields.read(), raisedAt: try fields.read())
        state = try fields.read(); options = try fields.read(); deadline = try fields.read(); defaultAction = try fields.read()
        escalationReason = try fields.read(); resolution = try fields.read(); rule = try fields.read(); resolvedAt = try fields.read()
        decidedBy = try fields.read(); covering = try fields.read()
    }
}
