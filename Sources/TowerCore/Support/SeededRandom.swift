import Foundation

/// A seeded random generator (SplitMix64 seeding a xoshiro256** state).
///
/// Simulations draw from *named streams*: `SeededRandom(seed: 7, stream: "absent/O-0042")` gives the
/// same numbers whatever else the simulation did before, so a change of policy does not reshuffle
/// which customers are absent or when a rider breaks down.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        var mix = seed
        s0 = SeededRandom.splitMix(&mix)
        s1 = SeededRandom.splitMix(&mix)
        s2 = SeededRandom.splitMix(&mix)
        s3 = SeededRandom.splitMix(&mix)
    }

    public init(seed: UInt64, stream: String) {
        self.init(seed: seed ^ SeededRandom.fnv1a(stream))
    }

    public mutating func next() -> UInt64 {
        let result = (s1 &* 5).rotatedLeft(7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3.rotatedLeft(45)
        return result
    }

    /// A uniform double in [0, 1).
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal draw (Box–Muller).
    public mutating func normal() -> Double {
        let u1 = max(unit(), 1e-300)
        let u2 = unit()
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A log-normal multiplier with median 1 and the given spread of its logarithm.
    public mutating func logNormalFactor(sigma: Double) -> Double { exp(sigma * normal()) }

    private static func splitMix(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64-bit FNV-1a, a stable string hash (Swift's `hashValue` is seeded per process).
    public static func fnv1a(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { (self << count) | (self >> (64 - count)) }
}
