import Foundation

/// What reaches the board's update: a key, the clock's tick with the core's status, and the results of the
/// commands the update asked for (the core's reply to a decision, a theme loaded).
public enum BoardMessage: Sendable {
    case key(Key)
    /// The core's pace and state, once per pass of the loop (`wall`: the wall clock, for the header's flash).
    case tick(BoardTick)
    /// Escalations the board has not announced yet arrived; `caption` is the last one's, for a read-only board.
    case escalated(caption: String)
    /// The core answered a decision the board sent: its words, and the decision again when it asks for `y`.
    case replied(text: String, confirm: BoardModel.Decision?)
    /// A line for the status bar from the link or from an effect (a decision not sent, a theme loaded).
    case note(String)
    /// What `:open ID` names, found in the core's world: the screen that shows it.
    case found(BoardModel.Screen)
}

/// The core's status as the board's update takes it.
public struct BoardTick: Sendable {
    public var speed: Double
    public var paused: Bool
    public var held: String?
    /// Said once when the source has finished.
    public var finishedMessage: String?
    public var wall: Date

    public init(speed: Double, paused: Bool, held: String?, finishedMessage: String?, wall: Date) {
        self.speed = speed; self.paused = paused; self.held = held; self.finishedMessage = finishedMessage; self.wall = wall
    }
}

/// What the update asks the app to do; what comes of it returns as a `BoardMessage`.
public enum BoardCommand: Equatable, Sendable {
    /// Send a decision to the core (`confirmed`: the operator said `y` to its cost or lateness).
    case submit(BoardModel.Decision, confirmed: Bool)
    /// Ask the core for another pace (nil: unchanged).
    case pace(speed: Double?, paused: Bool?)
    case loadTheme(String)
    /// Find the rider, order or case with this id (`:open ID`); the answer is `found`, or a note when nothing has it.
    case find(String)
    /// Write the command history out.
    case keepHistory
    case bell
    case quit
}
