#!/usr/bin/env python3
"""A delivery history made by another hand than Tower's, to check that the learned ETAs hold on effects Tower's own
generator (`tower eta synth`) does not make. Tooling only, never a dependency of Tower (standard library only).

Usage: scripts/eta-other-history.py SEED OUT.csv [DAYS [CLOSURE_DAY]]   (DAYS defaults to 70; no closure)
Then:  swift run -c release tower bench eta OUT.csv
       scripts/bench-eta-peers.py OUT.csv                        (LightGBM on the same rows)
With CLOSURE_DAY (1-based), from that day on every leg whose midpoint lies in the zone most riders start from goes at
half its speed (a closure nobody announced); the script prints the zone and the day, and
       swift run -c release tower bench eta OUT.csv --closure ZONE --from YYYY-MM-DD
measures it. Up to that day the history is the one made without it, row for row.

What differs from `tower eta synth`, on purpose:
- a city north of the equator across longitude 0 (London-like), ten zones placed around a centre, not boxes;
- the clocks change on 2027-03-28 (+00:00 to +01:00), times carry fractions of a second;
- seven days a week (own riders off on Sundays), each zone slower or faster at weekends;
- each zone's slow hours at its own one or two peaks, shaped as bells that straddle the hour;
- speed from the zone the leg's midpoint lies in and, half as much, from the door's zone;
- legs over 5 km faster outside the midpoint zone's peaks (a ring road);
- each rider slower parking in three zones of its own (rider x zone), slower as the shift goes on (stop index);
- noise log-normal, wider from 16:00 (0.22 against 0.12), and 3% of legs held up 1.5-3.5 times (skewed, not
  symmetric like a Student t).
The column travel_noise_free_s holds each leg's time without noise, so `tower bench eta` prints the noise floor.
"""
import math, random, sys
from datetime import datetime, timedelta, timezone

import eta_history_csv


def city(rng):
    centre = (51.507, -0.03)
    zones = []
    for z in range(10):
        angle = 2 * math.pi * z / 10 + rng.uniform(-0.2, 0.2)
        radius = 0.0 if z == 0 else rng.uniform(0.03, 0.09)
        zones.append(dict(id=f"z{z:02d}", lat=centre[0] + radius * math.sin(angle), lon=centre[1] + radius * math.cos(angle) * 1.6,
                          speed=rng.uniform(12, 30),
                          peaks=[(rng.choice([7, 8, 12, 16, 17]), rng.uniform(0.4, 0.8)) for _ in range(rng.choice([1, 2]))],
                          weekend=rng.uniform(0.8, 1.4), park=rng.uniform(30, 240)))
    riders = [dict(id=f"D{i:03d}", pace=math.exp(rng.gauss(0, 0.12)), home=rng.randrange(10),
                   channel=rng.choice(["own", "own", "3pl", "gig"]), slow_zones=set(rng.sample(range(10), 3)),
                   start=rng.choice([6, 7, 8, 10, 12])) for i in range(40)]
    return zones, riders


def km(lat1, lon1, lat2, lon2):
    la1, lo1, la2, lo2 = map(math.radians, (lat1, lon1, lat2, lon2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def speed(zone, hour, weekday):
    s = zone["speed"]
    for peak, depth in zone["peaks"]:
        s *= 1 - (1 - depth) * math.exp(-((hour - peak - 0.5) ** 2) / 0.8)
    return s * (zone["weekend"] if weekday >= 5 else 1)


def main():
    seed, out = int(sys.argv[1]), sys.argv[2]
    days = int(sys.argv[3]) if len(sys.argv) > 3 else 70
    closure_day = int(sys.argv[4]) - 1 if len(sys.argv) > 4 else None
    rng = random.Random(seed)
    zones, riders = city(rng)
    homes = [sum(1 for r in riders if r["home"] == z) for z in range(10)]
    closed = max(range(10), key=lambda z: (homes[z], -z))
    nearest = lambda lat, lon: min(range(10), key=lambda k: (zones[k]["lat"] - lat) ** 2 + ((zones[k]["lon"] - lon) / 1.6) ** 2)
    rows, order = [], 0
    start = datetime(2027, 2, 22)
    for d in range(days):
        day = start + timedelta(days=d)
        tz = timezone(timedelta(hours=1 if day >= datetime(2027, 3, 28) else 0))
        weekday = day.weekday()
        stamp = lambda t: t.replace(tzinfo=tz).isoformat()
        for rider in riders:
            if weekday == 6 and rider["channel"] == "own":
                continue
            t = rider["start"] * 3600 + rng.uniform(0, 1800)
            lat, lon = zones[rider["home"]]["lat"], zones[rider["home"]]["lon"]
            for stop in range(1, rng.randint(8, 22)):
                door = rng.randrange(10) if rng.random() < 0.4 else rider["home"]
                to_lat, to_lon = zones[door]["lat"] + rng.gauss(0, 0.012), zones[door]["lon"] + rng.gauss(0, 0.02)
                road = km(lat, lon, to_lat, to_lon) * 1.35 + 0.05
                hour = t / 3600
                middle = nearest((lat + to_lat) / 2, (lon + to_lon) / 2)
                v = speed(zones[middle], hour, weekday) * (0.5 + 0.5 * speed(zones[door], hour, weekday) / zones[door]["speed"])
                if road > 5 and not any(abs(hour - peak - 0.5) < 1.5 for peak, _ in zones[middle]["peaks"]):
                    v *= 1.3
                if closure_day is not None and d >= closure_day and middle == closed:
                    v *= 0.5
                travel = (road / v * 3600 * rider["pace"] * (1 + 0.01 * stop)
                          + zones[door]["park"] * (1.5 if door in rider["slow_zones"] else 1)) * (0.92 if rider["channel"] == "gig" else 1)
                noisy = travel * math.exp(rng.gauss(0, 0.22 if hour > 16 else 0.12))
                if rng.random() < 0.03:
                    noisy *= rng.uniform(1.5, 3.5)
                departed = day + timedelta(seconds=t)
                arrived = departed + timedelta(seconds=noisy)
                dwell = rng.uniform(40, 200) + 20 * rng.randint(1, 4)
                order += 1
                rows.append([f"P{order:06d}", rider["id"], rider["channel"], zones[door]["id"], f"{lat:.6f}", f"{lon:.6f}",
                             f"{to_lat:.6f}", f"{to_lon:.6f}", stamp(departed), stamp(arrived), stamp(arrived + timedelta(seconds=dwell)),
                             stop, rng.randint(1, 4), "delivered" if rng.random() > 0.05 else "failed", weekday,
                             "standard", "", "", "", f"{travel:.1f}"])
                t += noisy + dwell
                lat, lon = to_lat, to_lon
                if t > 21 * 3600:
                    break
    eta_history_csv.write(out, rows, days, None if closure_day is None else (zones[closed]["id"], closure_day, start, "half speed"))


if __name__ == "__main__":
    main()
