import Foundation

/// How long it takes to get from one point to another in the live city: the one place that knows.
///
/// Great-circle distance times a circuity factor, at the zone's base speed, scaled by the hour of day,
/// the vehicle and the active traffic incidents. The learned ETA model will plug in here.
public struct TravelModel: Sendable {
    /// Road distance over straight-line distance in a city grid.
    public var circuity = 1.35

    public init() {}

    /// Road kilometres between two points (great circle times circuity).
    public func roadKm(from a: GeoPoint, to b: GeoPoint) -> Double { a.distanceKm(to: b) * circuity }

    /// Road kilometres by the equirectangular approximation around the city's latitude: within 0.1% of the
    /// great circle across a city, with no trigonometry per call. Route evaluation runs it millions of times.
    public func roadKm(from a: GeoPoint, to b: GeoPoint, in conditions: TravelConditions) -> Double {
        conditions.flatKm(from: a, to: b) * circuity
    }

    /// Relative speed by local hour: slower in the morning and evening peaks.
    public func hourFactor(secondOfDay: Int) -> Double {
        switch secondOfDay / 3600 {
        case 0..<6: return 1.25
        case 6: return 1.0
        case 7, 8: return 0.72
        case 9: return 0.85
        case 10..<16: return 0.95
        case 16: return 0.85
        case 17, 18: return 0.7
        case 19: return 0.85
        default: return 1.1
        }
    }

    public func vehicleFactor(_ vehicle: Vehicle) -> Double {
        switch vehicle {
        case .bicycle: return 0.55
        case .motorbike: return 1.0
        case .car: return 0.8
        case .van: return 0.72
        }
    }

    /// Expected driving seconds from `a` to `b` leaving at `time` under `conditions`.
    ///
    /// The leg is driven through the speed changes on the way (the hour's factor, an incident starting or ending),
    /// each stretch at its own speed, so leaving later never arrives earlier: insertion search relies on that
    /// (an added stop only delays what follows), and the simulation's riders move the same way.
    public func travelSeconds(from a: GeoPoint, to b: GeoPoint, vehicle: Vehicle, departing time: Instant, in conditions: TravelConditions) -> Int {
        let km = roadKm(from: a, to: b, in: conditions)
        if km < 0.005 { return 0 }
        let middle = b.interpolated(to: a, fraction: 0.5)
        let zone = conditions.areas.firstIndex { $0.contains(middle) } ?? conditions.areas.firstIndex { $0.contains(b) }
        let base = (zone.map { conditions.zones[$0].baseSpeedKmh } ?? 22) * vehicleFactor(vehicle)
        let zoneID = conditions.incidents.isEmpty ? nil : zone.map { conditions.zones[$0].id }
        var left = km, clock = time, seconds = 0.0
        while true {
            let secondOfDay = ISOTime.secondOfDay(clock, offsetSeconds: conditions.utcOffsetSeconds)
            var speed = base * hourFactor(secondOfDay: secondOfDay)
            var change = clock + Int64(3600 - secondOfDay % 3600)
            if let zoneID {
                for incident in conditions.incidents where incident.zone == zoneID {
                    if incident.since <= clock && clock < incident.until {
                        speed *= incident.slowdown
                        change = min(change, incident.until)
                    } else if incident.since > clock {
                        change = min(change, incident.since)
                    }
                }
            }
            speed = max(speed, 0.5)
            let span = Double(change - clock)
            let reach = speed * span / 3600
            if reach >= left {
                seconds += left / speed * 3600
                break
            }
            left -= reach
            seconds += span
            clock = change
        }
        return Int(seconds.rounded(.up))
    }

    public func travelSeconds(from a: GeoPoint, to b: GeoPoint, vehicle: Vehicle, departing time: Instant, in world: World) -> Int {
        travelSeconds(from: a, to: b, vehicle: vehicle, departing: time, in: TravelConditions(world))
    }
}

/// What the travel model needs of the world, and what the channels charge (a route's cost needs both), taken
/// once so that evaluating many routes is cheap.
public struct TravelConditions: Sendable {
    public var zones: [Zone]
    /// The zones' areas, in the order of `zones`: the travel model looks a leg's zone up here, without copying zones.
    public var areas: [GeoBox]
    public var incidents: [TrafficIncident]
    public var utcOffsetSeconds: Int
    public var channels: ChannelTerms
    /// Kilometres per degree of longitude at the city's latitude.
    public var kmPerDegreeLon: Double
    public static let kmPerDegreeLat = 6371.0088 * Double.pi / 180

    /// Straight-line kilometres by the equirectangular approximation around the city's latitude (see `roadKm`).
    @inline(__always)
    public func flatKm(from a: GeoPoint, to b: GeoPoint) -> Double {
        let x = (b.lon - a.lon) * kmPerDegreeLon
        let y = (b.lat - a.lat) * TravelConditions.kmPerDegreeLat
        return (x * x + y * y).squareRoot()
    }

    public init(_ world: borrowing World) {
        let latitude = world.bounds?.center.lat ?? 0
        kmPerDegreeLon = TravelConditions.kmPerDegreeLat * cos(latitude * Double.pi / 180)
        zones = world.zoneList
        areas = zones.map(\.area)
        incidents = world.incidents.values.sorted { $0.id < $1.id }
        utcOffsetSeconds = world.utcOffsetSeconds
        channels = world.channels
    }
}
