#!/usr/bin/python3
"""Trains the classical factor models with scikit-learn (training time only) and has the C++
core write their files (`stockcast pack`: the format has one writer).

  scripts/train_factors.py [--stockcast build/stockcast] [--work build/factors] [--models models] [--quick]

scripts/train.sh runs it after the LSTM models (its manifest step rewrites manifest.json; this
adds factor_models back). With --quick or a --models folder other than the repository's, the
golden parity file goes to WORK/factors-golden.json instead of tests/golden/factors.json.

1. `stockcast factor-rows` computes the factor features and targets of every NSE equity (the
   core's one list, core/include/stockcast/factor_features.hpp); rows near a price event
   (models/data/nse/events.csv) are left out.
2. Splits by date: training < 2018-07-01 <= validation < 2020-07-01 <= test <= 2021-06-30.
   Everything is fitted on training rows; validation only chooses (and reports); the test year
   is only reported.
3. The factor service's two models: a linear regression of the next day's range and a
   logistic regression of "tomorrow's range above this stock's 20-day mean range".
   The ensemble's five learners (random forest, extra trees, gradient boosting, RBF SVR, MLP)
   per horizon (1, 5, 10, 30 trading days) on the forward log return, pooled across stocks.
4. Writes build/factors/weights/*.json, packs them into models/factors/*.stkm, writes
   models/factors/metrics.json (every figure of models/FACTORS.md), the golden parity file
   tests/golden/factors.json (1,000 held-out test-year rows and scikit-learn's outputs for every
   shipped file) and the factor part of models/manifest.json.
Uses /usr/bin/python3 (Debian python3-sklearn 1.2.1).
"""
import argparse
import csv
import datetime
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np
import sklearn
from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import mean_absolute_error, r2_score, roc_auc_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVR

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "models", "data", "nse")
FEATURES = ["clv", "log_volume_rel_20", "range_rel", "ret_1", "ret_5", "ret_20", "rsi_14", "vol_20"]
TRAIN_END, VAL_END, TEST_END = "2018-07-01", "2020-07-01", "2021-06-30"
HORIZONS = [1, 5, 10, 30]
MARGIN = 0.1  # kFactorRangeMargin in factor_model.hpp
SEED = 20201
RANGE_DEF = "(high[t+1] - low[t+1]) / close[t]: the next trading day's range relative to today's close"
CLASS_DEF = ("1 when the next trading day's range (high - low) / close[t] exceeds the mean of range_rel over "
             "days t-19..t (a wider-than-usual day for this stock), else 0")


def sig(v, digits=4):
    return float(f"{v:.{digits}g}")


def load_rows(path):
    with open(path) as f:
        r = csv.reader(f)
        head = next(r)
        rows = list(r)
    cols = {name: i for i, name in enumerate(head)}
    dates = np.array([row[1] for row in rows])
    symbols = np.array([row[0] for row in rows])
    num = lambda name: np.array([float(row[cols[name]]) if row[cols[name]] else np.nan for row in rows])
    X = np.column_stack([num(n) for n in FEATURES])
    targets = {n: num(n) for n in ["next_range_rel", "high_range_next"] + [f"fwd_ret_{h}" for h in HORIZONS]}
    return symbols, dates, X, targets


def ranges(X):
    lo, hi = X.min(axis=0), X.max(axis=0)
    span = hi - lo
    return [sig(v, 6) for v in lo - MARGIN * span], [sig(v, 6) for v in hi + MARGIN * span]


def reg_metrics(y, p):
    return {"r2": sig(r2_score(y, p)), "mae": sig(mean_absolute_error(y, p)), "n": int(len(y))}


def cls_metrics(y, p):
    return {"accuracy": sig(float(np.mean((p > 0.5) == (y == 1)))), "auc": sig(roc_auc_score(y, p)) if 0 < y.mean() < 1 else None,
            "brier": sig(float(np.mean((p - y) ** 2))), "n": int(len(y))}


def ret_metrics(y, p):
    naive = np.zeros_like(y)
    sse, sse0 = float(np.sum((y - p) ** 2)), float(np.sum((y - naive) ** 2))
    hit = float(np.mean(np.sign(p[y != 0]) == np.sign(y[y != 0])))
    return {"mae": sig(mean_absolute_error(y, p)), "naive_mae": sig(mean_absolute_error(y, naive)),
            "rmse": sig(np.sqrt(sse / len(y))), "naive_rmse": sig(np.sqrt(sse0 / len(y))),
            "r2_vs_naive": sig(1 - sse / sse0), "direction_hit_rate": sig(hit), "n": int(len(y))}


