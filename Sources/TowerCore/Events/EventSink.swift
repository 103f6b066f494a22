/// Where the engine writes events before their effects leave the process.
public protocol EventSink: AnyObject {
    /// Takes one event of the step under way.
    func append(_ event: Event) throws
    /// Ends one step of the engine (an input and what it set off, or one tick's timed work): its events are written
    /// together, so a crash leaves a step whole or marked as cut short (see `JournalWriter`).
    func endStep() throws
    /// Forces what was written to disk.
    func sync()
    /// Syncs when the durability policy says it is time.
    func syncIfDue()
    /// The time spent ending steps (encoding their lines and handing them to the kernel).
    var writeTime: DurationTally { get }
    /// A descriptor of the file, of the caller's to close, for `fsync(2)` off the core's thread (see
    /// `GroupCommit`); nil for a sink that is no file.
    func duplicateDescriptor() -> Int32?
    /// Keeps ended steps in memory until `flush()` (on) or writes each as it ends again (off).
    func hold(_ on: Bool)
    /// Hands what is kept to the kernel.
    func flush() throws
}

extension EventSink {
    public var writeTime: DurationTally { DurationTally() }
    public func duplicateDescriptor() -> Int32? { nil }
    public func hold(_ on: Bool) {}
    public func flush() throws {}
}

extension JournalWriter: EventSink {}
