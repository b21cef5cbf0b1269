#!/usr/bin/env python3
"""The adaptive ensemble's manifest entry and test-year report (issue 15, docs/ensemble.md).

  ensemble_report.py manifest --models DIR --spec FILE.json
      adds manifest["ensemble"] = {file, bytes, sha256, window, members} (the spec stockcast
      ensemble-fit wrote, relative to DIR)
  ensemble_report.py report --models DIR --backtest KINDS.csv
      per-stock per-kind test metrics into DIR/kind-metrics.json (manifest["kind_metrics"]: file, bytes,
      sha256; {"test": [from, to], "stocks": {SYMBOL: {kind: {"1d": {mape, ...}}}}}) and the
      "Model kinds" section of DIR/REPORT.md (between the ensemble markers; the rest is kept)

KINDS.csv is `stockcast backtest --model all` over the test year: one row per symbol x origin x
horizon x kind, naive computed on the same rows. Direction and realised direction come from the
core (the calibrated direction and forecast.hpp's realised_direction); nothing is re-derived here
but averages.
"""
import csv
import hashlib
import json
import math
import os
import statistics
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import save_manifest  # noqa: E402  (the one schema-checked writer)

BEGIN, END = "<!-- ensemble-report:begin -->", "<!-- ensemble-report:end -->"
KIND_METRICS = "kind-metrics.json"
CLASSES = ("bearish", "neutral", "bullish")


def opt(args, name, default=None):
    return args[args.index(name) + 1] if name in args and args.index(name) + 1 < len(args) else default


def load_manifest(models):
    with open(os.path.join(models, "manifest.json")) as f:
        return json.load(f)


def cmd_manifest(args):
    models, spec = opt(args, "--models", "models"), opt(args, "--spec")
    with open(spec, "rb") as f:
        b = f.read()
    doc = json.loads(b)
    m = load_manifest(models)
    m["ensemble"] = {"file": os.path.relpath(spec, models), "bytes": len(b), "sha256": hashlib.sha256(b).hexdigest(),
                     "window": doc["window"], "members": doc["members"],
                     "network_files": doc.get("network_files", {})}
    save_manifest(models, m)
    print(f"manifest: ensemble {m['ensemble']['file']} ({len(b)} bytes, members {', '.join(doc['members'])})")


def med(v):
    v = [x for x in v if x is not None and not (isinstance(x, float) and math.isnan(x))]
    return statistics.median(v) if v else float("nan")


def fmt(x, d=3):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{d}f}"


def pct(x, d=1):
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.{d}f} %"


class Acc:
    __slots__ = ("ape", "naive", "cov", "n", "calls", "hits", "up", "down", "brier", "clim", "rows")

    def __init__(self):
        self.ape = self.naive = self.brier = self.clim = 0.0
        self.cov = self.n = self.calls = self.hits = self.up = self.down = 0


def metrics(path, climatology):
    """acc[kind][h][symbol] from the rows; climatology[h] = validation class frequencies (spec)."""
    acc = defaultdict(lambda: defaultdict(lambda: defaultdict(Acc)))
    with open(path) as f:
        for r in csv.DictReader(f):
            h = int(r["horizon"])
            a = acc[r["kind"]][h][r["symbol"]]
            close, pred, actual = float(r["close"]), float(r["predicted"]), float(r["actual"])
            a.ape += abs(pred - actual) / actual
            a.naive += abs(close - actual) / actual
            a.cov += float(r["lower90"]) <= actual <= float(r["upper90"])
            a.n += 1
            y = CLASSES.index(r["actual_direction"])
            p = (float(r["p_bearish"]), float(r["p_neutral"]), float(r["p_bullish"]))
            a.brier += sum((p[k] - (k == y)) ** 2 for k in range(3))
            a.clim += sum((climatology[h][k] - (k == y)) ** 2 for k in range(3))
            if r["direction"] != "neutral":
                a.calls += 1
                a.hits += r["direction"] == r["actual_direction"]
                a.up += y == 2
                a.down += y == 0
    return acc


