import Foundation

/// The noise floor of a simulated history: for each delivery leg `tower history` writes, the travel seconds a model
/// that knew every leg's median would predict (the column `travel_noise_free_s`, as `tower eta synth` writes it).
///
/// A history leg runs from the rider's last stop (or shift start) to the door, as `HistoryRecorder` cuts it. Its
/// noise-free travel is its time with each drive in it (one, or more when the plan moved on while the rider drove)
/// replaced by that drive's time at the pace of the hour without the leg's noise factor (the only random draw in a
/// drive). What is not drawn stays as it was: a hold during the drive (a breakdown, a stall, a jam: a scenario's
/// disruptions come at the same hour each day of `tower history`, and a model learns them) and any wait between
/// drives (a model cannot know one either, so leaving it in both makes the floor, if anything, smaller than the
/// truth).
struct NoiseFreeTravel {
    /// A delivery arrival: the order and when the rider reached its door.
    struct Arrival: Hashable, Sendable {
        var order: String
        var at: Instant
    }

    /// A rider's drives since its last stop: their actual and their noise-free seconds.
    private struct Tally {
        var since: Instant
        var actual = 0.0
        var noiseFree = 0.0
        /// The drive under way: when it began and its noise-free seconds.
        var drive: (start: Instant, seconds: Double)?
    }

    private var tallies: [String: Tally] = [:]
    private(set) var travel: [Arrival: Double] = [:]

    /// The rider started its shift or finished a stop: its next history leg starts now.
    mutating func stopped(_ rider: String, at time: Instant) { tallies[rider] = Tally(since: time) }

    /// The rider set off on a drive that takes `medianSeconds` without noise.
    mutating func departed(_ rider: String, at time: Instant, medianSeconds: Double) {
        tallies[rider, default: Tally(since: time)].drive = (time, medianSeconds)
    }

    /// The rider is held where it is for `seconds` more than it already was: during a drive, that drive is longer by
    /// as much with or without noise.
    mutating func held(_ rider: String, seconds: Double) {
        guard tallies[rider]?.drive != nil, seconds > 0 else { return }
        tallies[rider]?.drive?.seconds += seconds
    }

    /// The rider reached the end of a drive (again, when it waited early at the door: counted once); at a delivery's
    /// door, that leg's noise-free travel is recorded.
    mutating func arrived(_ rider: String, at time: Instant, order: String?) {
        guard var tally = tallies[rider], let drive = tally.drive else { return }
        tally.actual += Double(time - drive.start)
        tally.noiseFree += drive.seconds
        tally.drive = nil
        tallies[rider] = tally
        if let order { travel[Arrival(order: order, at: time)] = max(0, Double(time - tally.since) - tally.actual + tally.noiseFree) }
    }
}
