/// A feed line dated by mistake well past the feed's time. A feed's clock is its lines' time, so such a line, taken,
/// carries the clock with it and every line after it is refused as going back in time. It is told from a feed that
/// really jumps (a silent hour) by the line after it: a slip's next line goes back to where the feed was.
public enum FeedSlip {
    /// How far past the feed's time a line must be, and how far before it the next line, for the line to be a slip:
    /// far enough that lines a few minutes out of order (which of two is wrong is anyone's guess) are left to the
    /// rule that time does not go back.
    public static let jump: Int64 = 1800

    /// Why `event` is a slip, or nil: more than `jump` past the feed's time (`clock`), with a next line (its time:
    /// `next`) more than `jump` before it and no earlier than the feed's time. Lines a little out of order are not
    /// slips, and a line with nothing read after it is taken as it comes.
    public static func refusal(of event: Event, clock: Instant?, next: Instant?, offsetSeconds: Int) -> EventError? {
        guard let clock, let next, event.at > clock + jump, next >= clock, next <= event.at - jump else { return nil }
        let time = { (instant: Instant) in ISOTime.format(instant, offsetSeconds: offsetSeconds) }
        return EventError(field: "at", reason: "\(time(event.at)) is \((event.at - clock + 59) / 60) min past the feed's time (\(time(clock))) and the next line goes on from there (\(time(next))): a slip, refused so the lines after it are taken")
    }
}
