/// Legs replayed as a live core meets them: each is predicted when it departs and learned only once its times are
/// known (`HistoryRow.knownAt`, the end of its delivery attempt), as `OnlineETA` learns from the core's events.
///
/// Learning each leg straight after predicting it would time every leg leaving while it is still on the road with
/// what it will say: on a day when the whole city is slower, the day's first legs would be timed with outcomes no
/// live core has yet, and the online figures would be better than any core could do.
public enum LiveReplay {
    /// Calls `predict` for each of `order` (indices, oldest departure first) and, before each, `learn` for every leg
    /// predicted earlier whose times were known by that departure, in the order they became known; then learns the
    /// legs still on the road when the replay ends.
    static func run(_ order: some Sequence<Int>, departed: (Int) -> Instant, known: (Int) -> Instant,
                    predict: (Int) -> Void, learn: (Int) -> Void) {
        // By when it is known, then by departure order: legs known at the same second are learned as they left.
        var onTheRoad = Heap<(known: Instant, sequence: Int, index: Int)> { ($0.known, $0.sequence) < ($1.known, $1.sequence) }
        for (sequence, i) in order.enumerated() {
            let now = departed(i)
            while let next = onTheRoad.first, next.known <= now { learn(onTheRoad.pop()!.index) }
            predict(i)
            onTheRoad.push((known(i), sequence, i))
        }
        while let next = onTheRoad.pop() { learn(next.index) }
    }

    /// `run` over rows, sorted here by departure (then by line).
    public static func run(_ rows: [HistoryRow], predict: (HistoryRow) -> Void, learn: (HistoryRow) -> Void) {
        let order = rows.indices.sorted { (rows[$0].departedAt, rows[$0].line) < (rows[$1].departedAt, rows[$1].line) }
        run(order, departed: { rows[$0].departedAt }, known: { rows[$0].knownAt }, predict: { predict(rows[$0]) }, learn: { learn(rows[$0]) })
    }
}
