#!/usr/bin/env python3
"""Trains the pooled Transformer predictor (models/transformer.stkm) with PyTorch at training time;
everything else is the C++ pipeline's (core/src/train/pipeline.cpp via `stockcast train
--transformer`): data splits, event exclusion, feature / target scaling, shrinkage toward "no change",
split-conformal intervals over the core's own forward pass, and the one model-file writer.

  train_transformer.py --stockcast BUILD/stockcast [--data DIR] [--models DIR] [--work DIR] [--quick]
                       [--trained-at DATE] [--no-backtest]
      runs `stockcast train --transformer ... --fit-command "<this script> fit"`, then the test-year
      backtest (`stockcast backtest --model-file`), adds the model to DIR/manifest.json's "models"
      (kind "transformer") and its section to DIR/REPORT.md.
  train_transformer.py fit DIR
      the fit step `stockcast train` calls: reads DIR/spec.json and the datasets (cli/external_fit.cpp),
      trains torch.nn.TransformerEncoderLayer (the network of scripts/golden_transformer.py) with Adam,
      Huber loss, gradient clipping, dropout and early stopping on the validation windows (best weights
      restored), writes DIR/weights.json.
Run with Debian's python3 (python3-torch 1.13)."""
import argparse
import datetime
import hashlib
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

WINDOW = 30
# The shipped options (docs/training.md); quick: a smoke test of the whole flow in seconds.
OPTIONS = {
    "shipped": ["--epochs", "10", "--patience", "3", "--epoch-samples", "16000", "--batch", "256", "--lr", "0.001",
                "--dropout", "0.1", "--seed", "17"],
    "quick": ["--epochs", "1", "--epoch-samples", "256", "--batch", "64", "--max-train-windows", "2000",
              "--lr", "0.0005", "--dropout", "0.1", "--seed", "17", "--symbols", "SCOM,EQTY"],
}
TEST_FROM, TEST_TO = "2020-07-01", "2021-06-30"
MARK_BEGIN, MARK_END = "<!-- transformer: scripts/train_transformer.py -->", "<!-- /transformer -->"


# ---------------------------------------------------------------- fit (called by stockcast train)

def fit(folder):
    import numpy as np
    import torch
    from golden_transformer import Predictor, file_tensors

    torch.set_num_threads(int(os.environ.get("STOCKCAST_TORCH_THREADS", "2")))
    with open(os.path.join(folder, "spec.json")) as f:
        spec = json.load(f)
    a, o = spec["architecture"], spec["options"]
    W, F, H = a["window"], a["features"], a["outputs"]

    def load(name, n, width):
        v = np.fromfile(os.path.join(folder, name), dtype="<f4")
        return torch.from_numpy(v.reshape(n, *width))

    xt, yt = load("train_x.f32", spec["train"], (W, F)), load("train_y.f32", spec["train"], (H,))
    xv, yv = load("val_x.f32", spec["val"], (W, F)), load("val_y.f32", spec["val"], (H,))
    torch.manual_seed(o["seed"])
    gen = torch.Generator().manual_seed(o["seed"])
    model = Predictor(W, F, a["d_model"], a["heads"], a["encoder_layers"], a["ff_units"], H, dropout=o["dropout"])
    opt = torch.optim.Adam(model.parameters(), lr=o["lr"])
    loss_fn = torch.nn.HuberLoss(delta=o["huber"]) if o["huber"] > 0 else torch.nn.MSELoss()

    def val_loss():
        model.eval()
        with torch.no_grad():
            return sum(loss_fn(model(xv[i:i + 1024]), yv[i:i + 1024]).item() * len(yv[i:i + 1024])
                       for i in range(0, len(yv), 1024)) / len(yv)

    best = val_loss()
    best_state, best_epoch, bad, epochs = {k: v.clone() for k, v in model.state_dict().items()}, 0, 0, 0
    t0 = time.time()
    per_epoch = o["epoch_samples"] or len(yt)
    print(f"  fit: {len(yt)} training / {len(yv)} validation windows, initial val loss {best:.5f}", file=sys.stderr)
    for epoch in range(1, o["epochs"] + 1):
        model.train()
        idx = torch.randint(0, len(yt), (per_epoch,), generator=gen) if o["epoch_samples"] else \
            torch.randperm(len(yt), generator=gen)
        total = 0.0
        for i in range(0, per_epoch, o["batch"]):
            b = idx[i:i + o["batch"]]
            opt.zero_grad()
            loss = loss_fn(model(xt[b]), yt[b])
            loss.backward()
            if o["clip"] > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), o["clip"])
            opt.step()
            total += loss.item() * len(b)
        epochs = epoch
        v = val_loss()
        print(f"  epoch {epoch}: train {total / per_epoch:.5f} val {v:.5f} ({time.time() - t0:.0f} s)", file=sys.stderr)
        if v < best - 1e-6:
            best, best_epoch, bad = v, epoch, 0
            best_state = {k: t.clone() for k, t in model.state_dict().items()}
        else:
            bad += 1
            if bad >= o["patience"]:
                break
    model.load_state_dict(best_state)
    model.eval()
    weights = {k: [float(x) for x in v.ravel()] for k, v in file_tensors(model).items()}
    with open(os.path.join(folder, "weights.json"), "w") as f:
        json.dump({"tensors": weights, "report": {"epochs": epochs, "best_epoch": best_epoch, "best_val_loss": best,
                                                  "seconds": time.time() - t0}}, f)


