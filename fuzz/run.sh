#!/usr/bin/env bash
# Runs one fuzz target with its seeds: fuzz/run.sh TARGET [SECONDS] [EXTRA_SEED_DIR...]
# New inputs go to fuzz/corpus/TARGET (ignored by git), crashes to fuzz/artifacts/TARGET.
# Seeds are read from tests/data (not copied) and fuzz/seeds/TARGET.
set -euo pipefail
cd "$(dirname "$0")"
target=$1
seconds=${2:-180}
shift $(($# < 2 ? $# : 2))
data=../tests/data
case $target in
    set_loader) seeds=("$data" "$data/analysts") ;;
    preset_loader) seeds=(seeds/preset_loader) ;;
    import_text) seeds=("$data/encodings" "$data") ;;
    import_markdown) seeds=("$data/markdown") ;;
    import_html) seeds=(../bench/hostile "$data/export") ;;
    import_pdf) seeds=("$data/pdf") ;;
    import_epub) seeds=("$data/epub") ;;
    interchange_w3c) seeds=("$data/interchange" "$data/interchange/w3c/examples-rec") ;;
    interchange_brat) seeds=(seeds/interchange_brat) ;;
    interchange_hypothesis) seeds=("$data/interchange") ;;
    *) echo "unknown target $target (see fuzz/Cargo.toml)"; exit 2 ;;
esac
mkdir -p "corpus/$target"
# -s none: no AddressSanitizer (the code under test is safe Rust; panics, stack overflows,
# hangs and memory blow-ups are what we look for, and it runs about twice as fast).
# -a: debug assertions and overflow checks on.
RUSTC_BOOTSTRAP=1 exec cargo fuzz run -s none -a "$target" "corpus/$target" "${seeds[@]}" "$@" -- \
    -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 \
    -print_final_stats=1