def summary(by_symbol):
    """One kind at one horizon: medians over stocks and pooled direction figures."""
    ratios = [a.ape / a.naive for a in by_symbol.values() if a.naive > 0]
    n = sum(a.n for a in by_symbol.values())
    calls = sum(a.calls for a in by_symbol.values())
    hits = sum(a.hits for a in by_symbol.values())
    base = max(sum(a.up for a in by_symbol.values()), sum(a.down for a in by_symbol.values()))
    return {
        "stocks": len(by_symbol), "n": n,
        "mape": med([100 * a.ape / a.n for a in by_symbol.values()]),
        "naive_mape": med([100 * a.naive / a.n for a in by_symbol.values()]),
        "ratio": med(ratios),
        "beats": sum(1 for x in ratios if x < 1 - 1e-12), "loses": sum(1 for x in ratios if x > 1 + 1e-12),
        "coverage_median": med([a.cov / a.n for a in by_symbol.values()]),
        "coverage_pooled": sum(a.cov for a in by_symbol.values()) / n if n else float("nan"),
        "calls": calls, "hit": hits / calls if calls else float("nan"), "base": base / calls if calls else float("nan"),
        "brier": sum(a.brier for a in by_symbol.values()) / n if n else float("nan"),
        "clim": sum(a.clim for a in by_symbol.values()) / n if n else float("nan"),
    }


