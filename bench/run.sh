#!/usr/bin/env bash
# Issue 7's numbers in one run, on this machine, against the real
# alternative: nginx (Debian's package) serving the very same article page
# as a static file.
#
#   1. import: 10,000 generated articles through `bantin import-text`
#   2. start-up: process start to the first 200 of the home page
#   3. throughput: wrk on loopback, article page and home page (visitor
#      counting on, 1000 distinct phones cycling) vs nginx's static copy,
#      in turn over several rounds; the median round is reported
#   4. memory: bantin's resident set after that load
#   5. ten times the connections: what the server answers, and that it lives
#
# Usage: bench/run.sh [seconds] [connections] [rounds]    (defaults: 10 s, 32, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
conns=${2:-32}
rounds=${3:-3}
n=10000

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]] || need+=(nginx)
command -v curl >/dev/null || need+=(curl)
if ((${#need[@]})); then
    dpkg --configure -a >/dev/null 2>&1 || true
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release --quiet -p bantin
bin=${CARGO_TARGET_DIR:-target}/release/bantin

work=$(mktemp -d)
server=
cleanup() {
    [[ -n $server ]] && kill "$server" 2>/dev/null
    [[ -f $work/nginx/nginx.pid ]] && kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.3f\", $* }"; }
port=18281
nginx_port=18282
base=http://127.0.0.1:$port

# 1. Import.
python3 bench/gen_corpus.py "$n" "$work/corpus"
t0=$(now)
"$bin" --data-dir "$work/data" import-text "$work"/corpus/*.txt >"$work/imported.txt"
t1=$(now)
import_s=$(calc "$t1 - $t0")
imported=$(wc -l <"$work/imported.txt")
[[ $imported == "$n" ]] || { echo "imported $imported of $n"; exit 1; }
article=$(sed -n "$((n / 2))p" "$work/imported.txt" | cut -d' ' -f1)

# 2. Start-up on the existing database: spawn, then poll the home page.
start() { # extra serve flags...
    BANTIN_LOG=warn "$bin" --data-dir "$work/data" serve --listen "127.0.0.1:$port" "$@" >>"$work/serve.log" 2>&1 &
    server=$!
}
stop() { kill "$server"; wait "$server" 2>/dev/null || true; server=; }
best_start=
for _ in 1 2 3; do
    t0=$(now)
    start
    until [[ $(curl -s -o /dev/null -w '%{http_code}' "$base/" 2>/dev/null) == 200 ]]; do sleep 0.002; done
    t1=$(now)
    ms=$(calc "($t1 - $t0) * 1000")
    if [[ -z $best_start ]] || [[ $(calc "$ms < $best_start") != 0.000 ]]; then best_start=$ms; fi
    last_start=$ms
    stop
done

# 3. Throughput. The static copy is the page bantin serves, byte for byte.
start
until curl -sf "$base/healthz" >/dev/null; do sleep 0.01; done
mkdir -p "$work/www/tin-tuc" "$work/nginx"
curl -sf "$base$article" -o "$work/www$article"
page_bytes=$(stat -c %s "$work/www$article")
css_path=$(grep -o '/static/style.css?v=[0-9a-f]*' "$work/www$article" | head -n1)
css_bytes=$(curl -sf "$base$css_path" | wc -c)
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

bench() { # name url
    wrk -t2 -c"$conns" -d"${secs}s" --latency -s bench/visitors.lua "$2" >"$work/wrk-$1.txt"
}
# nginx and bantin share the machine's cores with wrk, and a virtual
# machine's speed drifts over minutes; so the three are measured in turn,
# round after round, and each page's figure is the median round's, its
# ratio to nginx taken within the same round.
wrk -t2 -c"$conns" -d2s -s bench/visitors.lua "http://127.0.0.1:$nginx_port$article" >/dev/null
wrk -t2 -c"$conns" -d2s -s bench/visitors.lua "$base$article" >/dev/null
wrk -t2 -c"$conns" -d2s -s bench/visitors.lua "$base/" >/dev/null
for ((r = 1; r <= rounds; r++)); do
    bench "nginx-$r" "http://127.0.0.1:$nginx_port$article"
    bench "article-$r" "$base$article"
    bench "home-$r" "$base/"
done
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$server/status")
hwm_kib=$(awk '/VmHWM/ {print $2}' "/proc/$server/status")
# Of the resident set, what is bantin's own (not the mapped database file).
anon_kib=$(awk '/RssAnon/ {print $2}' "/proc/$server/status")

# 5. Ten times the connections, on the article page.
wrk -t2 -c"$((conns * 10))" -d"${secs}s" --latency -s bench/visitors.lua "$base$article" >"$work/wrk-10x.txt" 2>&1
alive=$(curl -s -o /dev/null -w '%{http_code}' "$base/healthz")
stop

rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
p50() { awk '$1=="50%" {print $2}' "$1"; }
non2xx() { awk '/Non-2xx/ {print $NF; found=1} END {if (!found) print 0}' "$1"; }
errors() { awk '/Socket errors/ {sub(/.*Socket errors: /, ""); print; found=1} END {if (!found) print "none"}' "$1"; }
ratio() { awk -v a="$(rps "$1")" -v b="$(rps "$2")" 'BEGIN { printf "%.2f", a / b }'; }
# median PAGE: the round whose ratio to nginx (same round) is the median.
median() {
    for ((r = 1; r <= rounds; r++)); do
        echo "$(ratio "$work/wrk-$1-$r.txt" "$work/wrk-nginx-$r.txt") $r"
    done | sort -n | awk -v n="$rounds" 'NR == int((n + 1) / 2) {print $2}'
}
row() { # label page round ratio
    local f=$work/wrk-$2-$3.txt
    printf '%-36s %12s %9s %9s %8s\n' "$1" "$(rps "$f")" "$(p50 "$f")" "$(p99 "$f")" "$4"
}
article_r=$(median article)
home_r=$(median home)

echo
echo "bantin $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date '+%d/%m/%Y %H:%M %Z'), $(nproc) cores, $(uname -r)"
echo "wrk -t2 -c$conns -d${secs}s, $rounds rounds of nginx, article, home in turn after a 2 s warm-up each; 1000 distinct phones cycling; $n articles"
printf '\n%-36s %12s %9s %9s %8s\n' "page (median round)" "requests/s" "p50" "p99" "×nginx"
row "nginx static copy of the article" nginx "$article_r" "1.00"
row "bantin article page" article "$article_r" "$(ratio "$work/wrk-article-$article_r.txt" "$work/wrk-nginx-$article_r.txt")"
row "bantin home page" home "$home_r" "$(ratio "$work/wrk-home-$home_r.txt" "$work/wrk-nginx-$home_r.txt")"
printf '\n%-36s' "each round: nginx, article, home"
for ((r = 1; r <= rounds; r++)); do
    printf ' [%s %s %s: %s× %s×]' "$(rps "$work/wrk-nginx-$r.txt")" "$(rps "$work/wrk-article-$r.txt")" "$(rps "$work/wrk-home-$r.txt")" \
        "$(ratio "$work/wrk-article-$r.txt" "$work/wrk-nginx-$r.txt")" "$(ratio "$work/wrk-home-$r.txt" "$work/wrk-nginx-$r.txt")"
done
printf '\n%-36s' "p99 each round: article, home"
for ((r = 1; r <= rounds; r++)); do
    printf ' [%s %s]' "$(p99 "$work/wrk-article-$r.txt")" "$(p99 "$work/wrk-home-$r.txt")"
done
echo
printf '\n%-36s %s\n' "article page weight (HTML + CSS)" "$page_bytes + $css_bytes = $((page_bytes + css_bytes)) bytes (target < 30720)"
printf '%-36s %s\n' "import of $n articles" "$(printf '%.2f' "$import_s") s (target ≤ 10 s)"
printf '%-36s %s\n' "start-up to first 200 (best of 3)" "$(printf '%.0f' "$best_start") ms, last $(printf '%.0f' "$last_start") ms (target ≤ 300 ms)"
printf '%-36s %s\n' "resident memory after the load" "$((rss_kib / 1024)) MiB (peak $((hwm_kib / 1024)) MiB; anonymous $((anon_kib / 1024)) MiB; target ≤ 50 MiB)"
printf '%-36s %s\n' "10× connections ($((conns * 10)))" "$(rps "$work/wrk-10x.txt") req/s, p99 $(p99 "$work/wrk-10x.txt"), non-2xx $(non2xx "$work/wrk-10x.txt"), socket errors: $(errors "$work/wrk-10x.txt"); healthz after: $alive"
