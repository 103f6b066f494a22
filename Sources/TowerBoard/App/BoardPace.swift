import TowerCore

/// How fast the board's simulated clock runs: the speed asked for, unless a supervisor's decision is waiting and
/// the policy holds the clock for people (`Policy.HumanTime`), so a deadline shown as ten minutes lasts ten
/// minutes. A read-only board (a demo) keeps its speed: nobody there decides.
struct BoardPace {
    /// Simulated seconds per real second.
    var speed: Double
    /// What the header says instead of the speed while the clock is held, e.g. `held at ×1: 2 decisions waiting`.
    var held: String?

    init(requested: Double, waiting: Int, mode: Policy.HumanTime, readonly: Bool) {
        guard waiting > 0, !readonly else {
            self.speed = requested
            held = nil
            return
        }
        let decisions = waiting == 1 ? "1 decision waiting" : "\(waiting) decisions waiting"
        switch mode {
        case .off:
            speed = requested
            held = nil
        case .hold where requested <= 1:
            speed = requested
            held = nil
        case .hold:
            speed = 1
            held = "held at ×1: \(decisions)"
        case .stop:
            speed = 0
            held = "held: \(decisions)"
        }
    }
}
