/// Decisions being drafted on a copy of the world: each one applies to the copy as it is added, so the next one
/// is planned against the state the earlier ones leave. The engine commits `bodies` in order, or nothing.
struct DecisionDraft {
    private(set) var world: World
    private(set) var bodies: [EventBody] = []
    let now: Instant

    init(_ world: World, now: Instant) {
        self.world = world
        self.now = now
    }

    mutating func add(_ body: EventBody) {
        world.apply(Event(id: "draft-\(world.lastSeq)-\(bodies.count)", at: now, by: Event.core, body: body))
        bodies.append(body)
    }
}