# ---------------------------------------------------------------- driver

def openblas_env(work):
    """Debian's python3-torch multiplies through the system libblas.so.3, which is the reference BLAS
    unless OpenBLAS is installed: 3 GFLOPS against 26 here, the fit 10x slower. Without changing the
    machine's BLAS (other tools' results depend on it), the fit's process gets Debian's OpenBLAS
    (libopenblas0-pthread) through LD_LIBRARY_PATH: installed, or unpacked once into WORK/openblas
    with `apt-get download` + `dpkg -x`. Falls back to the system BLAS (slow, same maths) if neither works."""
    lib = "usr/lib/x86_64-linux-gnu/openblas-pthread"
    for d in ("/" + lib, os.path.join(work, "openblas", lib)):
        if os.path.exists(os.path.join(d, "libblas.so.3")):
            break
    else:
        d = os.path.join(work, "openblas", lib)
        try:
            subprocess.run(["apt-get", "download", "libopenblas0-pthread"], cwd=work, check=True, capture_output=True)
            deb = next(f for f in os.listdir(work) if f.startswith("libopenblas0-pthread") and f.endswith(".deb"))
            subprocess.run(["dpkg", "-x", os.path.join(work, deb), os.path.join(work, "openblas")], check=True)
        except (OSError, subprocess.CalledProcessError, StopIteration) as e:
            print(f"train_transformer: no OpenBLAS ({e}); fitting with the system BLAS (slow)", file=sys.stderr)
            return dict(os.environ)
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = d + (":" + env["LD_LIBRARY_PATH"] if env.get("LD_LIBRARY_PATH") else "")
    env.setdefault("OPENBLAS_NUM_THREADS", "2")
    return env


def header(path):
    import report
    return report.header(path)


def backtest_section(stockcast, data, model_path, work):
    """Test-year rows of the transformer (stockcast backtest --model-file) -> per-horizon metrics."""
    import report
    csv_path = os.path.join(work, "backtest-transformer.csv")
    subprocess.run([stockcast, "backtest", "--model-file", model_path, "--prices", os.path.join(data, "prices"),
                    "--from", TEST_FROM, "--to", TEST_TO, "--out", csv_path], check=True, stdout=subprocess.DEVNULL)
    metrics, _ = report.load_backtest(csv_path)
    out = {}
    horizons = sorted({h for s in metrics for h in metrics[s]}, key=lambda h: int(h))
    for h in horizons:
        rows = [metrics[s][h] for s in metrics if h in metrics[s]]
        ratios = [r["mape"] / r["naive_mape"] for r in rows if r["naive_mape"] > 0]
        n = sum(r["n"] for r in rows)
        out[f"{h}d"] = {
            "symbols": len(rows), "rows": n,
            "median_mape": report.med([r["mape"] for r in rows]),
            "median_naive_mape": report.med([r["naive_mape"] for r in rows]),
            "median_ratio": report.med(ratios),
            "beats_ties_loses": [sum(1 for x in ratios if x < 1 - 1e-12), sum(1 for x in ratios if abs(x - 1) <= 1e-12),
                                 sum(1 for x in ratios if x > 1 + 1e-12)],
            "coverage90_median": report.med([r["coverage90"] for r in rows]),
            "coverage90_pooled": sum(r["coverage90"] * r["n"] for r in rows) / max(1, n),
            "direction_hit_rate_median": report.med([r["direction_hit_rate"] for r in rows]),
        }
    return out


