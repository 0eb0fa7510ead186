#!/usr/bin/env bash
# Claimlens vs Hypothesis on the same re-anchoring cases, side by side.
#
#   bench/hypothesis/compare.sh [--quick] [--corpus DIR] [--seed N]
#
# Runs the Rust mutation benchmark (which writes every case and Claimlens' counts as JSON),
# then Hypothesis' matcher under node on the same cases. Needs node (v20) and npm; installs
# approx-string-match into bench/hypothesis/node_modules on first use. Nothing here is part of
# the Rust build: cargo build / test / clippy never run node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crate="$(cd "$here/../.." && pwd)"
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"

if [ ! -d "$here/node_modules/approx-string-match" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi

status=0
(cd "$crate" && cargo bench --bench reanchor -- --no-speed \
  --dump-cases "$out/cases.json" --dump-results "$out/claimlens.json" "$@") || status=$?

node "$here/compare.mjs" "$out/cases.json" "$out/claimlens.json"
echo
echo "(cases and results in $out)"
exit "$status"
