/// A courier's contract: who it is, what it can carry and what it costs. Changes only by registration.
public struct RiderProfile: Hashable, Sendable, Codable {
    public var id: String
    public var name: String
    public var channel: Channel
    public var vehicle: Vehicle
    public var capacityParcels: Int
    public var capacityKg: Double
    public var skills: Set<Skill>
    public var shift: TimeWindow
    public var costPerHour: Double
    public var costPerKm: Double
    public var costPerDrop: Double
    public var hub: String
    public var zone: String

    public init(id: String, name: String, channel: Channel, vehicle: Vehicle, capacityParcels: Int, capacityKg: Double,
                skills: Set<Skill>, shift: TimeWindow, costPerHour: Double, costPerKm: Double, costPerDrop: Double,
                hub: String, zone: String) {
        self.id = id; self.name = name; self.channel = channel; self.vehicle = vehicle
        self.capacityParcels = capacityParcels; self.capacityKg = capacityKg; self.skills = skills; self.shift = shift
        self.costPerHour = costPerHour; self.costPerKm = costPerKm; self.costPerDrop = costPerDrop
        self.hub = hub; self.zone = zone
    }
}

/// What a rider is doing right now, as far as the events tell.
public enum RiderStatus: String, Sendable, CaseIterable, Codable {
    case offShift = "off_shift"
    case idle
    case driving
    case brokenDown = "broken_down"
    case shiftEnded = "shift_ended"
}

/// A rider as the world knows it: its profile and its live state.
public struct Rider: Hashable, Sendable, Codable {
    public var profile: RiderProfile
    public var status: RiderStatus = .offShift
    public var position: GeoPoint
    public var positionAt: Instant?
    /// Orders picked up and not yet delivered, failed back or cancelled.
    public var onBoard: [String] = []
    public var loadParcels = 0
    public var loadKg = 0.0
    public var delivered = 0
    public var failed = 0
    public var kmDriven = 0.0
    public var shiftStartedAt: Instant?
    public var shiftEndedAt: Instant?
    public var brokenDownSince: Instant?
    /// When the rider last made progress: moved at least `progressKm`, started its shift or finished a stop.
    public var movedAt: Instant?
    /// Where the leg it is driving began (its last stop, or its hub at shift start): with the next stop, the planned path.
    public var legFrom: GeoPoint?

    /// The smallest move that counts as progress; smaller ones are GPS jitter.
    public static let progressKm = 0.03

    public var id: String { profile.id }

    mutating func finishedStop(at time: Instant) {
        movedAt = time
        legFrom = position
    }

    public init(profile: RiderProfile, position: GeoPoint) {
        self.profile = profile
        self.position = position
    }
}
