import TowerCore

/// How a board reaches its core: in process (`LocalLink`, the embedded default) or over the core's socket
/// (`RemoteLink`, `tower attach`). The board reads the world and the clock through it and sends commands; the
/// core's replies come back as notes from `pump`, as effects come back as messages in Bubble Tea.
public protocol CoreLink: AnyObject {
    /// Who the core takes this board's operator to be.
    var identity: OperatorIdentity { get }
    /// The world as the core holds it (an attached board's copy of it).
    var world: World { get }
    /// The core's clock and source.
    var status: CoreStatus { get }
    /// Bumped each time the world is rebuilt from a fresh snapshot (an attach or a reattach): what was waiting
    /// then is not news.
    var generation: Int { get }
    /// The policy's cost limit (approvals above it need a supervisor) and how far ahead at-risk orders are shown.
    var costLimit: Double { get }
    var decisionHorizon: Int64 { get }
    /// Notable events, newest first.
    var recent: [String] { get }
    var trend: KPITrend? { get }
    /// The latest outlook the core timed for its boards (every lane's ETAs, the at-risk list, the learned model's
    /// figures): a board draws it and times none itself.
    var outlook: TimedOutlook { get }
    /// Sends a command to the core; its reply comes back from `pump` with the id returned.
    func send(_ command: OperatorCommand) -> Int
    /// Lets `elapsed` real seconds pass: an embedded core moves its day on; an attached board takes what the
    /// server sent. Returns the replies and notes that arrived.
    func pump(elapsed: Double) -> [LinkNote]
    /// The story caption on screen at `now` (the demo's), if the core keeps them.
    func caption(at now: Instant) -> String?
}

extension CoreLink {
    public func caption(at now: Instant) -> String? { nil }
}

/// What comes back from the core between frames.
public enum LinkNote: Equatable, Sendable {
    case reply(id: Int, CommandReply)
    /// Something to show on the status line (a connection lost or regained, an outbox that failed).
    case note(String)
}
