/// How fast the core's simulated clock runs: the speed asked for, unless a supervisor's decision is waiting (or
/// the operator's last decision may still be undone) and the policy holds the clock for people
/// (`Policy.HumanTime`), so a deadline shown as ten minutes lasts ten minutes and the two minutes to undo are two
/// minutes. A demo keeps its speed: nobody there decides.
struct ClockPace {
    /// Simulated seconds per real second.
    var speed: Double
    /// What the header says instead of the speed while the clock is held, e.g. `held at ×1: 2 decisions waiting`.
    var held: String?

    init(requested: Double, waiting: Int, undoOpen: Bool = false, mode: Policy.HumanTime, peopleDecide: Bool) {
        speed = requested
        held = nil
        guard peopleDecide, mode != .off, waiting > 0 || undoOpen else { return }
        guard waiting > 0 else {
            // The undo window is real time even under `stop`: a stopped clock would keep it open for ever.
            if requested > 1 { speed = 1; held = "held at ×1: u undoes your last decision" }
            return
        }
        let decisions = waiting == 1 ? "1 decision waiting" : "\(waiting) decisions waiting"
        switch mode {
        case .hold where requested > 1:
            speed = 1
            held = "held at ×1: \(decisions)"
        case .stop:
            speed = 0
            held = "held: \(decisions)"
        case .hold, .off:
            break
        }
    }
}
