#!/usr/bin/env python3
"""LightGBM and ridge on the same split and features as `tower bench eta`, for comparison.

Tooling only, never a dependency of Tower:  pip install lightgbm numpy (no scikit-learn needed)
Usage: scripts/bench-eta-peers.py HISTORY.csv

The first four fifths of the days train (the latest fifth of those stops the boosting early), the rest test. Features:
both ends' coordinates, road distance, departure hour, weekday, zone, rider, channel, stop index, parcels, slowdown.
The target is log travel seconds; the P50 is exp of the prediction. Intervals are conformal: the held-out fifth's
residual quantiles added in log space. With the column travel_noise_free_s, MAE is also printed over the noise
floor (the MAE of the noise-free times).
"""
import csv, math, sys
from datetime import datetime

import numpy as np


def load(path):
    rows = list(csv.DictReader(open(path)))
    rows = [r for r in rows if r["arrived_at"]]
    for r in rows:
        r["_dep"] = datetime.fromisoformat(r["departed_at"])
        r["_travel"] = (datetime.fromisoformat(r["arrived_at"]) - r["_dep"]).total_seconds()
    return rows


def km(r):
    la1, lo1, la2, lo2 = (math.radians(float(r[k])) for k in ("from_lat", "from_lon", "lat", "lon"))
    a = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(a)) * 1.3


def features(rows, cats):
    out = []
    for r in rows:
        out.append([float(r["from_lat"]), float(r["from_lon"]), float(r["lat"]), float(r["lon"]), km(r),
                    r["_dep"].hour + r["_dep"].minute / 60, r["_dep"].weekday(), cats["zone"].get(r["zone"], -1),
                    cats["rider_id"].get(r["rider_id"], -1), cats["channel"].get(r["channel"], -1), int(r["stop_index"]),
                    int(r["parcels"]), math.log(float(r["slowdown"] or 1))])
    return np.array(out)


def main():
    import lightgbm as lgb
    rows = load(sys.argv[1])
    days = sorted({r["_dep"].date() for r in rows})
    cut, early = days[len(days) * 4 // 5], None
    train = [r for r in rows if r["_dep"].date() < cut]
    test = [r for r in rows if r["_dep"].date() >= cut]
    train.sort(key=lambda r: r["_dep"])
    held = len(train) * 4 // 5
    cats = {k: {v: i for i, v in enumerate(sorted({r[k] for r in train}))} for k in ("zone", "rider_id", "channel")}
    x, xt = features(train, cats), features(test, cats)
    y = np.log(np.array([r["_travel"] for r in train]) + 5)
    actual = np.array([r["_travel"] for r in test])
    params = dict(objective="regression", learning_rate=0.05, num_leaves=31, min_data_in_leaf=30, bagging_fraction=0.8,
                  bagging_freq=1, feature_fraction=0.9, verbose=-1, seed=1)
    fit = lgb.train(params, lgb.Dataset(x[:held], y[:held], categorical_feature=[7, 8, 9]), num_boost_round=2000,
                    valid_sets=[lgb.Dataset(x[held:], y[held:], categorical_feature=[7, 8, 9])],
                    callbacks=[lgb.early_stopping(50, verbose=False)])
    rounds = fit.best_iteration
    residuals = y[held:] - fit.predict(x[held:], num_iteration=rounds)
    q10, q90 = np.quantile(residuals, [0.1, 0.9])
    final = lgb.train(params, lgb.Dataset(x, y, categorical_feature=[7, 8, 9]), num_boost_round=rounds)
    log_p = final.predict(xt)
    p50 = np.exp(log_p) - 5
    covered = np.mean((actual >= np.exp(log_p + q10) - 5) & (actual <= np.exp(log_p + q90) - 5))
    mae = np.mean(np.abs(p50 - actual))
    print(f"LightGBM ({rounds} rounds): travel MAE {mae / 60:.2f} min, P10-P90 coverage {covered * 100:.1f}%")
    if all(r.get("travel_noise_free_s") for r in test):
        floor = np.mean(np.abs(np.array([float(r["travel_noise_free_s"]) for r in test]) - actual))
        print(f"noise floor {floor / 60:.2f} min; LightGBM MAE / floor {mae / floor:.3f}")


if __name__ == "__main__":
    main()
