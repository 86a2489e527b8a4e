#!/usr/bin/env bash
# Two server binaries against each other, with nginx in every round (issue 22):
# a change too small for `bench/run.sh` to see through this machine's drift
# shows here as a steady ratio.
#
#   1. 10,000 generated articles imported once (with binary A); each binary
#      serves its own copy of that data directory, both running throughout;
#   2. each round: nginx's static copy of the article, then A and B (the
#      order swapped every round), wrk -t2 -c32 with 1000 phones cycling;
#   3. per round: req/s, p99, each × nginx, B ÷ A; then the means; then the
#      CPU per request of each binary (user and kernel, from /proc), and its
#      context switches per request, over one more run each.
#
# Usage: bench/ab.sh BIN_A BIN_B [rounds] [seconds] [path]
#   (defaults: 6 rounds of 4 s, the article page; path / for the home page)
#   BENCH_GZIP=1: the phones take gzip (nginx still sends its copy plain).
# To compare two commits: build each, `cp target/release/bantin /tmp/A` (and B).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 2 ]] || { sed -n 2,17p "$0"; exit 2; }
a_bin=$(realpath "$1")
b_bin=$(realpath "$2")
rounds=${3:-6}
secs=${4:-4}
n=10000
for tool in wrk curl; do command -v $tool >/dev/null || { echo "needs $tool (apt-get install $tool)"; exit 1; }; done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[[ -x $NGINX ]] || { echo "needs nginx (apt-get install nginx)"; exit 1; }

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -f $work/nginx/nginx.pid ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
a_port=18291
b_port=18292
nginx_port=18282

python3 bench/gen_corpus.py "$n" "$work/corpus" >/dev/null
"$a_bin" --data-dir "$work/data" import-text "$work"/corpus/*.txt >"$work/imported.txt"
article=$(sed -n "$((n / 2))p" "$work/imported.txt" | cut -d' ' -f1)
path=${5:-$article}
cp -r "$work/data" "$work/a"
cp -r "$work/data" "$work/b"
BANTIN_LOG=warn "$a_bin" --data-dir "$work/a" serve --listen "127.0.0.1:$a_port" >"$work/a.log" 2>&1 &
pids+=($!)
a_pid=$!
BANTIN_LOG=warn "$b_bin" --data-dir "$work/b" serve --listen "127.0.0.1:$b_port" >"$work/b.log" 2>&1 &
pids+=($!)
b_pid=$!
until curl -sf "http://127.0.0.1:$a_port/healthz" >/dev/null && curl -sf "http://127.0.0.1:$b_port/healthz" >/dev/null; do
    sleep 0.05
done

mkdir -p "$work/www/tin-tuc" "$work/nginx"
curl -sf "http://127.0.0.1:$a_port$article" -o "$work/www$article"
cat >"$work/nginx/nginx.conf" <<CONF
$([[ $(id -u) == 0 ]] && echo "user root;")
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    default_type text/html;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    server {
        listen 127.0.0.1:$nginx_port;
        root $work/www;
    }
}
CONF
"$NGINX" -c "$work/nginx/nginx.conf" -p "$work/nginx"
until curl -sf "http://127.0.0.1:$nginx_port$article" >/dev/null; do sleep 0.01; done

nginx_url=http://127.0.0.1:$nginx_port$article
a_url=http://127.0.0.1:$a_port$path
b_url=http://127.0.0.1:$b_port$path
load() { # seconds url -> wrk's report in $work/last.txt
    wrk -t2 -c32 -d"$1s" --latency -s bench/visitors.lua "$2" >"$work/last.txt"
}
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/last.txt"; }
p99() { awk '$1=="99%" {print $2}' "$work/last.txt"; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
for url in "$nginx_url" "$a_url" "$b_url"; do load 2 "$url"; done

echo "A: $a_bin"
echo "B: $b_bin"
echo "path $path; $rounds rounds of ${secs} s; wrk -t2 -c32, 1000 phones cycling$([[ ${BENCH_GZIP:-} == 1 ]] && echo ', taking gzip'); $(nproc) cores, $(date '+%d/%m/%Y %H:%M %Z')"
sum_a=0 sum_b=0
for ((r = 1; r <= rounds; r++)); do
    load "$secs" "$nginx_url"
    nx=$(rps)
    if ((r % 2)); then order="a b"; else order="b a"; fi
    for who in $order; do
        if [[ $who == a ]]; then load "$secs" "$a_url"; ra=$(rps); pa=$(p99)
        else load "$secs" "$b_url"; rb=$(rps); pb=$(p99); fi
    done
    xa=$(div "$ra" "$nx")
    xb=$(div "$rb" "$nx")
    printf 'round %d: nginx %s  A %s (%s×, p99 %s)  B %s (%s×, p99 %s)  B÷A %s\n' \
        "$r" "$nx" "$ra" "$xa" "$pa" "$rb" "$xb" "$pb" "$(div "$rb" "$ra")"
    sum_a=$(awk -v s="$sum_a" -v x="$xa" 'BEGIN { print s + x }')
    sum_b=$(awk -v s="$sum_b" -v x="$xb" 'BEGIN { print s + x }')
done
printf 'mean × nginx: A %s  B %s\n' "$(div "$sum_a" "$rounds")" "$(div "$sum_b" "$rounds")"

# CPU per request: the process's ticks (every thread) over one more run.
tick=$(getconf CLK_TCK)
switches() { cat /proc/"$1"/task/*/status | awk '/ctxt_switches/ { s += $2 } END { print s }'; }
cpu() { # label pid url
    local t0 c0 t1 c1 reqs
    t0=$(awk '{ print $14, $15 }' "/proc/$2/stat")
    c0=$(switches "$2")
    load "$secs" "$3"
    t1=$(awk '{ print $14, $15 }' "/proc/$2/stat")
    c1=$(switches "$2")
    reqs=$(awk '/requests in/ { print $1 }' "$work/last.txt")
    echo "$t0 $t1 $c0 $c1" | awk -v n="$reqs" -v t="$tick" -v l="$1" -v r="$(rps)" \
        '{ printf "%s: %s req/s, user %.2f µs, kernel %.2f µs, %.2f context switches per request\n", l, r, ($3 - $1) / t * 1e6 / n, ($4 - $2) / t * 1e6 / n, ($6 - $5) / n }'
}
cpu A "$a_pid" "$a_url"
cpu B "$b_pid" "$b_url"