def report_section(entry, seconds, quick):
    L = [MARK_BEGIN, "## Transformer (pooled, all stocks; `models/transformer.stkm`)", ""]
    L.append("One `transformer_v1` network (input projection to d = 64, sinusoidal positional encoding, 2 post-norm "
             "encoder layers with 4-head self-attention and feed-forward width 64, mean pooling, Dense(4)) over the "
             "last 30 closes, trained on all 66 stocks with no stock embedding, so it serves any symbol. Fitted by "
             "PyTorch (`scripts/train_transformer.py`); splits, scaling, shrinkage toward \"no change\" and the "
             "conformal intervals are the C++ pipeline's, the evaluation is `stockcast backtest --model-file` over "
             f"the test year {TEST_FROM} .. {TEST_TO}, every symbol, naive on the same rows.")
    if quick:
        L += ["", "**QUICK=1 smoke-test run: not the shipped model.**"]
    L += ["", "| horizon | symbols | median MAPE model | median MAPE naive | median ratio | beats / ties / loses naive | "
              "90% coverage (median / pooled) | direction hit (median) |", "|---|---|---|---|---|---|---|---|"]
    for h, m in entry["test"].items():
        b = m["beats_ties_loses"]
        L.append(f"| {h} | {m['symbols']} | {m['median_mape']:.3f} | {m['median_naive_mape']:.3f} | "
                 f"{m['median_ratio']:.4f} | {b[0]} / {b[1]} / {b[2]} | {100 * m['coverage90_median']:.1f} % / "
                 f"{100 * m['coverage90_pooled']:.1f} % | {100 * m['direction_hit_rate_median']:.1f} % |")
    val = entry.get("validation", {})
    L += ["", "Validation (chose the shrinkage): " + ", ".join(
        f"{h} shrink {v.get('shrink')} (MAPE {v.get('val_mape', 0):.3f} vs naive {v.get('val_naive_mape', 0):.3f})"
        for h, v in sorted(val.items(), key=lambda kv: int(kv[0][:-1]))) + "."]
    L += ["", f"File {entry['bytes']} bytes ({entry['dtype']}); `scripts/train_transformer.py` took {seconds / 60:.1f} min "
              "on the 2-core machine (shared with other jobs).", MARK_END]
    return "\n".join(L)


def update_report(models, section):
    path = os.path.join(models, "REPORT.md")
    text = open(path).read() if os.path.exists(path) else ""
    pattern = re.compile(re.escape(MARK_BEGIN) + ".*?" + re.escape(MARK_END), re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text.rstrip("\n") + "\n\n" + section
    with open(path, "w") as f:
        f.write(text.rstrip("\n") + "\n")


def manifest_entry(models, file_name):
    h, b = header(os.path.join(models, file_name))
    return {"file": file_name, "kind": "transformer", "name": h["meta"]["name"], "bytes": len(b),
            "sha256": hashlib.sha256(b).hexdigest(), "dtype": h["tensors"][0]["dtype"],
            "data_from": h["meta"]["data_from"], "data_to": h["meta"]["data_to"],
            "validation": h["metrics"].get("validation", {})}


def update_manifest(models, entry):
    import report
    path = os.path.join(models, "manifest.json")
    with open(path) as f:
        m = json.load(f)
    m["models"] = [e for e in m["models"] if e.get("kind") != "transformer"] + [entry]
    report.write_manifest(models, m)


def main(argv):
    if argv[:1] == ["fit"]:
        fit(argv[1])
        return 0
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--stockcast", required=True)
    p.add_argument("--data", default=os.path.join(ROOT, "models", "data", "nse"))
    p.add_argument("--models", default=os.path.join(ROOT, "models"))
    p.add_argument("--work", default=os.path.join(ROOT, "build-train", "transformer"))
    p.add_argument("--quick", action="store_true")
    p.add_argument("--no-backtest", action="store_true")
    p.add_argument("--trained-at", default=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"))
    a = p.parse_args(argv)
    a.stockcast = os.path.abspath(a.stockcast)
    os.environ["STOCKCAST_BIN"] = a.stockcast  # scripts/report.py's header() reads files through it
    os.makedirs(a.work, exist_ok=True)
    out = os.path.join(a.models, "transformer.stkm")
    t0 = time.time()
    fit_command = f"{sys.executable} {os.path.abspath(__file__)} fit"
    subprocess.run([a.stockcast, "train", "--data", a.data, "--transformer", "--window", str(WINDOW),
                    "--fit-command", fit_command, "--fit-dir", a.work, "--out", out,
                    "--out-f32", os.path.join(a.work, "transformer-f32.stkm"), "--max-bytes", str(128 * 1024),
                    "--trained-at", a.trained_at, *OPTIONS["quick" if a.quick else "shipped"]],
                   check=True, env=dict(os.environ) if a.quick else openblas_env(a.work))  # quick: seconds either way
    seconds = time.time() - t0
    entry = manifest_entry(a.models, "transformer.stkm")
    entry["training_seconds"] = round(seconds, 1)
    if not a.no_backtest:
        entry["test"] = backtest_section(a.stockcast, a.data, out, a.work)
        update_report(a.models, report_section(entry, seconds, a.quick))
    if os.path.exists(os.path.join(a.models, "manifest.json")):
        update_manifest(a.models, entry)
    print(f"wrote {out} ({entry['bytes']} bytes) in {seconds / 60:.1f} min")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
