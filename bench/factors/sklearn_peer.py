#!/usr/bin/python3
"""The scikit-learn peer of bench/factors/bench.mjs: one-row predict (predict_proba for the
logistic model) of estimators fitted with the shipped files' hyper-parameters (5d horizon), on
the golden rows. Needs build/factors/rows.csv (scripts/train_factors.py writes it).
Run: /usr/bin/python3 bench/factors/sklearn_peer.py [--calls 500]"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import train_factors as tf  # noqa: E402

calls = int(sys.argv[sys.argv.index("--calls") + 1]) if "--calls" in sys.argv else 500
sym, dates, X, T = tf.load_rows(os.path.join(tf.ROOT, "build", "factors", "rows.csv"))
train = dates < tf.TRAIN_END
golden = np.array(json.load(open(os.path.join(tf.ROOT, "tests", "golden", "factors.json")))["x"])
rng = np.random.default_rng(1)


def timed(f):
    for i in range(50):
        f(golden[i % len(golden)].reshape(1, -1))
    t = []
    for i in range(calls):
        row = golden[i % len(golden)].reshape(1, -1)
        t0 = time.perf_counter()
        f(row)
        t.append(time.perf_counter() - t0)
    t = np.array(t) * 1e6
    return [round(float(np.percentile(t, p)), 1) for p in (50, 95, 99)]


def fit(target, est, n=40000):
    ok = np.flatnonzero(train & ~np.isnan(T[target]))
    take = rng.choice(ok, size=min(n, len(ok)), replace=False)
    return est.fit(X[take], T[target][take])


S = tf.StandardScaler
rows = [("linear (predict)", timed(fit("next_range_rel", tf.Pipeline([("scaler", S()), ("model", tf.LinearRegression())])).predict)),
        ("logistic (predict_proba)", timed(fit("high_range_next", tf.Pipeline([("scaler", S()), ("model", tf.LogisticRegression(max_iter=2000))])).predict_proba))]
learners = {
    "random_forest": fit("fwd_ret_5", tf.RandomForestRegressor(n_estimators=40, max_depth=6, min_samples_leaf=50, random_state=tf.SEED)),
    "extra_trees": fit("fwd_ret_5", tf.ExtraTreesRegressor(n_estimators=40, max_depth=6, min_samples_leaf=50, random_state=tf.SEED)),
    "gradient_boosting": fit("fwd_ret_5", tf.GradientBoostingRegressor(n_estimators=100, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=tf.SEED)),
    "svr": fit("fwd_ret_5", tf.TransformedTargetRegressor(regressor=tf.Pipeline([("scaler", S()), ("model", tf.SVR(C=1.0, epsilon=0.5))]), transformer=S()), 2500),
    "mlp": fit("fwd_ret_5", tf.TransformedTargetRegressor(regressor=tf.Pipeline([("scaler", S()), ("model", tf.MLPRegressor(
        hidden_layer_sizes=(16, 8), alpha=1e-3, max_iter=200, early_stopping=True, random_state=tf.SEED))]), transformer=S())),
}
for kind, est in learners.items():
    rows.append((f"{kind} 5d (predict)", timed(est.predict)))
rows.append(("all five learners 5d", timed(lambda r: [m.predict(r) for m in learners.values()])))
print(f"scikit-learn {tf.sklearn.__version__}, one-row predict, {calls} calls each (µs)\n| call | p50 | p95 | p99 |\n| --- | --- | --- | --- |")
for name, (p50, p95, p99) in rows:
    print(f"| {name} | {p50} | {p95} | {p99} |")
