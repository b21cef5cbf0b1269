#!/usr/bin/env bash
# Retrains every NSE model from models/data/nse as independent tasks on Dask distributed
# (scripts/train.py; the task list is scripts/train_tasks.py), then backtests the test year and
# writes models/manifest.json, models/backtest-test-year.csv and models/REPORT.md:
#   1. two general-model candidates (Embedding(10), all 66 stocks); the lower validation loss wins
#      (a model choice made on validation only);
#   2. the 15 stock-specific models, fine-tuned from the general model;
#   3. manifest, test-year backtest (float16 files, and float32 copies for the precision check), report;
#   4. the classical factor models (scripts/train_factors.py, scikit-learn, ~2 min): models/factors/,
#      factor_models in the manifest (step 3 rewrote it without them), tests/golden/factors.json.
#      One script run, not Dask tasks (see docs/training.md). FACTORS=0 skips it.
#   5. the pooled Transformer (scripts/train_transformer.py: PyTorch fits, the C++ pipeline splits,
#      scales, calibrates and writes models/transformer.stkm; test-year backtest, its manifest entry and
#      REPORT.md section). TRANSFORMER=0 skips it.
#   6. the adaptive ensemble (docs/ensemble.md): fit on validation, test-year report of every kind. ENSEMBLE=0 skips it.
#
#   scripts/train.sh                               a LocalCluster of JOBS workers on this machine
#   scripts/train.sh --scheduler tcp://HOST:8786   a running Dask cluster (docs/training.md)
#   scripts/train.sh --serial                      no Dask: one task after another
# Other options go to scripts/train.py (--retries, --specific, --trained-at, --worker-bin, ...).
# The model files are the same whichever way they are run. Unchanged tasks are not run again
# (their key.json under build-train/train-work/tasks/).
# Environment: BUILD_DIR (default build-train), MODELS_DIR (default models), JOBS (default 2),
# QUICK=1 (smoke-test options: the whole flow in seconds), FACTORS=0 (no factor models), TRANSFORMER=0
# (no transformer), ENSEMBLE=0 (no ensemble).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-train}"
JOBS="${JOBS:-2}"
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target stockcast -j "$JOBS" >/dev/null
args=(--bin "$BUILD/stockcast" --data "$ROOT/models/data/nse" --models "${MODELS_DIR:-$ROOT/models}"
      --work "$BUILD/train-work" --workers "$JOBS")
[[ "${QUICK:-0}" == 1 ]] && args+=(--quick)
status=0
/usr/bin/python3 "$ROOT/scripts/train.py" "${args[@]}" "$@" || status=$?
# The factor models after the LSTM models, whenever a manifest was written (failed LSTM tasks too:
# the manifest step has run and dropped factor_models); train.py's exit status is kept.
models="${MODELS_DIR:-$ROOT/models}"
if [[ "${FACTORS:-1}" != 0 && -f "$models/manifest.json" ]]; then
  fargs=(--stockcast "$BUILD/stockcast" --work "$BUILD/factors" --models "$models")
  [[ "${QUICK:-0}" == 1 ]] && fargs+=(--quick)
  /usr/bin/python3 "$ROOT/scripts/train_factors.py" "${fargs[@]}"
fi
if [[ "${TRANSFORMER:-1}" != 0 && -f "$models/manifest.json" ]]; then
  targs=(--stockcast "$BUILD/stockcast" --work "$BUILD/transformer" --models "$models")
  [[ "${QUICK:-0}" == 1 ]] && targs+=(--quick)
  /usr/bin/python3 "$ROOT/scripts/train_transformer.py" "${targs[@]}" || status=$?
fi
# 6. The adaptive ensemble (docs/ensemble.md), after every member exists: rule, conformal quantiles and
#    direction calibration on validation (stockcast ensemble-fit -> models/ensemble.json, listed in the
#    manifest), then every kind over the test year (backtest --model all) into REPORT.md's model-kinds
#    section and the stocks' kind_metrics. A network file models/transformer.stkm joins as member
#    "transformer". ~1 min on the 2-core machine. ENSEMBLE=0 skips it.
if [[ "${ENSEMBLE:-1}" != 0 && -f "$models/manifest.json" ]] && grep -q '"factor_models"' "$models/manifest.json"; then
  t0=$(date +%s)
  nets=()
  [[ -f "$models/transformer.stkm" ]] && nets+=(--network "transformer=$models/transformer.stkm")
  prices="$ROOT/models/data/nse/prices"
  "$BUILD/stockcast" ensemble-fit --manifest "$models/manifest.json" --prices "$prices" "${nets[@]}" --out "$models/ensemble.json"
  /usr/bin/python3 "$ROOT/scripts/ensemble_report.py" manifest --models "$models" --spec "$models/ensemble.json"
  "$BUILD/stockcast" backtest --model all --manifest "$models/manifest.json" --prices "$prices" \
    --from 2020-07-01 --to 2021-06-30 --out "$BUILD/kinds-test-year.csv"
  /usr/bin/python3 "$ROOT/scripts/ensemble_report.py" report --models "$models" --backtest "$BUILD/kinds-test-year.csv"
  echo "ensemble step: $(( $(date +%s) - t0 )) s"
fi
exit "$status"
