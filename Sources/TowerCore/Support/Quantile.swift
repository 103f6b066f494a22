extension Array where Element == Double {
    /// The value at quantile `q` (0…1) of an array sorted ascending: the element at the nearest index to
    /// q·(count − 1); 0 for an empty array.
    func quantile(_ q: Double) -> Double {
        isEmpty ? 0 : self[Swift.min(count - 1, Int(Double(count - 1) * q + 0.5))]
    }
}
