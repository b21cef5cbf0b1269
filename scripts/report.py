#!/usr/bin/env python3
"""Manifest and report generation for the trained NSE models (model headers read by `stockcast inspect --json`).

  report.py pick OUT.stkm CANDIDATE.stkm...       copy the candidate with the lowest validation loss
  report.py manifest --models DIR --data DIR [--backtest CSV] [--specific A,B,...]
                                                 write DIR/manifest.json (test metrics from CSV if given)
  report.py report --models DIR --data DIR --backtest CSV [--backtest-f32 CSV] [--wall-seconds N]
                   [--specific A,B,...]          add test metrics to the manifest, write DIR/REPORT.md
--specific: the stock-specific models to list (default: train_tasks.SPECIFIC), each if DIR has its file.

Direction hit rate: the share of backtest rows whose forecast direction equals the class of the
realised move; `stockcast backtest` writes both columns, classed by the core's one rule (forecast.hpp).
"""
import csv
import hashlib
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STOCKCAST = os.environ.get("STOCKCAST_BIN", os.path.join(ROOT, "build", "stockcast"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train_tasks import SPECIFIC  # noqa: E402  (the one list of stock-specific models)
CLAIMED = {  # the original design's claimed MAPE (%), 1d and 10d
    "SCOM": (4.78, 4.23), "EQTY": (1.86, 3.68), "KCB": (4.68, 4.38), "BAMB": (8.53, 16.41), "EABL": (3.77, 5.67)}
TEST_FROM, TEST_TO = "2020-07-01", "2021-06-30"


def header(path):
    """The model file's header as the core reads it (`stockcast inspect --json`), and the file's bytes."""
    run = subprocess.run([STOCKCAST, "inspect", path, "--json"], capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(run.stderr.strip() or f"{path}: stockcast inspect failed")
    with open(path, "rb") as f:
        return json.loads(run.stdout), f.read()


def symbols_csv(data):
    with open(os.path.join(data, "symbols.csv"), newline="") as f:
        return list(csv.DictReader(f))


def load_backtest(path):
    """symbol -> horizon -> dict of metrics; also model_type per symbol."""
    acc = defaultdict(lambda: defaultdict(lambda: [0.0, 0.0, 0, 0, 0]))
    types = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            s, h = row["symbol"], int(row["horizon"])
            close, pred, act = float(row["close"]), float(row["predicted"]), float(row["actual"])
            lo, hi = float(row["lower90"]), float(row["upper90"])
            a = acc[s][h]
            a[0] += abs(pred - act) / act
            a[1] += abs(close - act) / act
            a[2] += 1 if lo <= act <= hi else 0
            a[3] += 1 if row["direction"] == row["actual_direction"] else 0  # both classed by the core
            a[4] += 1
            types[s] = row["model_type"]
    out = {}
    for s, hs in acc.items():
        out[s] = {}
        for h, (ape, nape, cov, hit, n) in hs.items():
            out[s][h] = {"mape": 100 * ape / n, "naive_mape": 100 * nape / n, "coverage90": cov / n,
                         "direction_hit_rate": hit / n, "n": n}
    return out, types


def pick(cands):
    """The candidate model file with the lowest validation loss (a choice made on validation only)."""
    loss = {p: header(p)[0]["metrics"]["training"]["best_val_loss"] for p in cands}
    for p in cands:
        print(f"  candidate {p}: best validation loss {loss[p]:.5f}")
    return min(cands, key=loss.get)


def cmd_pick(args):
    out, cands = args[0], args[1:]
    best = pick(cands)
    shutil.copyfile(best, out)
    print(best)  # last line: the chosen candidate (train.sh reads it)
    return best


def opt(args, name, default=None):
    return args[args.index(name) + 1] if name in args else default


def specific_opt(args):
    v = opt(args, "--specific")
    return SPECIFIC if v is None else [s for s in v.split(",") if s]


def build_manifest(models, data, metrics=None, specific=SPECIFIC):
    syms = symbols_csv(data)
    general = os.path.join(models, "general.stkm")
    gh, gb = header(general)
    files = {"general.stkm": (gh, gb)}
    for s in specific:
        p = os.path.join(models, s + ".stkm")
        if os.path.exists(p):
            files[s + ".stkm"] = header(p)
    model_list = []
    for name, (h, b) in sorted(files.items()):
        model_list.append({"file": name, "kind": h["meta"]["kind"], "name": h["meta"]["name"], "bytes": len(b),
                           "sha256": hashlib.sha256(b).hexdigest(), "dtype": h["tensors"][0]["dtype"],
                           "data_from": h["meta"]["data_from"], "data_to": h["meta"]["data_to"],
                           "validation": h["metrics"].get("validation", {})})
    model_list += kept_transformer_entries(models)
    info = {m["file"]: m for m in model_list}
    sectors = defaultdict(list)
    stocks = []
    for r in syms:
        s = r["symbol"]
        sectors[r["sector"]].append(s)
        f = s + ".stkm" if s + ".stkm" in files else "general.stkm"
        e = {"symbol": s, "name": r["name"], "sector": r["sector"], "file": f,
             "model_type": "stock_specific" if f != "general.stkm" else "general",
             "confidence": "high" if f != "general.stkm" else "medium",
             "bytes": info[f]["bytes"], "sha256": info[f]["sha256"]}
        if f != "general.stkm":
            e["fallback"] = {"file": "general.stkm", "model_type": "general", "bytes": info["general.stkm"]["bytes"],
                             "sha256": info["general.stkm"]["sha256"]}
        if metrics and s in metrics:
            e["test_metrics"] = {f"{h}d": {k: round(v, 6) if isinstance(v, float) else v for k, v in m.items()}
                                 for h, m in sorted(metrics[s].items())}
        stocks.append(e)
    return {
        "format_version": 1,
        "training_date": gh["meta"]["trained_at"],
        "data": {"source": "models/data/nse (NSE daily closes, MIT-licensed crawler data; see its README)",
                 "from": min(m["data_from"] for m in model_list), "to": TEST_TO,
                 "training_targets_before": "2018-07-01", "validation": ["2018-07-01", "2020-06-30"],
                 "test": [TEST_FROM, TEST_TO]},
        # Horizons and interval levels are the general model's (every model file carries both).
        "horizons": gh["output"]["horizons"],
        "horizon_names": [f"{h}d" for h in gh["output"]["horizons"]],
        "interval_levels": gh["intervals"]["levels"],
        "sectors": {k: v for k, v in sorted(sectors.items())},
        "models": model_list,
        "stocks": stocks,
    }


def keep_ensemble(models, m):
    """Carries the previous manifest's ensemble and kind_metrics entries (while their files still have
    their bytes and SHA-256) into `m`: scripts/ensemble_report.py writes them after this script, and a
    re-run of this one alone must not drop them (train.sh re-runs the ensemble step after retraining)."""
    path = os.path.join(models, "manifest.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        old = json.load(f)
    for key in ("ensemble", "kind_metrics"):
        e = old.get(key)
        path = e and os.path.join(models, e["file"])
        if e and os.path.exists(path):
            with open(path, "rb") as f:
                b = f.read()
            if (len(b), hashlib.sha256(b).hexdigest()) == (e["bytes"], e["sha256"]):
                m[key] = e


def kept_transformer_entries(models):
    """The transformer's entries of the manifest being replaced (scripts/train_transformer.py writes them,
    after this script in scripts/train.sh), kept while their file is there with the same bytes."""
    try:
        with open(os.path.join(models, "manifest.json")) as f:
            old = json.load(f).get("models", [])
    except (OSError, ValueError):
        return []
    kept = []
    for e in old:
        path = os.path.join(models, e.get("file", ""))
        if e.get("kind") == "transformer" and os.path.isfile(path):
            with open(path, "rb") as f:
                if hashlib.sha256(f.read()).hexdigest() == e.get("sha256"):
                    kept.append(e)
    return kept


def kept_report_sections(models):
    """Sections other scripts add to REPORT.md between their markers (the fine-tuning one of
    scripts/finetune_report.py, the transformer's, and the model kinds' of scripts/ensemble_report.py), kept."""
    try:
        with open(os.path.join(models, "REPORT.md")) as f:
            text = f.read()
    except OSError:
        return []
    return re.findall(r"<!-- finetune: .*?<!-- /finetune -->|<!-- transformer: .*?<!-- /transformer -->|<!-- ensemble-report:begin -->.*?<!-- ensemble-report:end -->",
                      text, re.S)


def write_manifest(models, m):
    """Writes DIR/manifest.json (keeping the ensemble step's entries) after checking it against the schema."""
    keep_ensemble(models, m)
    save_manifest(models, m)


def save_manifest(models, m):
    """Writes DIR/manifest.json after checking it against models/manifest.schema.json."""
    from check_manifest import problems  # python3-jsonschema, at training time only
    found = problems(m)
    if found:
        raise SystemExit("manifest does not satisfy models/manifest.schema.json:\n  " + "\n  ".join(found))
    with open(os.path.join(models, "manifest.json"), "w") as f:
        json.dump(m, f, indent=1)
        f.write("\n")


def cmd_manifest(args):
    models, data = opt(args, "--models", "models"), opt(args, "--data", "models/data/nse")
    bt = opt(args, "--backtest")
    metrics = load_backtest(bt)[0] if bt else None
    m = build_manifest(models, data, metrics, specific_opt(args))
    write_manifest(models, m)
    print(f"wrote {os.path.join(models, 'manifest.json')}: {len(m['stocks'])} stocks, {len(m['models'])} model files")


def med(v):
    v = [x for x in v if x is not None and not math.isnan(x)]
    return statistics.median(v) if v else float("nan")


def fmt(x, d=2):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{d}f}"


def cmd_report(args):
    models, data = opt(args, "--models", "models"), opt(args, "--data", "models/data/nse")
    bt, bt32 = opt(args, "--backtest"), opt(args, "--backtest-f32")
    wall = opt(args, "--wall-seconds")
    metrics, types = load_backtest(bt)
    man = build_manifest(models, data, metrics, specific_opt(args))
    write_manifest(models, man)
    horizons = man["horizons"]
    names = {r["symbol"]: r for r in symbols_csv(data)}
    L = []
    w = L.append
    w("# stockcast NSE models: test-year report")
    w("")
    w(f"Generated by `scripts/report.py` from `{os.path.basename(bt)}` (rolling-origin backtest, origins "
      f"{TEST_FROM} .. {TEST_TO}, one forecast per symbol x trading day x horizon; `actual` = the close h rows later "
      "in the same file, rows past the file end skipped). The test year was never used for fitting or choosing "
      "anything: training targets end before 2018-07-01, validation (early stopping, shrinkage, conformal "
      "calibration, model choice) covers origins 2018-07-01 .. targets before 2020-07-01.")
    w("")
    w(f"Training date {man['training_date']}; {len(man['models'])} model files "
      f"({sum(1 for s in man['stocks'] if s['model_type'] == 'stock_specific')} stock-specific, 1 general); "
      f"largest file {max(m['bytes'] for m in man['models'])} bytes.")
    if wall:
        w(f"`scripts/train.sh` wall time on the 2-core machine: {float(wall) / 60:.1f} min.")
    w("")
    w("The classical factor models (linear, logistic and the ensemble's five learners, trained with scikit-learn) "
      "have their own test-year report beside their baselines: [FACTORS.md](FACTORS.md).")
    w("")
    w("MAPE = mean |predicted - actual| / actual (%). Naive = \"no change\" (predicted = last close) on the same rows. "
      "Ratio = model / naive (< 1: the model beats naive). Coverage = share of actuals inside the 90 % interval. "
      "Direction hit = share of rows whose realised move falls in the predicted class (bearish / neutral / bullish, "
      "neutral band 0.5 % x sqrt(h)).")
    w("")
    # ---- summary per horizon
    w("## Summary (medians over symbols)")
    w("")
    w("| horizon | symbols | median MAPE model | median MAPE naive | median ratio | beats / ties / loses naive | "
      "90% coverage (median) | 90% coverage (pooled) | direction hit (median) | ratio target | coverage target "
      "(median / pooled) |")
    w("|---|---|---|---|---|---|---|---|---|---|---|")
    summary = {}
    for h in horizons:
        rows = [metrics[s][h] for s in metrics if h in metrics[s]]
        ratio = med([r["mape"] / r["naive_mape"] if r["naive_mape"] > 0 else None for r in rows])
        cov_med = med([r["coverage90"] for r in rows])
        pooled = sum(r["coverage90"] * r["n"] for r in rows) / max(1, sum(r["n"] for r in rows))
        hit = med([r["direction_hit_rate"] for r in rows])
        rs = [r["mape"] / r["naive_mape"] for r in rows if r["naive_mape"] > 0]
        btl = (sum(1 for x in rs if x < 1 - 1e-12), sum(1 for x in rs if abs(x - 1) <= 1e-12),
               sum(1 for x in rs if x > 1 + 1e-12))
        summary[h] = (ratio, cov_med, pooled)
        yn = lambda c: "met" if c else "MISSED"
        w(f"| {h}d | {len(rows)} | {fmt(med([r['mape'] for r in rows]), 3)} | "
          f"{fmt(med([r['naive_mape'] for r in rows]), 3)} | {ratio:.4f} | {btl[0]} / {btl[1]} / {btl[2]} | "
          f"{fmt(100 * cov_med, 1)} % | {fmt(100 * pooled, 1)} % | {fmt(100 * hit, 1)} % | {yn(ratio <= 1.0)} | "
          f"{yn(0.87 <= cov_med <= 0.93)} / {yn(0.87 <= pooled <= 0.93)} |")
    w("")
    w("Targets: median ratio <= 1.00 at every horizon; 90 % coverage between 87 and 93 %. Ratios exclude symbols "
      "whose naive MAPE is 0 (no price change at all in the test year). \"Ties\" are symbols whose model was "
      "shrunk to \"no change\" at that horizon on validation, so it *is* the naive forecast: a median ratio of "
      "1.000 means the typical stock gets no better point forecast than \"no change\" — the network's value at "
      "those horizons lies in the calibrated intervals, not in the point forecast. Where the ratio is above 1 "
      "the model loses to naive; the per-stock table marks those rows.")
    w("")
    n_specific = sum(1 for m in man["models"] if m["kind"] == "stock_specific")
    for grp, title in (("stock_specific", f"Stock-specific models ({n_specific})"), ("general", "General model only")):
        w(f"### {title}: medians")
        w("")
        w("| horizon | symbols | median MAPE model | median MAPE naive | median ratio | 90% coverage (median) |")
        w("|---|---|---|---|---|---|")
        for h in horizons:
            rows = [metrics[s][h] for s in metrics if h in metrics[s] and types.get(s) == grp]
            w(f"| {h}d | {len(rows)} | {fmt(med([r['mape'] for r in rows]), 3)} | "
              f"{fmt(med([r['naive_mape'] for r in rows]), 3)} | "
              f"{fmt(med([r['mape'] / r['naive_mape'] if r['naive_mape'] > 0 else None for r in rows]), 3)} | "
              f"{fmt(100 * med([r['coverage90'] for r in rows]), 1)} % |")
        w("")
    # ---- claimed vs ours
    w("## The original design's claimed MAPE beside ours (test year)")
    w("")
    w("The claimed figures come from the system this project replaces; their evaluation period and method are "
      "unknown, so they are not directly comparable. Ours are honest out-of-sample numbers on 2020-07 .. 2021-06.")
    w("")
    w("| symbol | claimed 1d | ours 1d | naive 1d | claimed 10d | ours 10d | naive 10d |")
    w("|---|---|---|---|---|---|---|")
    for s, (c1, c10) in CLAIMED.items():
        m1, m10 = metrics.get(s, {}).get(1), metrics.get(s, {}).get(10)
        w(f"| {s} | {c1:.2f} | {fmt(m1 and m1['mape'])} | {fmt(m1 and m1['naive_mape'])} | {c10:.2f} | "
          f"{fmt(m10 and m10['mape'])} | {fmt(m10 and m10['naive_mape'])} |")
    w("")
    # ---- shrinkage
    w("## Shrinkage toward \"no change\" (chosen on validation)")
    w("")
    w("Where the network did not beat the naive forecast on validation, its output was scaled toward 0 "
      "(multiplier in [0, 1] per model and horizon, grid 0.05, minimising validation MAPE); 0 means the model "
      "forecasts \"no change\" at that horizon and only its interval is learned. The general model has one "
      "multiplier per horizon for unseen stocks (row `general`) and one per stock and horizon for its 66 stocks "
      "(next table).")
    w("")
    w("| model | 1d | 5d | 10d | 30d | val MAPE / naive 1d | 10d |")
    w("|---|---|---|---|---|---|---|")
    for m in man["models"]:
        v = m["validation"]
        sh = [v.get(f"{h}d", {}).get("shrink") for h in horizons]
        r1 = v.get("1d", {})
        r10 = v.get("10d", {})
        w(f"| {m['name']} | " + " | ".join(fmt(x) for x in sh) +
          f" | {fmt(r1.get('val_mape'), 3)} / {fmt(r1.get('val_naive_mape'), 3)} | "
          f"{fmt(r10.get('val_mape'), 3)} / {fmt(r10.get('val_naive_mape'), 3)} |")
    w("")
    gh = header(os.path.join(models, "general.stkm"))[0]
    ss = gh["metrics"].get("stock_shrink", {})
    sw = gh["metrics"].get("stock_interval_scale", {})
    if ss:
        zero = sum(1 for a in ss.values() for x in a if x == 0)
        total = sum(len(a) for a in ss.values())
        w(f"General model, per stock (chosen on each stock's validation windows): {zero} of {total} stock x "
          "horizon multipliers are 0 (no change forecast). Interval width factor = the stock's 90 % band of "
          "normalised validation residuals relative to the pooled band.")
        w("")
        w("| symbol | served by | shrink 1d | 5d | 10d | 30d | interval width 1d | 5d | 10d | 30d |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        served = {e["symbol"]: e["model_type"] for e in man["stocks"]}
        for sym in sorted(ss):
            w(f"| {sym} | {served.get(sym, '?')} | " + " | ".join(fmt(x) for x in ss[sym]) + " | " +
              " | ".join(fmt(x) for x in sw.get(sym, [])) + " |")
        w("")
    # ---- f16 vs f32
    if bt32:
        m32, _ = load_backtest(bt32)
        w("## float16 vs float32 weights")
        w("")
        w("| horizon | max abs. difference of per-symbol MAPE (points) | median MAPE f16 | median MAPE f32 |")
        w("|---|---|---|---|")
        for h in horizons:
            d = [abs(metrics[s][h]["mape"] - m32[s][h]["mape"]) for s in metrics if h in metrics[s] and s in m32]
            w(f"| {h}d | {max(d):.5f} | {med([metrics[s][h]['mape'] for s in metrics if h in metrics[s]]):.4f} | "
              f"{med([m32[s][h]['mape'] for s in m32 if h in m32[s]]):.4f} |")
        w("")
    # ---- per stock table
    w("## Per stock and horizon")
    w("")
    w("| symbol | sector | model | h | MAPE | naive | ratio | 90% cov | dir. hit | n |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for s in sorted(metrics):
        for h in horizons:
            if h not in metrics[s]:
                continue
            r = metrics[s][h]
            ratio = r["mape"] / r["naive_mape"] if r["naive_mape"] > 0 else float("nan")
            flag = " **(loses)**" if ratio > 1.0 else ""
            w(f"| {s} | {names.get(s, {}).get('sector', '?')} | {types.get(s, '?')} | {h}d | {r['mape']:.3f} | "
              f"{r['naive_mape']:.3f} | {fmt(ratio, 3)}{flag} | {100 * r['coverage90']:.1f} % | "
              f"{100 * r['direction_hit_rate']:.1f} % | {r['n']} |")
    w("")
    for section in kept_report_sections(models):
        w(section)
        w("")
    with open(os.path.join(models, "REPORT.md"), "w") as f:
        f.write("\n".join(L))
    print(f"wrote {os.path.join(models, 'REPORT.md')}")
    for h in horizons:
        ratio, cov, pooled = summary[h]
        print(f"  {h}d: median ratio {ratio:.3f}, coverage median {100 * cov:.1f} %, pooled {100 * pooled:.1f} %")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    {"pick": cmd_pick, "manifest": cmd_manifest, "report": cmd_report}.get(cmd, lambda a: sys.exit(__doc__))(args)


if __name__ == "__main__":
    main()
