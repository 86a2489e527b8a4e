#!/usr/bin/env bash
# Checks deploy/nginx/bantin.conf for real: `nginx -t` on it (with a
# throwaway self-signed certificate and high ports), then serves bantin
# through it on loopback and checks that visitors are still counted per real
# client: three clients (127.0.0.2-4) through nginx count as three, and a
# forged X-Forwarded-For does not add a fourth.
# Usage: deploy/check-nginx.sh [path/to/bantin]   (CI runs it from .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-${CARGO_TARGET_DIR:-target}/debug/bantin}
need=()
command -v nginx >/dev/null || need+=(nginx)
command -v openssl >/dev/null || need+=(openssl)
command -v curl >/dev/null || need+=(curl)
if ((${#need[@]})); then
    dpkg --configure -a >/dev/null 2>&1 || true
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
[[ -x $bin ]] || cargo build --quiet --bin bantin
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

work=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    [[ -f $work/nginx.pid ]] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
app_port=$(free_port); http_port=$(free_port); https_port=$(free_port)
host=xa.example.gov.vn

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=$host" \
    -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

# The example as shipped, with test ports, certificate and loopback only.
sed -e "s|/etc/letsencrypt/live/$host/fullchain.pem|$work/cert.pem|" \
    -e "s|/etc/letsencrypt/live/$host/privkey.pem|$work/key.pem|" \
    -e "s|127.0.0.1:8080|127.0.0.1:$app_port|" \
    -e "s|listen 80;|listen 127.0.0.1:$http_port;|" \
    -e "s|listen 443 ssl http2;|listen 127.0.0.1:$https_port ssl http2;|" \
    -e '/listen \[::\]/d' \
    deploy/nginx/bantin.conf >"$work/bantin.conf"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $work/body;
    proxy_temp_path $work/proxy;
    fastcgi_temp_path $work/fastcgi;
    uwsgi_temp_path $work/uwsgi;
    scgi_temp_path $work/scgi;
    include $work/bantin.conf;
}
CONF
if [[ $(id -u) == 0 ]]; then sed -i '1i user root;' "$work/nginx.conf"; fi
"$NGINX" -t -c "$work/nginx.conf" -p "$work" 2>&1 | sed 's/^/nginx -t: /'

"$bin" --data-dir "$work/data" import-text examples/tin-mau.txt >/dev/null
BANTIN_LOG=warn "$bin" --data-dir "$work/data" serve --listen "127.0.0.1:$app_port" \
    --trusted-proxy 127.0.0.1 --public-url "https://$host" --stats-flush-ms 100 &
pids+=($!)
"$NGINX" -c "$work/nginx.conf" -p "$work"
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$app_port/healthz" >/dev/null && break; sleep 0.1; done

through_nginx() { # from-address, extra curl args...
    local from=$1; shift
    curl -sk --interface "$from" --resolve "$host:$https_port:127.0.0.1" \
        -A 'Mozilla/5.0 (Linux; Android 13; SM-A145F) AppleWebKit/537.36 Chrome/124.0 Mobile Safari/537.36' \
        "$@"
}
code=$(through_nginx 127.0.0.2 -o /dev/null -w '%{http_code}' "https://$host:$https_port/")
[[ $code == 200 ]] || { echo "home page through nginx: HTTP $code"; cat "$work/error.log"; exit 1; }
through_nginx 127.0.0.3 -o /dev/null "https://$host:$https_port/"
through_nginx 127.0.0.4 -o /dev/null "https://$host:$https_port/tin-tuc"
# A client claiming to be someone else is still itself (127.0.0.4).
through_nginx 127.0.0.4 -o /dev/null -H 'X-Forwarded-For: 198.51.100.7' "https://$host:$https_port/"
redirect=$(curl -s -o /dev/null -w '%{http_code}' --resolve "$host:$http_port:127.0.0.1" "http://$host:$http_port/")
[[ $redirect == 301 ]] || { echo "http should redirect to https, got $redirect"; exit 1; }
metrics=$(through_nginx 127.0.0.2 -o /dev/null -w '%{http_code}' "https://$host:$https_port/metrics")
[[ $metrics == 404 ]] || { echo "/metrics must not be reachable through nginx (got $metrics)"; exit 1; }
sleep 0.3
stats=$(through_nginx 127.0.0.2 "https://$host:$https_port/api/v1/stats")
today=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["today"])' "$stats")
if [[ $today != 3 ]]; then
    echo "expected 3 visitors today through nginx, got $today ($stats)"
    exit 1
fi
hsts=$(through_nginx 127.0.0.2 -D - -o /dev/null "https://$host:$https_port/" | grep -ci '^strict-transport-security' || true)
[[ $hsts -ge 1 ]] || { echo "HSTS header missing behind https"; exit 1; }
echo "nginx example: nginx -t ok; served over TLS; 3 clients counted as 3 (forged X-Forwarded-For ignored); /metrics hidden; HSTS sent"
