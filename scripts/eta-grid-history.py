#!/usr/bin/env python3
"""A delivery history made by a third hand, to check Tower's learned ETAs on effects neither `tower eta synth` nor
`scripts/eta-other-history.py` makes. Tooling only, never a dependency of Tower (standard library only).

Usage: scripts/eta-grid-history.py SEED OUT.csv [DAYS [CLOSURE_DAY]]   (DAYS defaults to 60; no closure)
Then:  swift run -c release tower bench eta OUT.csv
       scripts/bench-eta-peers.py OUT.csv                        (LightGBM on the same rows)
With CLOSURE_DAY (1-based, counting Sundays, when nobody works), from that day on every leg whose door is in the zone
most riders work in takes twice its time (the zone's streets closed to all but its own doors: the closure slows the
legs ending there, not those driving through); the script prints the zone and the day, and
       swift run -c release tower bench eta OUT.csv --closure ZONE --from YYYY-MM-DD
measures it (its second line, the legs ending in the zone, is the one this closure touched). Up to that day the
history is the one made without it, row for row.

What differs from the other two, on purpose:
- a 3 x 3 grid of boxes in the southern hemisphere (Sao Paulo), times whole seconds at -03:00;
- travel is the road distance over the door zone's speed alone, plus 45 s, all times the rider's pace: no time at
  the door's zone, no zone driven through;
- each zone's own morning and evening rush depths (zone x hour), Friday slower and weekends faster;
- longer legs faster (the speed grows with the log of the distance);
- each rider works two zones of its own (80% of its doors);
- noise a Student t of 3 degrees of freedom on the log, scale 0.14, clipped at -4 and +6 (heavy tails both ways).
The column travel_noise_free_s holds each leg's time without noise, so `tower bench eta` prints the noise floor.
"""
import math, random, sys
from datetime import datetime, timedelta, timezone

import eta_history_csv


def main():
    seed, out = int(sys.argv[1]), sys.argv[2]
    days = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    cday = int(sys.argv[4]) - 1 if len(sys.argv) > 4 else None
    rng = random.Random(seed)
    # A 3 x 3 grid of boxes, 0.04 degrees a side.
    lat0, lon0, step = -23.60, -46.70, 0.04
    zones = []
    for i in range(3):
        for j in range(3):
            zones.append(dict(id=f"Q{i}{j}", s=lat0 + i*step, w=lon0 + j*step, speed=rng.uniform(14, 32),
                              am=rng.uniform(0.5, 0.9), pm=rng.uniform(0.5, 0.9)))
    riders = []
    for k in range(30):
        a = rng.randrange(9); b = rng.randrange(9)
        riders.append(dict(id=f"M{k:02d}", pace=math.exp(rng.gauss(0, 0.15)), zones=[a, b],
                           ch=rng.choice(["own", "own", "3pl", "gig"]), start=rng.choice([7, 8, 9, 11])))
    count = [0]*9
    for r in riders:
        for z in r["zones"]: count[z] += 1
    closed = max(range(9), key=lambda z: (count[z], -z))
    def hav(a, b, c, d):
        a, b, c, d = map(math.radians, (a, b, c, d))
        h = math.sin((c-a)/2)**2 + math.cos(a)*math.cos(c)*math.sin((d-b)/2)**2
        return 2*6371*math.asin(math.sqrt(h))
    def hourf(z, h):
        f = 1.0
        f *= 1 - (1 - z["am"]) * math.exp(-((h - 8.0)**2) / 1.0)
        f *= 1 - (1 - z["pm"]) * math.exp(-((h - 18.0)**2) / 1.5)
        return f
    wd = [1.0, 1.0, 0.97, 0.97, 0.88, 1.1, 1.2]
    rows = []; n = 0
    start = datetime(2027, 5, 3)
    tz = timezone(timedelta(hours=-3))
    for d in range(days):
        day = start + timedelta(days=d); w = day.weekday()
        if w == 6: continue
        for r in riders:
            t = r["start"]*3600 + rng.uniform(0, 1200)
            z = zones[r["zones"][0]]
            lat, lon = z["s"] + 0.02, z["w"] + 0.02
            for stop in range(1, rng.randint(10, 20)):
                dz = rng.choice(r["zones"]) if rng.random() < 0.8 else rng.randrange(9)
                zz = zones[dz]
                tl, tn = zz["s"] + rng.uniform(0.002, 0.038), zz["w"] + rng.uniform(0.002, 0.038)
                km = hav(lat, lon, tl, tn) * 1.3 + 0.1
                h = t / 3600
                v = zz["speed"] * hourf(zz, h) * wd[w] * (1 + 0.12*math.log1p(km))
                if cday is not None and d >= cday and dz == closed: v *= 0.5
                travel = (km / v * 3600 + 45) * r["pace"]
                e = rng.gauss(0, 1) / math.sqrt(rng.gammavariate(1.5, 1/1.5))  # a Student t of 3 degrees of freedom
                noisy = travel * math.exp(0.14 * max(-4, min(6, e)))
                dep = day + timedelta(seconds=t); arr = dep + timedelta(seconds=noisy)
                dwell = rng.uniform(60, 240)
                n += 1
                rows.append([f"O{n:07d}", r["id"], r["ch"], zz["id"], f"{lat:.6f}", f"{lon:.6f}", f"{tl:.6f}", f"{tn:.6f}",
                             dep.replace(tzinfo=tz).isoformat(timespec="seconds"), arr.replace(tzinfo=tz).isoformat(timespec="seconds"),
                             (arr + timedelta(seconds=dwell)).replace(tzinfo=tz).isoformat(timespec="seconds"),
                             stop, rng.randint(1, 3), "delivered", w, "standard", "", "", "", f"{travel:.1f}"])
                t += noisy + dwell; lat, lon = tl, tn
                if t > 20*3600: break
    eta_history_csv.write(out, rows, days, None if cday is None else (zones[closed]["id"], cday, start, "legs ending there take twice their time"))


if __name__ == "__main__":
    main()