def cmd_report(args):
    models, bt = opt(args, "--models", "models"), opt(args, "--backtest")
    m = load_manifest(models)
    if "ensemble" not in m:
        raise SystemExit("the manifest lists no ensemble: run `ensemble_report.py manifest` first")
    with open(os.path.join(models, m["ensemble"]["file"])) as f:
        spec = json.load(f)
    horizons = [h["horizon"] for h in spec["horizons"]]
    climatology = {h["horizon"]: h["climatology"] for h in spec["horizons"]}
    acc = metrics(bt, climatology)
    kinds = ["ensemble"] + [k for k in spec["members"] if k in acc]
    # ---- kind-metrics.json (listed in the manifest with its size and SHA-256; the package fetches it
    # only for modelInfo() and predictions by another kind than the LSTM, so the manifest every first
    # forecast waits for stays small): per stock, per kind (as the CLI names them), per horizon
    by_stock = {}
    for s in m["stocks"]:
        km = {}
        for k in kinds:
            per = {}
            for h in horizons:
                a = acc[k][h].get(s["symbol"])
                if a is None or a.n == 0:
                    continue
                per[f"{h}d"] = {"mape": round(100 * a.ape / a.n, 4), "naive_mape": round(100 * a.naive / a.n, 4),
                                "coverage90": round(a.cov / a.n, 4),
                                "direction_hit_rate": round(a.hits / a.calls, 4) if a.calls else None, "n": a.n}
                if per[f"{h}d"]["direction_hit_rate"] is None:
                    del per[f"{h}d"]["direction_hit_rate"]
            if per:
                km[k] = per
        s.pop("kind_metrics", None)  # manifests before kind-metrics.json carried them here
        if km:
            by_stock[s["symbol"]] = km
    body = json.dumps({"test": m["data"]["test"], "stocks": by_stock}, separators=(",", ":")).encode() + b"\n"
    with open(os.path.join(models, KIND_METRICS), "wb") as f:
        f.write(body)
    m["kind_metrics"] = {"file": KIND_METRICS, "bytes": len(body), "sha256": hashlib.sha256(body).hexdigest()}
    save_manifest(models, m)
    # ---- REPORT.md section
    L = [BEGIN, "## Model kinds and the adaptive ensemble (issue 15): test year", ""]
    w = L.append
    w(f"Generated by `scripts/ensemble_report.py` from `stockcast backtest --model all` (origins 2020-07-01 .. "
      "2021-06-30, every stock with a price file). Every kind is scored on the rows where it could forecast, beside "
      "naive (\"no change\") on **the same rows**. The ensemble (spec `" + m["ensemble"]["file"] + "`, window "
      f"{spec['window']}) weights its members by their errors over the last {spec['window']} origins whose target "
      "lies before the forecast origin; its rule, shrinkage, conformal quantiles and direction calibration were "
      "chosen on validation (2018-07-01 .. 2020-06-30, targets inside it) — details in docs/ensemble.md.")
    w("")
    w("Ratio = median over stocks of MAPE / naive MAPE (< 1 beats naive). Coverage = share of actuals inside the "
      "90 % interval (split-conformal, volatility-scaled). Direction: the most probable of the calibrated "
      "bearish / neutral / bullish probabilities; hit rate over non-neutral calls beside its base rate (on the days "
      "of those calls, the share of the more frequent realised non-neutral class). Brier = 3-class Brier score; "
      "climatology = validation class frequencies as constant probabilities.")
    w("")
    w("| kind | horizon | stocks | rows | median MAPE | naive | ratio | beats / loses naive | 90 % cov. median / pooled | "
      "non-neutral calls | hit rate | base rate | Brier | climatology | validation confidence |")
    w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    lost = []
    for k in kinds:
        for h in horizons:
            if not acc[k][h]:
                continue
            sm = summary(acc[k][h])
            hs = next(x for x in spec["horizons"] if x["horizon"] == h)
            conf = hs["ensemble"]["confidence"] if k == "ensemble" else hs["members"].get(k, {}).get("confidence", "—")
            flag = " **(loses)**" if sm["ratio"] > 1 else ""
            w(f"| {k} | {h}d | {sm['stocks']} | {sm['n']} | {fmt(sm['mape'])} | {fmt(sm['naive_mape'])} | "
              f"{fmt(sm['ratio'], 4)}{flag} | {sm['beats']} / {sm['loses']} | {pct(sm['coverage_median'])} / "
              f"{pct(sm['coverage_pooled'])} | {sm['calls']} | {pct(sm['hit'])} | {pct(sm['base'])} | "
              f"{fmt(sm['brier'], 4)} | {fmt(sm['clim'], 4)} | {conf} |")
            if k == "ensemble":
                target = 1.0 if h == 1 else 0.99
                if sm["ratio"] > target:
                    lost.append(f"ratio {sm['ratio']:.5f} at {h}d (target <= {target:.2f})")
                if not 0.87 <= sm["coverage_pooled"] <= 0.93:
                    lost.append(f"pooled 90 % coverage {100 * sm['coverage_pooled']:.1f} % at {h}d (target 87-93 %)")
                if not sm["hit"] > sm["base"]:
                    lost.append(f"direction hit rate {pct(sm['hit'])} <= base rate {pct(sm['base'])} at {h}d")
                if not sm["brier"] < sm["clim"]:
                    lost.append(f"Brier {sm['brier']:.4f} >= climatology {sm['clim']:.4f} at {h}d")
    w("")
    w("**Where the ensemble misses the issue's targets on the test year:** " + ("; ".join(lost) if lost else "nowhere.")
      + "")
    w("")
    w("Validation scores behind the rule choice (median ratio over stocks / pooled ratio; the chosen rule in bold):")
    w("")
    for hs in spec["horizons"]:
        r = hs["rule"]
        sel = sorted(hs["selection"], key=lambda x: (x["median_mape_ratio"], x["pooled_mape_ratio"]))
        top = ", ".join(f"{x['rule']['kind']} η={x['rule']['eta']} decay={x['rule']['decay']} shrink={x['rule']['shrink']}: "
                        f"{x['median_mape_ratio']:.4f} / {x['pooled_mape_ratio']:.4f}" for x in sel[1:4])
        eq = next(x for x in hs["selection"] if x["rule"]["kind"] == "equal" and x["rule"]["shrink"] == 1)
        w(f"- {hs['horizon']}d: **{r['kind']} η={r['eta']} decay={r['decay']} shrink={r['shrink']}: "
          f"{sel[0]['median_mape_ratio']:.4f} / {sel[0]['pooled_mape_ratio']:.4f}**; next {top}; equal weights "
          f"{eq['median_mape_ratio']:.4f} / {eq['pooled_mape_ratio']:.4f} ({len(hs['selection'])} candidates).")
    w("")
    w(END)
    section = "\n".join(L) + "\n"
    path = os.path.join(models, "REPORT.md")
    text = open(path).read() if os.path.exists(path) else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + section + text[text.index(END) + len(END):].lstrip("\n")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote the model-kinds section of {path}; {KIND_METRICS} for {len(by_stock)} stocks")
    for line in lost:
        print("  misses:", line)


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in ("manifest", "report"):
        raise SystemExit(__doc__)
    {"manifest": cmd_manifest, "report": cmd_report}[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
