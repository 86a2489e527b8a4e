#!/usr/bin/env bash
# Lighthouse (npm package, Debian's Chromium, no network needed) on the
# public pages, phone profile (Lighthouse's default: a mid-range phone on a
# throttled 4G link). Prints the four scores per page.
# Usage: bench/lighthouse.sh        (needs node and npm)
set -euo pipefail
cd "$(dirname "$0")/.."
need=()
[[ -x /usr/bin/chromium ]] || need+=(chromium)
command -v curl >/dev/null || need+=(curl)
if ((${#need[@]})); then
    dpkg --configure -a >/dev/null 2>&1 || true
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
tools=${XDG_CACHE_HOME:-$HOME/.cache}/bantin-bench/lighthouse
if [[ ! -x $tools/node_modules/.bin/lighthouse ]]; then
    mkdir -p "$tools"
    npm install --prefix "$tools" --no-audit --no-fund --silent lighthouse@12 >/dev/null
fi
export CHROME_PATH=/usr/bin/chromium
cargo build --release --quiet -p bantin
bin=${CARGO_TARGET_DIR:-target}/release/bantin

work=$(mktemp -d)
server=
cleanup() { [[ -n $server ]] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port=18381
base=http://127.0.0.1:$port

python3 bench/gen_corpus.py 30 "$work/corpus"
"$bin" --data-dir "$work/data" import-text "$work"/corpus/*.txt >/dev/null
article=$("$bin" --data-dir "$work/data" import-text examples/tin-mau.txt | cut -d' ' -f1)
# The starting pages published with some text, two leaders and a body of
# the organisation, as a commune's admin would fill them in.
python3 - "$work/data/bantin.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
text = "<p>" + "Xã Nậm Xe nằm ở phía tây bắc của huyện, có 6 thôn bản với hơn 3.000 nhân khẩu. " * 8 + "</p>"
db.execute("UPDATE articles SET status = 'published', published_at = updated_at, body = ? WHERE kind = 'page'", (text,))
site = db.execute("SELECT id FROM sites ORDER BY id LIMIT 1").fetchone()[0]
for n, (name, office) in enumerate([("Giàng A Pháo", "Bí thư Đảng ủy xã"), ("Lù Thị Mai", "Chủ tịch UBND xã")]):
    db.execute("INSERT INTO leaders (site_id, name, position, duties, sort, updated_at) VALUES (?, ?, ?, ?, ?, '2026-12-01T00:00:00Z')",
               (site, name, office, "Phụ trách chung, lãnh đạo toàn diện các mặt công tác.", n))
db.execute("INSERT INTO units (site_id, name, duties, phone, sort, updated_at) VALUES (?, 'Văn phòng HĐND và UBND', 'Tham mưu, tổng hợp.', '0214 3 796 123', 0, '2026-12-01T00:00:00Z')", (site,))
db.commit()
PY
BANTIN_LOG=warn "$bin" --data-dir "$work/data" serve --listen "127.0.0.1:$port" --site-name "UBND xã Nậm Xe" >"$work/serve.log" 2>&1 &
server=$!
until curl -sf "$base/healthz" >/dev/null; do sleep 0.05; done

printf '%-28s %12s %14s %15s %6s\n' page performance accessibility best-practices SEO
for path in / "$article" /tin-tuc /chuyen-muc/tin-tuc /gioi-thieu /gioi-thieu/lanh-dao /gioi-thieu/co-cau-to-chuc \
    /lien-he /so-do "/tim-kiem?q=dai+doan+ket" /dang-nhap; do
    "$tools/node_modules/.bin/lighthouse" "$base$path" --quiet --output=json --output-path="$work/report.json" \
        --only-categories=performance,accessibility,best-practices,seo \
        --chrome-flags="--headless=new --no-sandbox --disable-gpu" >/dev/null 2>"$work/lighthouse.log" ||
        { cat "$work/lighthouse.log"; exit 1; }
    python3 - "$work/report.json" "$path" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
c = report["categories"]
score = lambda k: round(c[k]["score"] * 100)
path = sys.argv[2] if len(sys.argv[2]) <= 28 else sys.argv[2][:25] + "…"
print(f"{path:<28} {score('performance'):>12} {score('accessibility'):>14} {score('best-practices'):>15} {score('seo'):>6}")
for k, cat in c.items():
    for ref in cat["auditRefs"]:
        a = report["audits"][ref["id"]]
        if ref.get("weight", 0) > 0 and a.get("score") is not None and a["score"] < 1:
            print(f"    {k}: {a['id']} ({a['score']}) {a['title']}")
PY
done
