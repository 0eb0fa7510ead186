#!/usr/bin/env bash
# Claimlens' HTML import vs Mozilla's Readability.js on the same pages, side by side.
#
#   bench/readability/compare.sh [PAGES_DIR] [--runs N]
#
# PAGES_DIR holds Readability's test pages (source.html, expected.html,
# expected-metadata.json per folder); default ../shared/corpus/readability/pages from the
# crate root. Runs Readability.js under node (installing @mozilla/readability and jsdom into
# bench/readability/node_modules on first use), then the Rust evaluation, which scores both
# outputs with one tokenizer and F1 and prints them side by side. Needs node (v20.19+) and
# npm. Nothing here is part of the Rust build: cargo build / test / clippy never run node.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
crate="$(cd "$here/../.." && pwd)"
pages="$crate/../shared/corpus/readability/pages"
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  pages="$(cd "$1" && pwd)"
  shift
fi
runs=5
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
out="${OUT:-$(mktemp -d)}"
mkdir -p "$out"

if [ ! -d "$here/node_modules/@mozilla/readability" ] || [ ! -d "$here/node_modules/jsdom" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent)
fi

node "$here/compare.mjs" "$pages" "$out/readability.json" --runs "$runs"
(cd "$crate" && cargo bench --bench import_eval -- "$pages" --runs "$runs" \
  --readability "$out/readability.json" --json "$out/claimlens.json")
echo
echo "(Readability.js output in $out/readability.json, per-page results in $out/claimlens.json)"
