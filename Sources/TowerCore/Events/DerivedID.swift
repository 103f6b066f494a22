/// An event id made from text that comes from outside (a phone's device id, an order system's order id, a driver
/// app's `Idempotency-Key`). The parts are joined when that makes an id a journal reads back (`FieldReader.checkID`:
/// at most 64 bytes of letters, digits and `-_.:/#@`); otherwise the id is the prefix, `#` and a hash of the parts.
/// The same parts always give the same id, so a retry is still a repeat, and a long or odd part never puts a line in
/// the journal that no restart can read.
public enum DerivedID {
    public static func make(_ prefix: String, _ parts: [String]) -> String {
        let joined = ([prefix] + parts).joined(separator: "-")
        if (try? FieldReader.checkID(joined, field: "id")) != nil { return joined }
        // `#` after the prefix, where a joined id has `-`: a hashed id is never also some other parts' joined one.
        return prefix + "#" + String(SeededRandom.fnv1a(parts.joined(separator: "\u{1F}")), radix: 16)
    }
}
