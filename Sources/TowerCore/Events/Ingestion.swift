/// The one way an outside line enters the core: decode, recognise a repeat, check, submit, or dead-letter it with
/// the reason. Feeds and the decision inbox use it alike, so a line means the same wherever it arrives.
///
/// - A repeat (same id, same content) is taken as already done: re-sending a feed is idempotent.
/// - The same id with other content is a conflict and is dead-lettered, never dropped silently.
/// - A journal's own decisions (`by` "core") are skipped and counted: this core makes its own, so any journal can
///   be followed as a feed of its inputs.
/// - Once the core has stopped (its journal cannot be written), nothing more is taken and nothing is
///   dead-lettered: the lines are still valid and are read again from the feed at the next start.
public final class Ingestion {
    public enum Outcome: Equatable, Sendable {
        case accepted
        case repeated
        case skippedCoreDecision
        case blank
        case refused(EventError)
        /// The core stopped (see `Engine.halted`); the caller stops feeding it.
        case stopped
    }

    /// Where the line came from, named in dead letters and messages (`orders.jsonl`, `stdin`, an inbox).
    public let source: String
    private let deadLetter: DeadLetterFile?
    public private(set) var accepted = 0
    public private(set) var repeated = 0
    public private(set) var skippedCoreDecisions = 0
    public private(set) var refused = 0
    /// Set when a dead letter could not be written (a full disk): the core keeps going, the board's header says so.
    public private(set) var deadLetterProblem: String?

    public init(source: String, deadLetter: DeadLetterFile?) {
        self.source = source
        self.deadLetter = deadLetter
    }

    /// Takes one raw line.
    /// - Parameters:
    ///   - overlongBytes: the line's full length when it was longer than the limit (then `bytes` is its start).
    ///   - admit: a further rule of the source (the HTTP API refuses a line dated ahead of the core's clock, a feed a
    ///     slip of its time); may stamp the event.
    public func take(_ bytes: [UInt8], line: Int, overlongBytes: Int? = nil, engine: Engine,
                     admit: (inout Event) -> EventError? = { _ in nil }) -> Outcome {
        if engine.halted != nil { return .stopped }
        if let overlongBytes {
            return refuse(EventError(field: "", reason: "line is \(overlongBytes) bytes, longer than the limit of \(EventCodec.maxLineBytes)"),
                          line: line, raw: bytes)
        }
        if JournalReader.isBlank(bytes) { return .blank }
        var event: Event
        switch bytes.withUnsafeBufferPointer({ JournalReader.decode($0) }) {
        case let .bad(error): return refuse(error, line: line, raw: bytes)
        case let .event(decoded, _): event = decoded
        }
        if event.isCoreDecision {
            skippedCoreDecisions += 1
            return .skippedCoreDecision
        }
        if let refusal = admit(&event) { return refuse(refusal, line: line, raw: bytes) }
        return take(event, line: line, raw: { bytes }, engine: engine)
    }

    /// Takes an event built by the source itself (a driver app's stop, a phone's position): the same check for a
    /// repeat, submit and dead letter as a line's.
    public func take(_ event: Event, line: Int, engine: Engine) -> Outcome {
        if engine.halted != nil { return .stopped }
        let raw = { EventCodec.encode(event, utcOffsetSeconds: engine.world.utcOffsetSeconds) }
        // An event made here rather than read from a line has an id no reader checked: one the journal's reader would
        // refuse would leave a journal no restart can read (`DerivedID` makes ids that pass).
        do throws(EventError) { try FieldReader.checkID(event.id, field: "id") } catch { return refuse(error, line: line, raw: raw()) }
        return take(event, line: line, raw: raw, engine: engine)
    }

    /// - Parameter raw: the line as it came, for a dead letter (made only when one is written).
    private func take(_ event: Event, line: Int, raw: () -> [UInt8], engine: Engine) -> Outcome {
        switch engine.world.repetition(of: event) {
        case .repeated:
            repeated += 1
            return .repeated
        case .conflicting:
            return refuse(EventError(field: "id", reason: "id \"\(event.id)\" was already taken for a different event; a changed line needs a new id"),
                          line: line, raw: raw())
        case .new:
            break
        }
        do throws(EventError) {
            try engine.submit(event)
        } catch {
            if engine.halted != nil { return .stopped }
            return refuse(error, line: line, raw: raw())
        }
        if engine.halted != nil { return .stopped }
        accepted += 1
        return .accepted
    }

    /// Refuses a line its source found bad before it was an event (a CSV record that is not a row of its table):
    /// counted and dead-lettered as any refusal.
    public func refuse(_ error: EventError, line: Int, raw: [UInt8]) -> Outcome {
        refused += 1
        do { try deadLetter?.record(source: source, line: line, error: error, raw: raw) } catch {
            deadLetterProblem = "\(error)"
        }
        return .refused(error)
    }
}
