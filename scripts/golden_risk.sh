#!/usr/bin/env bash
# Regenerates tests/golden/risk/*.json from R reference implementations (see golden_risk.R).
# Developers only: CI replays the committed JSON files and never needs R.
# Installs the Debian R packages it needs when they are missing (needs root / sudo and apt).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(r-base-core r-cran-fgarch r-cran-ttr r-cran-quadprog r-cran-jsonlite r-cran-tseries)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends "${missing[@]}"
fi

Rscript scripts/golden_risk.R
