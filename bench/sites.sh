#!/usr/bin/env bash
# One deployment of many sites (issue 15), measured against one site:
#
#   1. 200 sites (a province's portal and 199 communes), 50 articles each,
#      made with `bantin site add` and `bantin import-text --site`;
#   2. start-up to the first 200 of a site's home page (best of 3);
#   3. the article page of one site, wrk against the 200-site deployment and
#      against a one-site deployment holding the same article, alternating
#      three times, best of each (goal ≥ 0.95×);
#   4. resident memory after the home page and an article of every site
#      have been read (goal ≤ 64 MiB);
#   5. `bantin site add` of the 201st site while serving, and how long until
#      the running server answers it.
#
# Usage: bench/sites.sh [sqlite|postgres] [seconds] [connections]
# (PostgreSQL: 127.0.0.1:5432, user postgres, databases bantin_bench_sites*).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
secs=${2:-10}
conns=${3:-32}
sites=200
per_site=50

for tool in wrk curl; do command -v $tool >/dev/null || { echo "needs $tool (apt-get install $tool)"; exit 1; }; done
cargo build --release --quiet -p bantin
bin=${CARGO_TARGET_DIR:-target}/release/bantin

work=$(mktemp -d)
servers=()
pg() { psql -q -h 127.0.0.1 -U postgres -d postgres "$@" >/dev/null; }
cleanup() {
    for s in "${servers[@]}"; do kill "$s" 2>/dev/null || true; done
    rm -rf "$work"
    if [[ $backend == postgres ]]; then
        pg -c 'DROP DATABASE IF EXISTS bantin_bench_sites' -c 'DROP DATABASE IF EXISTS bantin_bench_one' || true
    fi
}
trap cleanup EXIT
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"%.1f\", $* }"; }

