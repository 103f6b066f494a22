/// How long exceptions took from raised to resolved, split by who resolved them and by kind: the KPI
/// "exception resolution time".
public struct ResolutionTimes: Sendable, Equatable {
    /// Who closed a case: the core by itself, a person (approved or rejected), or the deadline (defaulted).
    public enum Resolver: String, CaseIterable, Sendable { case auto, human, defaulted }

    /// The count, median and 90th percentile of a set of durations, in seconds.
    public struct Figures: Sendable, Equatable {
        public var count = 0
        public var median = 0.0
        public var p90 = 0.0

        init(_ durations: [Int64]) {
            let sorted = durations.sorted()
            count = sorted.count
            guard !sorted.isEmpty else { return }
            median = Double(Figures.rank(0.5, of: sorted))
            p90 = Double(Figures.rank(0.9, of: sorted))
        }

        /// The nearest-rank percentile.
        static func rank(_ q: Double, of sorted: [Int64]) -> Int64 {
            sorted[max(0, min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1))]
        }
    }

    public var all: Figures
    public var byResolver: [Resolver: Figures]
    /// Per exception kind, per resolver (only the pairs that occurred).
    public var byKind: [ExceptionKind: [Resolver: Figures]]

    public init(_ exceptions: some Sequence<ExceptionCase>) {
        var every: [Int64] = []
        var byResolver: [Resolver: [Int64]] = [:]
        var byKind: [ExceptionKind: [Resolver: [Int64]]] = [:]
        for exception in exceptions {
            guard let resolved = exception.resolvedAt, let resolver = ResolutionTimes.resolver(of: exception.state) else { continue }
            let duration = resolved - exception.raisedAt
            every.append(duration)
            byResolver[resolver, default: []].append(duration)
            byKind[exception.kind, default: [:]][resolver, default: []].append(duration)
        }
        all = Figures(every)
        self.byResolver = byResolver.mapValues(Figures.init)
        self.byKind = byKind.mapValues { $0.mapValues(Figures.init) }
    }

    static func resolver(of state: ExceptionCase.State) -> Resolver? {
        switch state {
        case .autoResolved: return .auto
        case .approved, .rejected: return .human
        case .defaulted: return .defaulted
        case .open, .escalated: return nil
        }
    }
}
