#!/usr/bin/env python3
"""Any delivery history with weather added: days when every leg of the city is slower, as rain, a match in town or a
strike make them. Tooling only, never a dependency of Tower (standard library only).

Usage: scripts/eta-weather.py IN.csv OUT.csv SEED [WET_CHANCE [WET_FACTOR]]   (defaults 0.25 and 1.3)
Then:  swift run -c release tower bench eta OUT.csv

Each local day (the date its legs leave on) draws a factor: WET_FACTOR with chance WET_CHANCE, else 1, times a
day's own spread, e^N(0, 0.05). Every leg of the day takes that factor times its travel: its arrival and its end move
later by the extra seconds (its dwell is kept), and its noise-free travel (`travel_noise_free_s`) is scaled alike, so
the noise floor counts the weather as what the day truly was. Nothing in a row says which days were wet: a model can
only learn a day from its own legs as they come. Other columns are kept as they are. The script prints the last
fourteen days' factors.
"""
import csv, math, random, sys
from datetime import datetime, timedelta

import eta_history_csv


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: scripts/eta-weather.py IN.csv OUT.csv SEED [WET_CHANCE [WET_FACTOR]]")
    source, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    chance = float(sys.argv[4]) if len(sys.argv) > 4 else 0.25
    wet = float(sys.argv[5]) if len(sys.argv) > 5 else 1.3
    rng = random.Random(seed)
    columns, rows, days = eta_history_csv.read(source, ("departed_at", "arrived_at"))
    factor, wet_days = {}, 0
    for d in days:
        is_wet = rng.random() < chance
        factor[d] = (wet if is_wet else 1.0) * math.exp(rng.gauss(0, 0.05))
        wet_days += is_wet
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            k = factor[r["departed_at"][:10]]
            if r["arrived_at"]:
                departed, arrived = datetime.fromisoformat(r["departed_at"]), datetime.fromisoformat(r["arrived_at"])
                extra = timedelta(seconds=round((arrived - departed).total_seconds() * (k - 1)))
                r["arrived_at"] = (arrived + extra).isoformat()
                if r["completed_at"]:
                    r["completed_at"] = (datetime.fromisoformat(r["completed_at"]) + extra).isoformat()
                if r.get("travel_noise_free_s"):
                    r["travel_noise_free_s"] = "%.1f" % (float(r["travel_noise_free_s"]) * k)
            writer.writerow(r)
    print(f"{len(rows)} rows over {len(days)} days to {out}; {wet_days} days wet")
    print("last days: " + " ".join("%s %.2f" % (d, factor[d]) for d in days[-14:]))


if __name__ == "__main__":
    main()
