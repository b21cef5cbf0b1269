#!/usr/bin/env bash
# The main job: install what is missing, build, and show a model at work.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh native
model=tests/golden/nn_stock_specific.stkm
./build/stockcast inspect "$model"
