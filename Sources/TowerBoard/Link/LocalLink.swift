import TowerCore
import TowerService

/// The embedded default: core and board in one process, one thread. The board's commands go to the session as
/// an attached board's would; the core's socket, when it has one, is served between frames, so `tower attach`
/// and `tower decide` reach this core too.
public final class LocalLink: CoreLink {
    public let session: CoreSession
    public let identity: OperatorIdentity
    public var server: CoreServer?
    private var replies: [LinkNote] = []
    private var nextID = 1

    public init(session: CoreSession, identity: OperatorIdentity, server: CoreServer? = nil) {
        self.session = session
        self.identity = identity
        self.server = server
    }

    public var world: World { session.engine.world }
    public var status: CoreStatus { session.status }
    public var generation: Int { 0 }
    public var costLimit: Double { session.engine.settings.policy.costLimit }
    public var decisionHorizon: Int64 { session.engine.settings.policy.decisionHorizon }
    public var recent: [String] { session.log.lines }
    public var trend: KPITrend? { session.trend }
    public var outlook: TimedOutlook { session.outlook }
    public func caption(at now: Instant) -> String? { session.captions.current(at: now)?.text }

    public func send(_ command: OperatorCommand) -> Int {
        let id = nextID
        nextID += 1
        replies.append(.reply(id: id, session.perform(command, by: identity)))
        return id
    }

    public func pump(elapsed: Double) -> [LinkNote] {
        let notes = session.step(elapsed: elapsed).map(LinkNote.note)
        session.refreshOutlook()
        server?.serve(timeout: 0)
        defer { replies.removeAll() }
        return replies + notes
    }
}
