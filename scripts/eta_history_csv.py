"""What the scripts that make or change delivery histories share: Tower's delivery history columns
(sample-data/README.md), how a history is written (`eta-other-history.py`, `eta-grid-history.py`) and read
(`eta-weather.py`, `eta-new-riders.py`). Tooling only, standard library only."""
import csv, sys
from datetime import timedelta

COLUMNS = ("order_id,rider_id,channel,zone,from_lat,from_lon,lat,lon,departed_at,arrived_at,completed_at,stop_index,"
           "parcels,outcome,weekday,tier,window_start,window_end,slowdown,travel_noise_free_s")


def write(out, rows, days, closure=None):
    """Writes `rows` (lists in COLUMNS' order) oldest departure first and says so; `closure`, when it falls inside the
    days, is (zone id, first closed day 0-based, the history's first day, what the closure does), said too."""
    rows.sort(key=lambda r: r[8])
    with open(out, "w") as f:
        f.write(COLUMNS + "\n")
        for r in rows:
            f.write(",".join(map(str, r)) + "\n")
    print(f"{len(rows)} rows over {days} days to {out}")
    if closure is not None and closure[1] < days:
        zone, day, start, what = closure
        print(f"zone {zone} closed ({what}) from day {day + 1}, {(start + timedelta(days=day)).date().isoformat()}")


def read(source, needed):
    """The columns, rows and local days (the dates legs leave on, ascending) of the history at `source`; exits naming
    the file when it has no rows or lacks one of the columns `needed` (departed_at among them)."""
    with open(source, newline="") as f:
        reader = csv.DictReader(f)
        columns, rows = reader.fieldnames or [], list(reader)
    if not rows or any(c not in columns for c in needed):
        sys.exit(f"{source}: expected a delivery history with {' and '.join(needed)} columns and at least one row")
    return columns, rows, sorted({r["departed_at"][:10] for r in rows})
