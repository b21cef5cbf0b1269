#!/usr/bin/env bash
# Builds the native tools and tests (build/) and the WebAssembly module (build-wasm/).
#   scripts/build.sh [native|wasm|all]   (default all)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
jobs=$(nproc)

if [[ $what == native || $what == all ]]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build -j"$jobs"
fi
if [[ $what == wasm || $what == all ]]; then
  # Debian's emscripten runs its JS tools with the system node and needs this to find acorn.
  export NODE_PATH=/usr/share/nodejs
  emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build build-wasm -j"$jobs"
fi
