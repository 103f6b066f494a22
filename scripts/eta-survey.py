#!/usr/bin/env python3
"""Issue 19's figures over many histories at once: each history made, run through `tower bench eta` (held-out days,
trained and online), and the lines that matter gathered into one table. Tooling only, never a dependency of Tower
(standard library only).

Usage: scripts/eta-survey.py [--tower PATH] [--work DIR] [--jobs N] HISTORY...
  --tower  the binary to measure (default .build/release/tower: build it with `swift build -c release`)
  --work   where histories are made and kept between runs (default /tmp/tower-eta-survey)
  --jobs   histories measured at once (default 2)
HISTORY is one of:
  synth:N          `tower eta synth --seed N`, the days before its closure (46): no closure in the held-out days
  closed:N         `tower eta synth --seed N`, all 60 days: closed from day 47, so every test day is closed
  other:N          `scripts/eta-other-history.py N` (70 days); other-closed:N closes a zone's roads from day 46 of 60
  grid:N           `scripts/eta-grid-history.py N` (60 days); grid-closed:N closes a zone's doors from day 46
  shipped          sample-data/history/rio-history-60d.csv
  wet:SEED:HISTORY HISTORY with wet days added (`scripts/eta-weather.py`, SEED)
  new:SEED:HISTORY HISTORY with a third of its riders under new ids on the test days (`scripts/eta-new-riders.py`)
  FILE.csv         any history with `travel_noise_free_s`
Ranges expand: synth:1-40.

Per history: travel MAE over the noise floor and as a share of the distance baseline, trained and online, whether
issue 19's target (at most 1.06 x the floor or 50% of the baseline) is met, P10-P90 coverage and the distance bands
outside 80 +- 3 (and beyond what chance explains), as `tower bench eta` prints them. Then the totals.
"""
import argparse, concurrent.futures, os, re, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def expand(spec):
    m = re.fullmatch(r"(.*:)(\d+)-(\d+)", spec)
    if m and not spec.endswith(".csv"):
        return [f"{m.group(1)}{n}" for n in range(int(m.group(2)), int(m.group(3)) + 1)]
    return [spec]


def make(spec, tower, work):
    """The path of the history SPEC names, made under WORK if it is not there yet."""
    if spec.endswith(".csv"):
        return spec
    if spec == "shipped":
        return os.path.join(ROOT, "sample-data/history/rio-history-60d.csv")
    path = os.path.join(work, spec.replace(":", "-") + ".csv")
    if os.path.exists(path):
        return path
    kind, _, rest = spec.partition(":")
    scripts = os.path.join(ROOT, "scripts")
    quiet = dict(check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if kind in ("synth", "closed"):
        days = ["--days", "46"] if kind == "synth" else []
        subprocess.run([tower, "eta", "synth", "--seed", rest, *days, path], **quiet)
    elif kind in ("other", "other-closed"):
        extra = ["60", "46"] if kind == "other-closed" else []
        subprocess.run([sys.executable, os.path.join(scripts, "eta-other-history.py"), rest, path, *extra], **quiet)
    elif kind in ("grid", "grid-closed"):
        extra = ["60", "46"] if kind == "grid-closed" else []
        subprocess.run([sys.executable, os.path.join(scripts, "eta-grid-history.py"), rest, path, *extra], **quiet)
    elif kind in ("wet", "new"):
        seed, _, inner = rest.partition(":")
        source = make(inner, tower, work)
        script = "eta-weather.py" if kind == "wet" else "eta-new-riders.py"
        subprocess.run([sys.executable, os.path.join(scripts, script), source, path, seed], **quiet)
    else:
        sys.exit(f"{spec}: not a history this script knows (see --help)")
    return path


FIGURES = re.compile(r"travel MAE [\d.]+ min \(baseline [\d.]+, ([\d.]+)% of it\) \(noise floor [\d.]+ min: ([\d.]+) ×")
COVERAGE = re.compile(r"P10–P90 coverage ([\d.]+)%")
BANDS = re.compile(r"distance bands outside 80 ± 3: (\d+) of (\d+); further out than chance explains: (\d+)")


def measure(spec, tower, work):
    try:
        path = make(spec, tower, work)
    except subprocess.CalledProcessError as error:
        return spec, None, f"making it failed: `{' '.join(map(str, error.cmd))}` exited with {error.returncode}"
    out = subprocess.run([tower, "bench", "eta", path], capture_output=True, text=True)
    if out.returncode != 0:
        return spec, None, out.stderr.strip() or out.stdout.strip()
    text = out.stdout
    rows = {}
    for label, start in (("trained", "trained model:"), ("online", "online (")):
        i = text.find(start)
        block = text[i:text.find("\n", text.find("hour bands outside", i))]
        figures, coverage, bands = FIGURES.search(block), COVERAGE.search(block), BANDS.search(block)
        if i < 0 or not (figures and coverage and bands):
            return spec, None, f"no {label} figures against a noise floor in `tower bench eta {path}` (is travel_noise_free_s there?)"
        share, floor = float(figures.group(1)), float(figures.group(2))
        rows[label] = dict(floor=floor, share=share, met=floor <= 1.06 or share <= 50, coverage=float(coverage.group(1)),
                           outside=int(bands.group(1)), bands=int(bands.group(2)), beyond=int(bands.group(3)))
    return spec, rows, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tower", default=os.path.join(ROOT, ".build/release/tower"))
    parser.add_argument("--work", default="/tmp/tower-eta-survey")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("histories", nargs="+")
    args = parser.parse_args()
    if not os.access(args.tower, os.X_OK):
        sys.exit(f"{args.tower}: no tower binary there (swift build -c release, or --tower PATH)")
    os.makedirs(args.work, exist_ok=True)
    specs = [s for spec in args.histories for s in expand(spec)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(lambda s: measure(s, args.tower, args.work), specs))
    print(f"{'history':<18} {'trained × floor':>15} {'% base':>7} {'met':>4} {'cover':>6} {'bands out':>10}   "
          f"{'online × floor':>14} {'% base':>7} {'met':>4} {'cover':>6} {'bands out':>10}")
    totals = {label: dict(met=0, outside=0, bands=0, beyond=0) for label in ("trained", "online")}
    failed = 0
    for spec, rows, error in results:
        if rows is None:
            print(f"{spec:<18} failed: {error}")
            failed += 1
            continue
        cells = []
        for label in ("trained", "online"):
            r, t = rows[label], totals[label]
            t["met"] += r["met"]; t["outside"] += r["outside"]; t["bands"] += r["bands"]; t["beyond"] += r["beyond"]
            cells.append(f"{r['floor']:>15.3f} {r['share']:>6.1f}% {'yes' if r['met'] else 'NO':>4} {r['coverage']:>5.1f}% "
                         f"{r['outside']:>3} ({r['beyond']} b)")
        print(f"{spec:<18} {cells[0]}   {cells[1]}")
    measured = len(results) - failed
    for label in ("trained", "online"):
        t = totals[label]
        print(f"{label}: target met on {t['met']} of {measured}; distance bands outside 80 ± 3: {t['outside']} of {t['bands']}, "
              f"{t['beyond']} further out than chance explains")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
