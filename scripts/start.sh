#!/usr/bin/env bash
# The main job: install what is missing, build, and forecast with the shipped models
# (models/manifest.json + models/*.stkm) on the shipped NSE prices.
#   npm start [-- SYMBOL ...]      (default: SCOM, served by its own model, and KAPC, by the general model)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native
symbols=("$@")
((${#symbols[@]})) || symbols=(SCOM KAPC)
for s in "${symbols[@]}"; do
  ./build/stockcast predict "$s"
  echo
done
