#!/usr/bin/env bash
# Builds native + WASM and runs every test: Catch2 (through CTest) and the Node tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh all
(cd build && ctest --output-on-failure -j"$(nproc)")
node --test tests/node/
node --test tests/e2e/
