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
# 1000 distinct phones, cycling: counting does real work (new visitors are
# written, returning ones update), as on a busy day.
cat > "$work/visitors.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local ua = "Mozilla/5.0 (Linux; Android 13; Phone " .. (n % 1000) .. ") Chrome/124.0 Mobile Safari/537.36"
  return wrk.format("GET", nil, { ["User-Agent"] = ua })
end
LUA

run() { # $1: true|false
  "$bin" --data-dir "$work/data" serve --listen 127.0.0.1:18181 --count-visits "$1" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 50); do curl -fs http://127.0.0.1:18181/healthz >/dev/null 2>&1 && break; sleep 0.1; done
  wrk -t2 -c"$conns" -d2s -s "$work/visitors.lua" "http://127.0.0.1:18181$path" >/dev/null   # warm-up
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$work/visitors.lua" "http://127.0.0.1:18181$path" >"$work/wrk-$1.txt"
  kill "$server"; wait "$server" 2>/dev/null || true; server=
}
run true
run false
rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
on=$(rps "$work/wrk-true.txt"); off=$(rps "$work/wrk-false.txt")
echo "article page, wrk -t2 -c$conns -d${secs}s, 1000 distinct visitors cycling"
printf '%-14s %12s %10s\n' "counting" "requests/s" "p99"
printf '%-14s %12s %10s\n' "on" "$on" "$(p99 "$work/wrk-true.txt")"
printf '%-14s %12s %10s\n' "off" "$off" "$(p99 "$work/wrk-false.txt")"
awk -v on="$on" -v off="$off" 'BEGIN { printf "cost of counting: %.1f%% of throughput\n", (1 - on / off) * 100 }'
