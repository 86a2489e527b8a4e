#!/usr/bin/env bash
# Instructions per request: a figure machine noise cannot move (issue 22).
# The release server runs under valgrind's callgrind, not instrumented;
# for each path instrumentation is switched on, exactly N requests are sent one after the
# other on one kept-alive connection (a phone's user-agent, so visits are
# counted as for readers; the pages also as a phone asks for them, taking
# gzip), and the instructions the whole process executed
# meanwhile (every thread, background tasks included) are divided by N.
# A second column counts the serving threads alone (where the connections
# live): the background work (the visitor-count flush, the sites' re-read,
# the database's own threads) falls into a window by the clock, so it moves
# the first column by a few per cent between runs; the second moves less.
# This machine's virtual CPUs expose no hardware counters to `perf stat`.
#
# Usage: [BANTIN_BIN=path] bench/instructions.sh [requests per path]   (default 200)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
if ! command -v valgrind >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
fi
# BANTIN_BIN: a server binary built elsewhere (another commit, to compare).
if [[ -z ${BANTIN_BIN:-} ]]; then
    cargo build --release --quiet -p bantin
fi
bin=${BANTIN_BIN:-${CARGO_TARGET_DIR:-target}/release/bantin}
work=$(mktemp -d)
server=
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null
    [[ -n ${KEEP:-} ]] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT
port=18291
base=http://127.0.0.1:$port
ua="Mozilla/5.0 (Linux; Android 10; SM-A105F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36"

python3 bench/gen_corpus.py 1000 "$work/corpus" >/dev/null
"$bin" --data-dir "$work/data" import-text "$work"/corpus/*.txt >"$work/imported.txt"
article=$(sed -n 500p "$work/imported.txt" | cut -d' ' -f1)

BANTIN_LOG=warn valgrind --tool=callgrind --instr-atstart=no --separate-threads=yes \
    --callgrind-out-file="$work/callgrind.out" \
    "$bin" --data-dir "$work/data" serve --listen "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
server=$!
for _ in $(seq 1 600); do
    curl -fs -o /dev/null "$base/healthz" && break
    sleep 0.2
done

# The instructions of dump number $1 (callgrind numbers its dumps, and
# writes one file per thread): all threads, and the serving threads alone.
instructions() { awk '/^totals:/ { s += $2 } END { print s }' "$work/callgrind.out.$1"-*; }
serving() {
    local f s=0
    for f in "$work/callgrind.out.$1"-*; do
        grep -qF 'Workers::spawn::{{closure}}' "$f" && s=$((s + $(awk '/^totals:/ { print $2 }' "$f")))
    done
    echo "$s"
}
dumps=0
urls() { for _ in $(seq 1 "$1"); do printf '%s\n' "url = \"$2\"" 'output = "/dev/null"'; done; }

printf 'bantin %s, %s, %d requests per path, callgrind (valgrind %s)\n' \
    "$(git rev-parse --short HEAD)" "$(date -u '+%d/%m/%Y %H:%M UTC')" "$n" "$(valgrind --version)"
printf '%-28s %16s %16s\n' "path" "instructions/req" "serving threads"
# measure LABEL PATH [curl options]
measure() {
    local label=$1 path=$2
    shift 2
    # Warm: caches filled, connections open.
    urls 20 "$base$path" | curl -s -A "$ua" "$@" -K - >/dev/null
    callgrind_control -z "$server" >/dev/null 2>&1
    callgrind_control -i on "$server" >/dev/null 2>&1
    urls "$n" "$base$path" | curl -s -A "$ua" "$@" -K - >/dev/null
    callgrind_control -i off "$server" >/dev/null 2>&1
    callgrind_control -d "$server" >/dev/null 2>&1
    dumps=$((dumps + 1))
    for _ in $(seq 1 50); do compgen -G "$work/callgrind.out.$dumps-*" >/dev/null && break; sleep 0.1; done
    sleep 0.5 # the other threads' files of this dump
    ir=$(instructions "$dumps")
    printf '%-28s %16d %16d\n' "$label" "$((ir / n))" "$(($(serving "$dumps") / n))"
}
measure /healthz /healthz
measure /static/style.css /static/style.css
measure "article page" "$article"
measure "home page" /
# What phones send: the answer gzip-compressed.
measure "article page, gzip" "$article" -H 'Accept-Encoding: gzip, deflate, br'
measure "home page, gzip" / -H 'Accept-Encoding: gzip, deflate, br'
