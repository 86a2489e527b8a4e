#!/usr/bin/env bash
# What visitor counting costs: the article page under wrk, with counting on
# and off, in one run, on one database. Prints requests/s and latency for
# both and the ratio. Usage: bench/counting.sh [seconds] [connections]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --quiet
bin=target/release/bantin
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

path=$("$bin" --data-dir "$work/data" import-text examples/tin-mau.txt | cut -d' ' -f1)
# bench/visitors.lua: 1000 distinct phones, cycling.
run() { # $1: true|false, $2: round
  "$bin" --data-dir "$work/data" serve --listen 127.0.0.1:18181 --count-visits "$1" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 50); do curl -fs http://127.0.0.1:18181/healthz >/dev/null 2>&1 && break; sleep 0.1; done
  wrk -t2 -c"$conns" -d2s -s bench/visitors.lua "http://127.0.0.1:18181$path" >/dev/null   # warm-up
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/visitors.lua "http://127.0.0.1:18181$path" >"$work/wrk-$1-$2.txt"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}
# Alternated, twice each, best of each kept: at 40,000 requests/s the order
# of runs and the machine's noise (±5 %) are as large as what is measured.
for round in 1 2; do run true "$round"; run false "$round"; done
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
best() { # the run with more requests/s of the two
  if awk -v a="$(rps "$1")" -v b="$(rps "$2")" 'BEGIN { exit !(a >= b) }'; then echo "$1"; else echo "$2"; fi
}
on_file=$(best "$work/wrk-true-1.txt" "$work/wrk-true-2.txt")
off_file=$(best "$work/wrk-false-1.txt" "$work/wrk-false-2.txt")
on=$(rps "$on_file"); off=$(rps "$off_file")
echo "article page, wrk -t2 -c$conns -d${secs}s, 1000 distinct visitors cycling, best of 2 alternated runs"
printf '%-14s %12s %10s\n' "counting" "requests/s" "p99"
printf '%-14s %12s %10s\n' "on" "$on" "$(p99 "$on_file")"
printf '%-14s %12s %10s\n' "off" "$off" "$(p99 "$off_file")"
awk -v on="$on" -v off="$off" 'BEGIN { printf "cost of counting: %.1f%% of throughput\n", (1 - on / off) * 100 }'
