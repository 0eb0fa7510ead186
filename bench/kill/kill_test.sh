#!/usr/bin/env bash
# The kill test: start a process that saves a set over and over (examples/save_loop.rs, the
# app's save path with backups), kill it with SIGKILL at a random moment, then check that the
# set file parses and is a version the process reported as saved (or the one it was writing),
# and that every backup parses. Repeats N times (default 1000) and prints the figures.
#
#   bench/kill/kill_test.sh [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-1000}"
cargo build --release --example save_loop >&2
bin=target/release/examples/save_loop
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
reported=0 in_flight=0 none=0 broken=0 saves=0
for ((i = 1; i <= runs; i++)); do
    dir="$work/$i"
    mkdir -p "$dir"
    "$bin" run "$dir/set.claimlens.ron" > "$dir/out" 2> "$dir/err" &
    pid=$!
    # A random moment within the first 0.3 s (tens of saves).
    sleep "0.$(printf '%03d' $((RANDOM % 300)))"
    kill -KILL "$pid" 2> /dev/null || true
    wait "$pid" 2> /dev/null || true
    last=$(grep -c '^saved ' "$dir/out" || true)
    saves=$((saves + last))
    result=$("$bin" check "$dir/set.claimlens.ron" "$last" || true)
    case "$result" in
        "ok reported") reported=$((reported + 1)) ;;
        "ok in-flight") in_flight=$((in_flight + 1)) ;;
        "ok none") none=$((none + 1)) ;;
        *) broken=$((broken + 1)); echo "run $i: $result" >&2 ;;
    esac
    rm -rf "$dir"
done
echo "kills: $runs · saves reported before the kills: $saves"
echo "set file = last reported version: $reported · = the version being written: $in_flight · killed before the first save: $none"
echo "broken (unparsable, a version never written, a damaged backup): $broken"
[ "$broken" -eq 0 ]
