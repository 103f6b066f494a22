/// Where the engine writes events before applying them.
public protocol EventSink: AnyObject {
    func append(_ event: Event) throws
    /// Forces what was written to disk.
    func sync()
    /// Syncs when the durability policy says it is time.
    func syncIfDue()
}

extension JournalWriter: EventSink {}
