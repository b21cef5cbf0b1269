#!/usr/bin/env bash
# Forward-pass and startup benchmarks: native (build/bench_forward), our WASM module
# (bench/wasm/bench_forward.mjs, on one thread and over 2 workers), and our module against
# TensorFlow.js (wasm backend) and onnxruntime-web on the same network (bench/peers/run.mjs),
# printed as one table; then import → first prediction in headless Chromium (bench/browser/first.mjs),
# warm calls there (bench/browser/warm.mjs) and the core's cold start there (bench/browser/cold.mjs);
# the Transformer's forward against the same peers (bench/peers/transformer.mjs).
#   scripts/bench.sh [--quick] [--doc]      (npm run bench -- --doc)
#   --quick  shorter warm-up and fewer reps (a smoke test, not numbers to quote)
#   --doc    also write the tables into docs/benchmarks.md (between its bench: and first: markers)
# Builds what is missing, installs bench/peers' pinned dependencies (npm ci, its own
# package-lock.json; the root npm test never needs them) and exports the ONNX file.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=() doc=()
for a in "$@"; do
  case $a in
    --quick) quick=(--quick) ;;
    --doc) doc=(--doc docs/benchmarks.md) ;;
    *) echo "bench.sh: unknown argument $a" >&2; exit 2 ;;
  esac
done

[[ -x build/bench_forward ]] || bash scripts/build.sh native
[[ -f build-wasm/stockcast.wasm ]] || bash scripts/build.sh wasm
# The npm package is optional here: run.mjs times its predict() when web/dist is built.
[[ -f web/dist/node.js || ! -f scripts/build-web.sh ]] || bash scripts/build-web.sh || echo "bench.sh: web/dist not built; the package path will be skipped" >&2
[[ -d bench/peers/node_modules/onnxruntime-web && -d bench/peers/node_modules/@tensorflow/tfjs-backend-wasm ]] ||
  npm ci --prefix bench/peers --no-audit --no-fund
[[ -f bench/peers/nn_stock_specific.onnx ]] || /usr/bin/python3 scripts/export_onnx.py
[[ -f bench/peers/transformer.onnx ]] || /usr/bin/python3 scripts/export_onnx_transformer.py

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export BENCH_UPTIME_BEFORE="$(uptime)"
echo "uptime before: $BENCH_UPTIME_BEFORE" >&2
build/bench_forward | tee "$tmp/native.txt" >&2
node bench/wasm/bench_forward.mjs | tee "$tmp/wasm.txt" >&2
(cd bench/peers && node ort_threads.mjs 2) | tee "$tmp/ort-threads.txt" >&2
node bench/peers/run.mjs "${quick[@]}" --native "$tmp/native.txt" --wasm-bench "$tmp/wasm.txt" --ort-threads "$tmp/ort-threads.txt" \
  --json "$tmp/result.json" "${doc[@]}" --command "bash scripts/bench.sh $*"
# The same libraries in headless Chromium (the package as published and as an app's bundle).
node bench/browser/first.mjs $([[ ${#quick[@]} -gt 0 ]] && echo --runs 2) "${doc[@]}" --command "bash scripts/bench.sh $*"
# Warm calls in Chromium: predict() (main thread, worker, worker-client), raw forward at batch 1 and
# 66, 2 workers, against ort and tfjs in the same page, without and with cross-origin isolation.
node bench/browser/warm.mjs "${quick[@]}" "${doc[@]}" --command "bash scripts/bench.sh $*"
# The Transformer predictor (issue 15) against the same two peers (docs/benchmarks.md, its section).
node bench/peers/transformer.mjs "${quick[@]}"
# Our first model load and first predict with V8's lazy WebAssembly compilation on and off.
node bench/browser/cold.mjs $([[ ${#quick[@]} -gt 0 ]] && echo --runs 2)
echo "uptime after: $(uptime)" >&2