case $backend in
    sqlite)
        many=(--data-dir "$work/many")
        one=(--data-dir "$work/one")
        ;;
    postgres)
        pg -c 'DROP DATABASE IF EXISTS bantin_bench_sites' -c 'CREATE DATABASE bantin_bench_sites' \
            -c 'DROP DATABASE IF EXISTS bantin_bench_one' -c 'CREATE DATABASE bantin_bench_one'
        many=(--data-dir "$work/many" --database-url postgres://postgres@127.0.0.1:5432/bantin_bench_sites)
        one=(--data-dir "$work/one" --database-url postgres://postgres@127.0.0.1:5432/bantin_bench_one)
        ;;
    *) echo "backend: sqlite or postgres"; exit 1 ;;
esac

# 1. The sites and their articles.
python3 bench/gen_corpus.py $((sites * per_site)) "$work/corpus"
host() { if (($1 == 0)); then echo tinh.gov.vn; else echo "xa-$1.tinh.gov.vn"; fi; }
t0=$(now)
"$bin" "${many[@]}" site set 1 --host tinh.gov.vn --name "Cổng thông tin tỉnh" >/dev/null
for ((i = 1; i < sites; i++)); do
    "$bin" "${many[@]}" site add "$(host $i)" --name "Xã số $i" --parent tinh.gov.vn >/dev/null
done
for ((i = 0; i < sites; i++)); do
    files=()
    for ((j = 0; j < per_site; j++)); do files+=("$work/corpus/tin-$(printf '%05d' $((i * per_site + j))).txt"); done
    "$bin" "${many[@]}" import-text --site "$(host $i)" "${files[@]}" >"$work/paths-$i.txt"
done
setup_s=$(calc "$(now) - $t0")
# The one-site deployment: the same 50 articles as site 7.
files=()
for ((j = 0; j < per_site; j++)); do files+=("$work/corpus/tin-$(printf '%05d' $((7 * per_site + j))).txt"); done
"$bin" "${one[@]}" import-text "${files[@]}" >"$work/paths-one.txt"
article=$(sed -n 25p "$work/paths-7.txt" | cut -d' ' -f1)
[[ $article == $(sed -n 25p "$work/paths-one.txt" | cut -d' ' -f1) ]] || { echo "the two deployments differ"; exit 1; }

start() { # port flags...
    local port=$1
    shift
    BANTIN_LOG=warn "$bin" "$@" serve --listen "127.0.0.1:$port" >>"$work/serve.log" 2>&1 &
    servers+=($!)
    last=$!
}
stop_last() { kill "$last"; wait "$last" 2>/dev/null || true; }

# 2. Start-up: spawn, then poll a commune's home page.
best_start=
for _ in 1 2 3; do
    t0=$(now)
    start 18291 "${many[@]}"
    until [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Host: $(host 7)" http://127.0.0.1:18291/ 2>/dev/null) == 200 ]]; do sleep 0.002; done
    ms=$(calc "($(now) - $t0) * 1000")
    if [[ -z $best_start ]] || awk "BEGIN { exit !($ms < $best_start) }"; then best_start=$ms; fi
    stop_last
done

# 3. The same article page, 200 sites against one.
start 18291 "${many[@]}"
many_pid=$last
start 18292 "${one[@]}"
until curl -sf -H "Host: $(host 7)" http://127.0.0.1:18291/healthz >/dev/null && curl -sf http://127.0.0.1:18292/healthz >/dev/null; do sleep 0.01; done
bench() { # name url host
    wrk -t2 -c"$conns" -d2s -H "Host: $3" -s bench/visitors.lua "$2" >/dev/null
    wrk -t2 -c"$conns" -d"${secs}s" --latency -H "Host: $3" -s bench/visitors.lua "$2" >"$work/wrk-$1.txt"
}
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' "$1"; }
p99() { awk '$1=="99%" {print $2}' "$1"; }
best() { # name...: the run with most requests/s
    local b=
    for f in "$@"; do if [[ -z $b ]] || (($(rps "$work/wrk-$f.txt") > $(rps "$work/wrk-$b.txt"))); then b=$f; fi; done
    echo "$b"
}
for round in 1 2 3; do
    bench "one$round" "http://127.0.0.1:18292$article" localhost
    bench "many$round" "http://127.0.0.1:18291$article" "$(host 7)"
done
one_best=$(best one1 one2 one3)
many_best=$(best many1 many2 many3)

# 4. Memory once every site has been read.
for ((i = 0; i < sites; i++)); do
    h=$(host $i)
    curl -sf -o /dev/null -H "Host: $h" http://127.0.0.1:18291/
    curl -sf -o /dev/null -H "Host: $h" "http://127.0.0.1:18291$(sed -n 1p "$work/paths-$i.txt" | cut -d' ' -f1)"
done
rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$many_pid/status")
hwm_kib=$(awk '/VmHWM/ {print $2}' "/proc/$many_pid/status")
# The resident set also counts the database pages SQLite maps (mmap_size);
# the heap is the anonymous part.
anon_kib=$(awk '/RssAnon/ {print $2}' "/proc/$many_pid/status")
one_pid=$last
one_rss_kib=$(awk '/VmRSS/ {print $2}' "/proc/$one_pid/status")
one_anon_kib=$(awk '/RssAnon/ {print $2}' "/proc/$one_pid/status")

# 5. The 201st site, added while serving.
t0=$(now)
"$bin" "${many[@]}" site add xa-moi.tinh.gov.vn --name "Xã mới" --parent tinh.gov.vn >/dev/null
added=$(now)
until [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Host: xa-moi.tinh.gov.vn" http://127.0.0.1:18291/) == 200 ]]; do sleep 0.05; done
served=$(now)

echo
echo "bantin $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $backend, $(date '+%d/%m/%Y %H:%M %Z'), $(nproc) cores, $(uname -r)"
echo "$sites sites × $per_site articles (made in ${setup_s} s); wrk -t2 -c$conns -d${secs}s after a 2 s warm-up, 1000 phones cycling"
printf '\n%-44s %12s %9s\n' "article page" "requests/s" "p99"
printf '%-44s %12s %9s\n' "one-site deployment (best of 3)" "$(rps "$work/wrk-$one_best.txt")" "$(p99 "$work/wrk-$one_best.txt")"
printf '%-44s %12s %9s\n' "200-site deployment, site 7 (best of 3)" "$(rps "$work/wrk-$many_best.txt")" "$(p99 "$work/wrk-$many_best.txt")"
printf '%-44s %s\n' "each run (one, many) × 3" "$(for r in 1 2 3; do printf '%s %s  ' "$(rps "$work/wrk-one$r.txt")" "$(rps "$work/wrk-many$r.txt")"; done)"
awk -v a="$(rps "$work/wrk-$many_best.txt")" -v b="$(rps "$work/wrk-$one_best.txt")" 'BEGIN { printf "%-44s %.2f× (goal ≥ 0.95×)\n", "200 sites ÷ one site", a / b }'
printf '%-44s %s\n' "resident memory, every site read" "$((rss_kib / 1024)) MiB (peak $((hwm_kib / 1024)) MiB; anonymous $((anon_kib / 1024)) MiB; one site: $((one_rss_kib / 1024)) MiB, anonymous $((one_anon_kib / 1024)) MiB; goal ≤ 64 MiB)"
printf '%-44s %s\n' "start-up to first 200 (best of 3)" "$best_start ms (goal ≤ 500 ms)"
printf '%-44s %s\n' "site add of the 201st while serving" "$(calc "($added - $t0) * 1000") ms; served after $(calc "($served - $added) * 1000") ms more (sites are re-read every 2 s)"
