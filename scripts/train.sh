#!/usr/bin/env bash
# Retrains every NSE model from models/data/nse, then backtests the test year and writes
# models/manifest.json, models/backtest-test-year.csv and models/REPORT.md.
#   1. two general-model candidates (Embedding(10), all 66 stocks), one per core; the lower
#      validation loss wins (a model choice made on validation only);
#   2. the 15 stock-specific models, fine-tuned from the general model, two at a time;
#   3. manifest, test-year backtest (float16 files, and float32 copies for the precision check), report.
# Environment: BUILD_DIR (default build-train), MODELS_DIR (default models), JOBS (default 2).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${BUILD_DIR:-$ROOT/build-train}"
MODELS="${MODELS_DIR:-$ROOT/models}"
JOBS="${JOBS:-2}"
DATA="$ROOT/models/data/nse"
WORK="$BUILD/train-work"
SC="$BUILD/stockcast"
export STOCKCAST_BIN="$SC"  # report.py reads model headers through `stockcast inspect --json`
SPECIFIC="SCOM EQTY KCB COOP ABSA SCBK EABL BAT UNGA BRIT JUB CIC BAMB ARM NMG"
TEST_FROM=2020-07-01
TEST_TO=2021-06-30
GENERAL_ARGS=(--epochs 14 --patience 4 --epoch-samples 40000 --batch 128)
STOCK_ARGS=(--epochs 30 --patience 5 --batch 64 --lr 0.0003)
if [[ "${QUICK:-0}" == 1 ]]; then  # smoke test of the whole flow (minutes, not a real training)
    GENERAL_ARGS=(--epochs 1 --epoch-samples 1000 --max-train-windows 5000)
    STOCK_ARGS=(--epochs 1 --max-train-windows 300)
fi

START=$(date +%s)
cmake -S "$ROOT" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" --target stockcast -j "$JOBS" >/dev/null
rm -rf "$WORK"
mkdir -p "$WORK/f32" "$WORK/logs" "$MODELS"

echo "[$(date -u +%T)] general model candidates"
"$SC" train --data "$DATA" --general --seed 11 --lr 0.0003 --out "$WORK/general-a.stkm" \
    --out-f32 "$WORK/f32/general-a.stkm" "${GENERAL_ARGS[@]}" >"$WORK/logs/general-a.log" 2>&1 &
PA=$!
"$SC" train --data "$DATA" --general --seed 7 --lr 0.0003 --out "$WORK/general-b.stkm" \
    --out-f32 "$WORK/f32/general-b.stkm" "${GENERAL_ARGS[@]}" >"$WORK/logs/general-b.log" 2>&1 &
PB=$!
wait "$PA"
wait "$PB"
BEST=$(/usr/bin/python3 "$ROOT/scripts/report.py" pick "$MODELS/general.stkm" "$WORK/general-a.stkm" "$WORK/general-b.stkm" | tail -1)
cp "$WORK/f32/$(basename "$BEST")" "$WORK/f32/general.stkm"
echo "[$(date -u +%T)] general: $BEST"

echo "[$(date -u +%T)] stock-specific models"
train_one() {
    "$SC" train --data "$DATA" --symbol "$1" --init "$MODELS/general.stkm" --out "$MODELS/$1.stkm" \
        --out-f32 "$WORK/f32/$1.stkm" "${STOCK_ARGS[@]}" >"$WORK/logs/$1.log" 2>&1 ||
        { echo "training $1 failed, see $WORK/logs/$1.log" >&2; return 1; }
    tail -2 "$WORK/logs/$1.log" | head -1
}
export -f train_one
export SC DATA MODELS WORK
export STOCK_ARGS_STR="${STOCK_ARGS[*]}"
# shellcheck disable=SC2016
printf '%s\n' $SPECIFIC | xargs -P "$JOBS" -I{} bash -c 'STOCK_ARGS=($STOCK_ARGS_STR); train_one "$1"' _ {}
TRAIN_END=$(date +%s)

echo "[$(date -u +%T)] manifest and test-year backtest"
/usr/bin/python3 "$ROOT/scripts/report.py" manifest --models "$MODELS" --data "$DATA"
"$SC" backtest --manifest "$MODELS/manifest.json" --prices "$DATA/prices" --from "$TEST_FROM" --to "$TEST_TO" \
    --out "$MODELS/backtest-test-year.csv"
/usr/bin/python3 "$ROOT/scripts/report.py" manifest --models "$WORK/f32" --data "$DATA" >/dev/null
"$SC" backtest --manifest "$WORK/f32/manifest.json" --prices "$DATA/prices" --from "$TEST_FROM" --to "$TEST_TO" \
    --out "$WORK/backtest-test-year-f32.csv" >"$WORK/logs/backtest-f32.log"
END=$(date +%s)
/usr/bin/python3 "$ROOT/scripts/report.py" report --models "$MODELS" --data "$DATA" \
    --backtest "$MODELS/backtest-test-year.csv" --backtest-f32 "$WORK/backtest-test-year-f32.csv" \
    --wall-seconds "$((END - START))"
echo "[$(date -u +%T)] done: training $((TRAIN_END - START)) s, total $((END - START)) s"
