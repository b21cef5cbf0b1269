#!/usr/bin/python3
"""The scikit-learn peer of bench/factors/bench.mjs: one-row predict (predict_proba for the
logistic model) of freshly fitted estimators with the shipped files' hyper-parameters, on the
same golden rows. Fits on the factor rows of build/factors/rows.csv (scripts/train_factors.py
writes it). Run: /usr/bin/python3 bench/factors/sklearn_peer.py [--calls 500]"""
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts"))
import train_factors as tf  # noqa: E402
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

calls = int(sys.argv[sys.argv.index("--calls") + 1]) if "--calls" in sys.argv else 500
sym, dates, X, T = tf.load_rows(os.path.join(tf.ROOT, "build", "factors", "rows.csv"))
train = dates < tf.TRAIN_END
golden = np.array(json.load(open(os.path.join(tf.ROOT, "tests", "golden", "factors.json")))["x"])
rng = np.random.default_rng(1)
y5 = T["fwd_ret_5"]
ok = train & ~np.isnan(y5)
idx = rng.choice(np.flatnonzero(ok), size=40000, replace=False)


def timed(f):
    for i in range(50):
        f(golden[i % len(golden)].reshape(1, -1))
    t = []
    for i in range(calls):
        row = golden[i % len(golden)].reshape(1, -1)
        t0 = time.perf_counter()
        f(row)
        t.append(time.perf_counter() - t0)
    t = np.sort(np.array(t)) * 1e6
    return [round(float(np.percentile(t, p)), 1) for p in (50, 95, 99)]


ok_r = train & ~np.isnan(T["next_range_rel"])
lin = Pipeline([("scaler", StandardScaler()), ("model", LinearRegression())]).fit(X[ok_r], T["next_range_rel"][ok_r])
ok_c = train & ~np.isnan(T["high_range_next"])
logit = Pipeline([("scaler", StandardScaler()), ("model", LogisticRegression(max_iter=2000))]).fit(X[ok_c], T["high_range_next"][ok_c])
rows = [("linear (predict)", timed(lin.predict)), ("logistic (predict_proba)", timed(logit.predict_proba))]
five = []
learners = {}
for kind in ["random_forest", "extra_trees", "gradient_boosting", "svr", "mlp"]:
    est = {"random_forest": lambda: tf.RandomForestRegressor(n_estimators=40, max_depth=6, min_samples_leaf=50, random_state=tf.SEED),
           "extra_trees": lambda: tf.ExtraTreesRegressor(n_estimators=40, max_depth=6, min_samples_leaf=50, random_state=tf.SEED),
           "gradient_boosting": lambda: tf.GradientBoostingRegressor(n_estimators=100, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=tf.SEED),
           "svr": lambda: tf.TransformedTargetRegressor(regressor=tf.Pipeline([("scaler", StandardScaler()), ("model", tf.SVR(C=1.0, epsilon=0.5))]), transformer=StandardScaler()),
           "mlp": lambda: tf.TransformedTargetRegressor(regressor=tf.Pipeline([("scaler", StandardScaler()), ("model", tf.MLPRegressor(hidden_layer_sizes=(16, 8), alpha=1e-3, max_iter=200, early_stopping=True, random_state=tf.SEED))]), transformer=StandardScaler())}[kind]()
    take = idx[:2500] if kind == "svr" else idx
    learners[kind] = est.fit(X[take], y5[take])
    rows.append((f"{kind} 5d (predict)", timed(learners[kind].predict)))
rows.append(("all five learners 5d", timed(lambda r: [m.predict(r) for m in learners.values()])))
print(f"scikit-learn {tf.sklearn.__version__}, one-row predict, {calls} calls each (µs)\n| call | p50 | p95 | p99 |\n| --- | --- | --- | --- |")
for name, (p50, p95, p99) in rows:
    print(f"| {name} | {p50} | {p95} | {p99} |")
