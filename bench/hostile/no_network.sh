#!/usr/bin/env bash
# Runs Claimlens' headless commands on hostile files (a web page full of scripts, frames and
# remote addresses, a W3C annotation pointing at remote IRIs, the PDF, EPUB and Markdown test
# files) and checks that none of them touches the network:
#  1. under `strace -f -e trace=network`: fails if any socket() or connect() other than
#     AF_UNIX appears (a positive control first shows that a TCP connect is caught);
#  2. under `unshare -n` (no network at all): every command must exit as it did before.
# Usage: bench/hostile/no_network.sh   (from anywhere; builds the release binary first)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
data="$root/tests/data"
command -v strace >/dev/null || { echo "needs strace (apt-get install strace)"; exit 2; }
(cd "$root" && cargo build --release --quiet)
bin="${CARGO_TARGET_DIR:-$root/target}/release/claimlens"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/hostile.html" "$work/hostile.html"
printf '# Caf\xe9\n\n<script>alert(1)</script> ![x](http://evil.example/i.png) [a](http://evil.example/)\n' > "$work/hostile.md"

# Returns 0 when the strace log $1 holds no socket()/connect() but AF_UNIX ones.
only_unix() {
    ! grep -E '(^|[^a-z_])(socket|connect|socketpair)\(' "$1" | grep -v 'AF_UNIX' | grep -q .
}

# Positive control: a TCP connect (to a closed local port) must be caught.
strace -f -qq -e trace=network -o "$work/control.log" \
    bash -c 'exec 3<>/dev/tcp/127.0.0.1/9' 2>/dev/null || true
if only_unix "$work/control.log"; then
    echo "FAIL: the check did not catch a TCP connect"; cat "$work/control.log"; exit 1
fi
echo "control: a TCP connect is caught: $(grep -m1 -E 'connect\(' "$work/control.log")"

commands=(
    "text $work/hostile.html"
    "text --json $work/hostile.html"
    "text --json $work/hostile.md"
    "text --json $data/epub/Metamorphosis-jackson.epub"
    "text --json $data/pdf/026-latex-multicolumn__multicolumn.pdf"
    "text $data/pdf/005-libreoffice-writer-password__libreoffice-writer-password.pdf"
    "import --from w3c $here/hostile.w3c.jsonld $work/hostile.html -o $work/hostile.html.claimlens.ron --force"
    "validate $work/hostile.html.claimlens.ron"
    "export --format html $work/hostile.html $work/hostile.html.claimlens.ron -o $work/out.html"
    "export --format md $work/hostile.html $work/hostile.html.claimlens.ron"
    "export --format brat $work/hostile.html $work/hostile.html.claimlens.ron -o $work/out.ann"
    "import --from hypothesis $data/interchange/hypothesis-export.json $data/interchange/hypothesis-page.txt -o $work/h.ron --force"
    "validate $data/golden-v3.claimlens.ron"
    "export --format csv $data/golden-article.txt $data/golden-v3.claimlens.ron"
)
failed=0
for args in "${commands[@]}"; do
    # shellcheck disable=SC2086 # the arguments are split on purpose (no spaces in the paths)
    set +e
    strace -f -qq -e trace=network -o "$work/trace.log" "$bin" $args >"$work/out" 2>"$work/err"
    status=$?
    # shellcheck disable=SC2086
    unshare -n "$bin" $args >/dev/null 2>&1
    offline=$?
    set -e
    calls=$(grep -cE '(socket|connect|socketpair)\(' "$work/trace.log" || true)
    if ! only_unix "$work/trace.log"; then
        echo "FAIL  claimlens $args: network calls:"; grep -E '(socket|connect)\(' "$work/trace.log"
        failed=1
    elif [ "$status" != "$offline" ]; then
        echo "FAIL  claimlens $args: exit $status, but $offline without a network"
        failed=1
    else
        echo "ok    claimlens $args (exit $status, same offline; socket/connect calls: $calls, none but AF_UNIX)"
    fi
done
# The page's text made it through without its scripts.
"$bin" text "$work/hostile.html" > "$work/page.txt"
if grep -qE 'SCRIPTMARK|ONCLICKMARK|alert\(|evil\.example' "$work/page.txt"; then
    echo "FAIL: script or remote address in the page's text"; failed=1
fi
if [ "$failed" = 0 ]; then
    echo "PASS: ${#commands[@]} commands, no network access"
else
    echo "FAIL"
fi
exit "$failed"
