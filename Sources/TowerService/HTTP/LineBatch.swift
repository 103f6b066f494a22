import TowerCore

/// The lines of one request (a feed's lines, an order system's orders) as the core takes them, an order system's a
/// share at a time (`CoreAPI.take`): which comes next and what became of those taken.
final class LineBatch {
    /// A feed line as it came, or an order's fields, made a line when it is taken (stamped then).
    enum Line {
        case bytes([UInt8])
        case order([(String, JSONValue)])
    }

    struct Result: Encodable {
        var line: Int
        var status: String
        var field: String?
        var reason: String?
    }

    /// The reply: counts, then each line's outcome.
    struct Reply: Encodable {
        var accepted = 0
        var duplicate = 0
        var refused = 0
        var results: [Result] = []
    }

    let lines: [Line]
    /// The line number to report for each (nil: 1, 2, ...).
    let numbers: [Int]?
    /// Per line, a refusal its source already made.
    let refusals: [EventError?]?
    /// The type every line is meant as, for the counts; nil: each line's own.
    let type: String?
    var next = 0
    var reply = Reply()
    /// Whether the lines may go over several passes: orders, stamped as they are taken, may; feed lines, which carry
    /// their own times, may not.
    let inShares: Bool

    init(lines: [Line], inShares: Bool, numbers: [Int]?, refusals: [EventError?]?, type: String?) {
        self.lines = lines
        self.inShares = inShares
        self.numbers = numbers
        self.refusals = refusals
        self.type = type
    }
}
