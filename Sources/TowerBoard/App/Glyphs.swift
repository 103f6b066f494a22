import TowerCore

/// The symbols the board draws, in Unicode or plain ASCII (for terminals whose locale is not UTF-8).
/// Every status has its own glyph, so meaning never depends on colour alone.
public struct Glyphs: Sendable {
    public var driving: String, idle: String, broken: String, offShift: String, ended: String
    public var pickup: String, delivery: String, lateStop: String, tightStop: String, now: String
    public var paused: String, playing: String
    /// An escalation waiting for a decision; a case only watched.
    public var waiting: String, watching: String
    public var hub: String
    /// An order on the map that will miss its window (the lanes' late mark is the broken rider's glyph there).
    public var lateOrder: String
    /// A KPI's change over the last hour.
    public var rising: String, falling: String, steady: String

    public static let unicode = Glyphs(driving: "▶", idle: "○", broken: "✖", offShift: "·", ended: "■",
                                       pickup: "▲", delivery: "●", lateStop: "✖", tightStop: "◆", now: "┃",
                                       paused: "‖", playing: "▶", waiting: "⚑", watching: "◌", hub: "⌂", lateOrder: "◉",
                                       rising: "↑", falling: "↓", steady: "→")
    public static let ascii = Glyphs(driving: ">", idle: "o", broken: "X", offShift: ".", ended: "#",
                                     pickup: "^", delivery: "*", lateStop: "!", tightStop: "?", now: "|",
                                     paused: "=", playing: ">", waiting: "!", watching: "~", hub: "H", lateOrder: "!",
                                     rising: "^", falling: "v", steady: "=")

    public func status(_ status: RiderStatus) -> String {
        switch status {
        case .driving: return driving
        case .idle: return idle
        case .brokenDown: return broken
        case .offShift: return offShift
        case .shiftEnded: return ended
        }
    }
}
