#!/usr/bin/env bash
# The main job: install what is missing, build, and forecast with the shipped models
# (models/manifest.json + models/*.stkm) on the shipped NSE prices; then build the WebAssembly
# package, the frontend's static export (web/app: Next.js, `next build` -> web/app/out) and serve
# it with the models from one origin on http://127.0.0.1:8080/ until Ctrl-C.
#   npm start [-- SYMBOL ...]      (default: SCOM, served by its own model, and KAPC, by the general model)
#   PORT=9000 npm start            another port for the demo (default 8080; the next free one when taken)
#   STOCKCAST_NO_SERVE=1 npm start forecasts and builds, prints how to serve, exits
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

# The demo: the browser package (WASM + JS) assembled into web/dist, the frontend (which depends
# on it as `file:..`) installed from its lockfile when missing and exported as a static site,
# served with models/ from one origin.
bash scripts/build.sh wasm
bash scripts/build-web.sh
if [[ ! -f web/app/node_modules/next/package.json ]]; then
  (cd web/app && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd web/app && NEXT_TELEMETRY_DISABLED=1 node node_modules/next/dist/bin/next build)
if [[ "${STOCKCAST_NO_SERVE:-}" == 1 ]]; then
  echo "demo built (web/dist + web/app/out); serve it with: node scripts/serve-demo.mjs   (STOCKCAST_NO_SERVE=1: not serving)"
  exit 0
fi
echo "Serving the demo; open the URL below in a browser (Ctrl-C stops)."
exec node scripts/serve-demo.mjs ${PORT:+--port "$PORT"}