def scaler_of(s):
    return {"mean": [float(v) for v in s.mean_], "scale": [float(v) for v in s.scale_]}


def trees_of(estimators):
    roots, feat, thr, left, right, val = [], [], [], [], [], []
    for est in estimators:
        t = est.tree_
        base = len(feat)
        roots.append(base)
        for i in range(t.node_count):
            leaf = t.children_left[i] == -1
            feat.append(0 if leaf else int(t.feature[i]))
            thr.append(0.0 if leaf else float(t.threshold[i]))
            left.append(-1 if leaf else base + int(t.children_left[i]))
            right.append(-1 if leaf else base + int(t.children_right[i]))
            val.append(float(t.value[i].ravel()[0]))
    return {"roots": roots, "feature": feat, "threshold": thr, "left": left, "right": right, "value": val}


def export(kind, model, lo, hi, target, definition, meta, metrics, horizon=0):
    """The pack input (docs/model-format.md) of a fitted scikit-learn estimator."""
    doc = {"kind": kind, "features": FEATURES, "min": lo, "max": hi, "range_margin": MARGIN, "target": target,
           "definition": definition, "meta": meta, "metrics": metrics, "scaler": None}
    if horizon:
        doc["horizon"] = horizon
    if kind in ("svr", "mlp"):
        ttr = model
        pipe, ys = ttr.regressor_, ttr.transformer_
        doc["output_scale"], doc["output_offset"] = float(ys.scale_[0]), float(ys.mean_[0])
        doc["scaler"] = scaler_of(pipe.named_steps["scaler"])
        est = pipe.named_steps["model"]
        if kind == "svr":
            doc["support_vectors"] = [float(v) for v in est.support_vectors_.ravel()]
            doc["dual_coef"] = [float(v) for v in est.dual_coef_.ravel()]
            doc["gamma"], doc["intercept"] = float(est._gamma), float(est.intercept_[0])
        else:
            acts = [est.activation] * (len(est.coefs_) - 1) + [est.out_activation_]
            doc["layers"] = [{"in": int(W.shape[0]), "out": int(W.shape[1]), "kernel": [float(v) for v in W.ravel()],
                              "bias": [float(v) for v in b], "activation": a} for W, b, a in zip(est.coefs_, est.intercepts_, acts)]
    elif kind in ("linear", "logistic"):
        doc["scaler"] = scaler_of(model.named_steps["scaler"])
        est = model.named_steps["model"]
        doc["coef"] = [float(v) for v in np.ravel(est.coef_)]
        doc["intercept"] = float(np.ravel(est.intercept_)[0])
        if kind == "logistic":
            doc["classes"] = ["normal_range", "high_range"]
    else:
        if kind == "gradient_boosting":
            doc["trees"] = trees_of(model.estimators_[:, 0])
            doc["trees"]["learning_rate"] = float(model.learning_rate)
            doc["trees"]["init"] = float(np.ravel(model.init_.constant_)[0])
        else:
            doc["trees"] = trees_of(model.estimators_)
    return doc


