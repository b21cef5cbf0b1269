#!/usr/bin/env bash
# The whole Catch2 suite under AddressSanitizer + UndefinedBehaviorSanitizer, then short
# libFuzzer runs of the model parser and of model headers through nlohmann/json, seeded with the
# committed fixtures.
#   scripts/sanitize.sh [fuzz-seconds]   (default 60, per fuzzer)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
jobs=$(nproc)

CXX=clang++ cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSTOCKCAST_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" --target stockcast_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ./build-asan/stockcast_tests

CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSTOCKCAST_FUZZ=ON >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_model_parser fuzz_json
corpus=build-fuzz/corpus
mkdir -p "$corpus"
cp tests/hostile/*.stkm tests/golden/*.stkm "$corpus"/
./build-fuzz/fuzz_model_parser "$corpus" -max_total_time="$seconds" -max_len=200000 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -n 25
echo "fuzz: model parser ${seconds}s without a crash"
json_corpus=build-fuzz/json-corpus
mkdir -p "$json_corpus"
for f in tests/hostile/*.stkm tests/golden/*.stkm models/*.stkm; do  # their headers: L bytes at 24, L the u32 at 12
  length=$(od -An -tu4 -j12 -N4 "$f" 2>/dev/null | tr -d ' ' || true)  # empty: under 16 bytes
  if [ -n "$length" ]; then head -c $((24 + length)) "$f" | tail -c "$length" > "$json_corpus/$(basename "$f" .stkm).json"; fi
done
cp models/manifest.json tests/hostile/cases.json "$json_corpus"/
./build-fuzz/fuzz_json "$json_corpus" -max_total_time="$seconds" -max_len=200000 -rss_limit_mb=2048 \
  -print_final_stats=1 2>&1 | tail -n 25
echo "fuzz: JSON ${seconds}s without a crash"
