#!/usr/bin/env bash
# Imports the shared seed page with the real binary, serves it, and checks
# the article page shows title, paragraphs and byline, listed under "Tin tức":
# once on SQLite, once on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
seed=../shared/seed/000_3bade3a75277e8a3.txt
if [ ! -f "$seed" ]; then
  echo "no seed page at $seed: skipped"
  exit 0
fi
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/bantin"
work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
  psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS bantin_ci_seed' >/dev/null 2>&1 || true
}
trap cleanup EXIT

check() { # $1: label, rest: bantin's database options
  local label=$1; shift
  local path port=18$((RANDOM % 900 + 100))
  path=$("$bin" "$@" import-text "$seed")
  echo "$label: imported at $path"
  [ "$("$bin" "$@" import-text "$seed" | grep -c 'đã có')" = 1 ] || { echo "$label: second import was not recognised"; exit 1; }
  "$bin" "$@" serve --listen "127.0.0.1:$port" >"$work/serve-$label.log" 2>&1 &
  server=$!
  for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.2; done
  # A reader's browser (curl's own user-agent is rightly not counted).
  page=$(curl -fs -A "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36" "http://127.0.0.1:$port$path")
  list=$(curl -fs "http://127.0.0.1:$port/tin-tuc")
  kill "$server"; wait "$server" || true; server=
  grep -q '<h1>Đảng bộ xã Sín chéng chú trọng công tác xây dựng tổ chức, cơ sở đảng.</h1>' <<<"$page"
  grep -q '<p class="byline">Lồ Sinh.</p>' <<<"$page"
  grep -q 'kịp thời chấn chỉnh, sai lầm, lệch lạc.' <<<"$page"
  grep -q 'kết nạp được 14 Đảng viên mới.' <<<"$page"
  [ "$(sed -n '/<div class="body">/,/<\/div>/p' <<<"$page" | grep -c '^<p>')" = 5 ] || { echo "$label: expected 5 body paragraphs"; exit 1; }
  article=$(sed -n '/<article/,/<\/article>/p' <<<"$page")
  if grep -q 'Thống kê truy cập\|Đang online\|Đăng nhập' <<<"$article"; then echo "$label: chrome leaked into the article"; exit 1; fi
  # The page's own widget counts this visitor (the seed shows 1 / 1 / 1 / 1).
  grep -q 'Hôm nay: <strong>1</strong>' <<<"$page" || { echo "$label: the statistics widget is missing"; exit 1; }
  grep -q "href=\"$path\"" <<<"$list"
  echo "$label: article served with title, 5 paragraphs and byline, listed under Tin tức"
}

check sqlite --data-dir "$work/data"
psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS bantin_ci_seed' -c 'CREATE DATABASE bantin_ci_seed'
check postgres --database-url postgres://postgres@127.0.0.1:5432/bantin_ci_seed
