#!/usr/bin/env python3
"""Any delivery history with riders the model never saw: on its last fifth of days (the days `tower bench eta` tests
on), a share of the riders come under new ids, as a fleet that takes on gig couriers or renames its riders would
have them. Tooling only, never a dependency of Tower (standard library only).

Usage: scripts/eta-new-riders.py IN.csv OUT.csv SEED [SHARE]   (SHARE defaults to 0.3)
Then:  swift run -c release tower bench eta OUT.csv

The riders renamed are SHARE of the history's riders (at least one), drawn with SEED; on the test days each of their
legs has the rider id `NEW-` and the old id. Nothing else changes: the same people drive the same legs at the same
pace, so the noise floor is the one of the history before, and what a model loses on those legs is what it loses by
not knowing who drives them. The script prints the riders renamed and the first day they are new.
"""
import csv, random, sys

import eta_history_csv


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: scripts/eta-new-riders.py IN.csv OUT.csv SEED [SHARE]")
    source, out, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    share = float(sys.argv[4]) if len(sys.argv) > 4 else 0.3
    if not 0 < share <= 1:
        sys.exit(f"SHARE {share}: expected a share above 0 and at most 1")
    columns, rows, days = eta_history_csv.read(source, ("departed_at", "rider_id"))
    # The days `tower bench eta` tests on: the last fifth, as it splits them.
    first_new = days[len(days) - len(days) // 5] if len(days) >= 5 else days[-1]
    riders = sorted({r["rider_id"] for r in rows})
    renamed = set(random.Random(seed).sample(riders, max(1, int(len(riders) * share))))
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            if r["departed_at"][:10] >= first_new and r["rider_id"] in renamed:
                r["rider_id"] = "NEW-" + r["rider_id"]
            writer.writerow(r)
    print(f"{len(rows)} rows to {out}; from {first_new}, {len(renamed)} of {len(riders)} riders new: {' '.join(sorted(renamed))}")


if __name__ == "__main__":
    main()
