#!/usr/bin/env bash
# import-wordpress on a generated export (bench/gen_wxr.py): POSTS posts
# (default 10,000), the first IMAGES of them with a featured image (default
# 0), into a fresh SQLite database and a fresh PostgreSQL one
# (127.0.0.1:5432, user postgres); wall time and peak resident memory of
# the import, then of a second run (which must add nothing).
# Usage: bench/wxr.sh [posts] [images]   (DATABASES=sqlite: SQLite only)
set -euo pipefail
cd "$(dirname "$0")/.."
posts=${1:-10000}
images=${2:-0}
cargo build --release --quiet
bin=$(realpath "${CARGO_TARGET_DIR:-target}/release/bantin")
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS bantin_bench_wxr" >/dev/null 2>&1 || true' EXIT
python3 bench/gen_wxr.py "$posts" "$images" "$work/src"
printf 'export: %s posts, %s images, %s MiB\n' "$posts" "$images" "$(( $(stat -c %s "$work/src/export.xml") / 1048576 ))"

run() { # label database-url
  local label=$1 url=$2 round pid anon peak_anon
  for round in first second; do
    /usr/bin/time -f '%e %M' -o "$work/time" "$bin" --database-url "$url" --data-dir "$work/data-$label" \
      import-wordpress "$work/src/export.xml" --uploads "$work/src/uploads" >"$work/out" 2>"$work/err" &
    pid=$!
    # Anonymous memory (the heap), sampled: with SQLite's mmap the
    # resident set also counts database pages, which are page cache.
    peak_anon=0
    while kill -0 "$pid" 2>/dev/null; do
      anon=$(awk '/RssAnon/ {print $2}' "/proc/$(pgrep -P "$pid" bantin | head -n1)/status" 2>/dev/null || echo 0)
      [ "${anon:-0}" -gt "$peak_anon" ] && peak_anon=$anon
      sleep 0.2
    done
    wait "$pid" || { cat "$work/err" >&2; exit 1; }
    read -r secs kib <"$work/time"
    printf '%-10s %-6s run: %6.1f s, peak RSS %4d MiB, peak anonymous %4d MiB   (%s)\n' "$label" "$round" "$secs" \
      $((kib / 1024)) $((peak_anon / 1024)) "$(grep 'bài viết:' "$work/out" | sed 's/^ *//')"
  done
}
run sqlite "sqlite://$work/bench.db?mode=rwc"
[ "${DATABASES:-both}" = sqlite ] && exit 0
psql -q -h 127.0.0.1 -U postgres -d postgres -c 'SET client_min_messages = warning' -c 'DROP DATABASE IF EXISTS bantin_bench_wxr' -c 'CREATE DATABASE bantin_bench_wxr'
run postgres "postgres://postgres@127.0.0.1:5432/bantin_bench_wxr"