def predict(kind, model, X):
    return model.predict_proba(X)[:, 1] if kind == "logistic" else model.predict(X)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--stockcast", default=os.path.join(ROOT, "build", "stockcast"))
    ap.add_argument("--work", default=os.path.join(ROOT, "build", "factors"))
    ap.add_argument("--models", default=os.path.join(ROOT, "models"), help="the folder of manifest.json (files go to MODELS/factors)")
    ap.add_argument("--out", help="where the .stkm files go (default MODELS/factors; the manifest names them factors/NAME.stkm)")
    ap.add_argument("--golden", help="the golden parity file (default tests/golden/factors.json for the repository's models)")
    ap.add_argument("--quick", action="store_true", help="small samples (a smoke test, not the shipped models)")
    a = ap.parse_args()
    a.models = os.path.abspath(a.models)
    a.out = a.out or os.path.join(a.models, "factors")
    shipped = a.models == os.path.join(ROOT, "models") and not a.quick
    a.golden = a.golden or (os.path.join(ROOT, "tests", "golden", "factors.json") if shipped else os.path.join(a.work, "factors-golden.json"))
    t_start = time.time()
    os.makedirs(os.path.join(a.work, "weights"), exist_ok=True)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(DATA, "symbols.csv")) as f:
        symbols = [r["symbol"] for r in csv.DictReader(f)]
    rows_csv = os.path.join(a.work, "rows.csv")
    subprocess.run([a.stockcast, "factor-rows", "--prices", os.path.join(DATA, "prices"), "--events",
                    os.path.join(DATA, "events.csv"), "--symbols", ",".join(symbols), "--out", rows_csv], check=True)
    sym, dates, X, T = load_rows(rows_csv)
    train, val, test = dates < TRAIN_END, (dates >= TRAIN_END) & (dates < VAL_END), (dates >= VAL_END) & (dates <= TEST_END)
    print(f"rows: train {train.sum()}, validation {val.sum()}, test {test.sum()}", flush=True)
    lo, hi = ranges(X[train])
    rng = np.random.default_rng(SEED)
    today = datetime.date.today().isoformat()
    meta = lambda name: {"name": name, "version": "1", "trained_at": today, "data_from": min(dates[train].tolist()), "data_to": max(dates[val].tolist())}
    report = {"sklearn": sklearn.__version__, "rows": {"train": int(train.sum()), "validation": int(val.sum()), "test": int(test.sum())},
              "splits": {"train_before": TRAIN_END, "validation_before": VAL_END, "test_to": TEST_END}, "models": {}}
    fitted = {}

    # ---- the factor service's regression: next-day range
    y = T["next_range_rel"]
    ok = ~np.isnan(y)
    lin = Pipeline([("scaler", StandardScaler()), ("model", LinearRegression())]).fit(X[train & ok], y[train & ok])
    persistence = X[:, FEATURES.index("range_rel")]
    mean_train = float(np.mean(y[train & ok]))
    m = {}
    for split, mask in (("validation", val & ok), ("test", test & ok)):
        m[split] = {"model": reg_metrics(y[mask], lin.predict(X[mask])),
                    "mean": reg_metrics(y[mask], np.full(mask.sum(), mean_train)),
                    "persistence": reg_metrics(y[mask], persistence[mask])}
    fitted["factor_range_linear"] = ("linear", lin, "next_range_rel", RANGE_DEF, m, 0)

    # ---- the factor service's classifier: a high-range day tomorrow
    y = T["high_range_next"]
    ok = ~np.isnan(y)
    logit = Pipeline([("scaler", StandardScaler()), ("model", LogisticRegression(C=1.0, max_iter=2000))]).fit(X[train & ok], y[train & ok])
    base = float(np.mean(y[train & ok]))
    m = {}
    for split, mask in (("validation", val & ok), ("test", test & ok)):
        yy = y[mask]
        m[split] = {"model": cls_metrics(yy, logit.predict_proba(X[mask])[:, 1]),
                    "majority": cls_metrics(yy, np.full(len(yy), 1.0 if base > 0.5 else 0.0)),
                    "base_rate": cls_metrics(yy, np.full(len(yy), base)), "positive_rate": sig(float(yy.mean()))}
    m["train_base_rate"] = sig(base)
    fitted["factor_highrange_logistic"] = ("logistic", logit, "high_range_next", CLASS_DEF, m, 0)

    # ---- the ensemble's five learners per horizon, pooled across stocks
    n_fit = 4000 if a.quick else 40000
    n_svr = 600 if a.quick else 2500
    learners = {
        "random_forest": lambda: RandomForestRegressor(n_estimators=40, max_depth=6, min_samples_leaf=50, random_state=SEED),
        "extra_trees": lambda: ExtraTreesRegressor(n_estimators=40, max_depth=6, min_samples_leaf=50, random_state=SEED),
        "gradient_boosting": lambda: GradientBoostingRegressor(n_estimators=100, max_depth=3, learning_rate=0.05, subsample=0.8, random_state=SEED),
        "svr": lambda: TransformedTargetRegressor(regressor=Pipeline([("scaler", StandardScaler()), ("model", SVR(C=1.0, epsilon=0.5))]),
                                                  transformer=StandardScaler()),
        "mlp": lambda: TransformedTargetRegressor(regressor=Pipeline([("scaler", StandardScaler()), ("model", MLPRegressor(
            hidden_layer_sizes=(16, 8), alpha=1e-3, max_iter=200, early_stopping=True, random_state=SEED))]), transformer=StandardScaler()),
    }
    for h in HORIZONS:
        y = T[f"fwd_ret_{h}"]
        ok = ~np.isnan(y)
        idx = np.flatnonzero(train & ok)
        for kind, make in learners.items():
            t0 = time.time()
            take = rng.choice(idx, size=min(len(idx), n_svr if kind == "svr" else n_fit), replace=False)
            est = make().fit(X[take], y[take])
            m = {"fit_rows": int(len(take)), "fit_seconds": sig(time.time() - t0, 3)}
            for split, mask in (("validation", val & ok), ("test", test & ok)):
                m[split] = ret_metrics(y[mask], est.predict(X[mask]))
            print(f"{kind} {h}d: val r2_vs_naive {m['validation']['r2_vs_naive']}, test {m['test']['r2_vs_naive']} ({m['fit_seconds']} s)", flush=True)
            fitted[f"learner_{kind}_{h}d"] = (kind, est, f"fwd_ret_{h}",
                                               f"ln(close[t+{h}] / close[t]): the log return over the next {h} trading day{'s' if h > 1 else ''}", m, h)

    # ---- the accuracy cost of the size limits (5d, validation): unconstrained trees
    y = T["fwd_ret_5"]
    ok = ~np.isnan(y)
    idx = rng.choice(np.flatnonzero(train & ok), size=min(n_fit, int((train & ok).sum())), replace=False)
    big = {"random_forest": RandomForestRegressor(n_estimators=100, min_samples_leaf=20, random_state=SEED, n_jobs=2),
           "extra_trees": ExtraTreesRegressor(n_estimators=100, min_samples_leaf=20, random_state=SEED, n_jobs=2),
           "gradient_boosting": GradientBoostingRegressor(n_estimators=300, max_depth=5, learning_rate=0.05, subsample=0.8, random_state=SEED)}
    report["size_cost_5d_validation"] = {}
    for kind, est in big.items():
        est.fit(X[idx], y[idx])
        nodes = sum(e.tree_.node_count for e in np.ravel(est.estimators_))
        report["size_cost_5d_validation"][kind] = {"unconstrained": ret_metrics(y[val & ok], est.predict(X[val & ok])),
                                                   "unconstrained_nodes": int(nodes), "unconstrained_bytes_est": int(nodes * 28)}

    # ---- write, pack, golden
    golden_rows = rng.choice(np.flatnonzero(test), size=1000, replace=False)
    gx = np.array([[float(f"{v:.9g}") for v in row] for row in X[golden_rows]])
    golden = {"features": FEATURES, "x": gx.tolist(), "models": {}}
    manifest_models = []
    for name, (kind, est, target, definition, metrics, h) in fitted.items():
        compact = {"test": metrics["test"], "validation": metrics["validation"]}
        if kind in ("linear", "logistic"):  # ≤ 2 KB files: only the test-year figures in the header
            compact = {"test": {k: v for k, v in metrics["test"].items()}}
        doc = export(kind, est, lo, hi, target, definition, meta(name), compact, h)
        wpath = os.path.join(a.work, "weights", name + ".json")
        with open(wpath, "w") as f:
            json.dump(doc, f)
        out = os.path.join(a.out, name + ".stkm")
        subprocess.run([a.stockcast, "pack", wpath, "--out", out], check=True, stdout=subprocess.DEVNULL)
        data = open(out, "rb").read()
        golden["models"][name] = {"file": os.path.relpath(out, ROOT), "kind": kind, "y": [float(v) for v in predict(kind, est, gx)]}
        entry = {"name": name, "file": f"factors/{name}.stkm", "kind": kind, "target": target, "definition": definition,
                 "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest(), "features": FEATURES,
                 "feature_ranges": [{"name": n, "min": lo[i], "max": hi[i]} for i, n in enumerate(FEATURES)],
                 "test_metrics": metrics["test"], "validation_metrics": metrics["validation"]}
        if h:
            entry["horizon"] = h
        if kind == "logistic":
            entry["classes"] = ["normal_range", "high_range"]
        manifest_models.append(entry)
        report["models"][name] = {"kind": kind, "bytes": len(data), **metrics}
        print(f"{name}: {len(data)} bytes", flush=True)
    with open(a.golden, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
    report["feature_ranges"] = {"min": lo, "max": hi, "margin": MARGIN}
    report["train_seconds"] = round(time.time() - t_start, 1)
    with open(os.path.join(a.out, "metrics.json"), "w") as f:
        json.dump(report, f, indent=1)
    mpath = os.path.join(a.models, "manifest.json")
    with open(mpath) as f:
        manifest = json.load(f)
    manifest["factor_models"] = manifest_models
    with open(mpath, "w") as f:
        json.dump(manifest, f, indent=1)
        f.write("\n")
    print(f"done in {report['train_seconds']} s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
