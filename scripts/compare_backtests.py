#!/usr/bin/env python3
"""Two backtests of the same origins (stockcast backtest --out, e.g. --kernel float32 and int16)
side by side: per horizon the median over symbols of each symbol's MAPE, the pooled MAPE, the naive
("no change") median MAPE on the same days, and the largest relative difference of a predicted price.
  /usr/bin/python3 scripts/compare_backtests.py A.csv B.csv
"""
import collections
import csv
import statistics
import sys


def load(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def summary(rows):
    by = collections.defaultdict(lambda: collections.defaultdict(list))
    for r in rows:
        if r["actual"] == "":
            continue
        act = float(r["actual"])
        by[int(r["horizon"])][r["symbol"]].append((abs(float(r["predicted"]) - act) / act, abs(float(r["close"]) - act) / act))
    out = {}
    for h in sorted(by):
        per = by[h].values()
        out[h] = (statistics.median(100 * statistics.mean(e[0] for e in v) for v in per),
                  100 * statistics.mean(e[0] for v in per for e in v),
                  statistics.median(100 * statistics.mean(e[1] for e in v) for v in per))
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = load(sys.argv[1]), load(sys.argv[2])
    if len(a) != len(b) or any((x["symbol"], x["origin"], x["horizon"]) != (y["symbol"], y["origin"], y["horizon"]) for x, y in zip(a, b)):
        sys.exit("the two backtests do not cover the same (symbol, origin, horizon) rows")
    worst = max(abs(float(x["predicted"]) - float(y["predicted"])) / float(x["predicted"]) for x, y in zip(a, b))
    sa, sb = summary(a), summary(b)
    print(f"rows {len(a)}; largest relative difference of a predicted price {worst:.3g}")
    print("| horizon | median MAPE A | median MAPE B | pooled MAPE A | pooled MAPE B | naive median MAPE |")
    print("| --- | --- | --- | --- | --- | --- |")
    for h in sa:
        print(f"| {h}d | {sa[h][0]:.4f} % | {sb[h][0]:.4f} % | {sa[h][1]:.4f} % | {sb[h][1]:.4f} % | {sa[h][2]:.4f} % |")


if __name__ == "__main__":
    main()
