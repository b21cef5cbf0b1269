#!/usr/bin/env bash
# Installs what the build and tests need, only when missing; safe to re-run.
set -euo pipefail

need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"; }
# chromium: the browser tests run the package in real headless Chromium.
# python3-jsonschema: the manifest's schema test (and scripts/report.py when training).
# python3-distributed: training on Dask (scripts/train.py) and its test.
# python3-sklearn: the factor models' training (scripts/train_factors.py) and its test.
# python3-torch: the Transformer's fit (scripts/train_transformer.py) and its test (CTest train_transformer).
for pkg in cmake make g++ clang libclang-rt-dev emscripten libeigen3-dev nlohmann-json3-dev catch2 nodejs chromium python3-jsonschema python3-distributed python3-sklearn python3-torch ${STOCKCAST_EXTRA_APT:-}; do
  have_pkg "$pkg" || need+=("$pkg")
done
# Node >= 18 is required (node:test, fetch); the machine's own node counts.
if command -v node >/dev/null && node -e 'process.exit(+process.versions.node.split(".")[0] >= 18 ? 0 : 1)'; then
  need=("${need[@]/nodejs}")
fi
need=($(printf '%s\n' "${need[@]}" | grep -v '^$' || true))
if ((${#need[@]})); then
  echo "setup: installing ${need[*]}"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
