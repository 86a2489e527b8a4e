#!/usr/bin/env bash
# Search latency (p50/p99) over 100,000 generated articles, on SQLite and on
# PostgreSQL (127.0.0.1:5432, user postgres). Usage: bench/search.sh [articles] [queries]
set -euo pipefail
cd "$(dirname "$0")/.."
articles=${1:-100000}
queries=${2:-500}
cargo build --release --quiet --example search_bench
bin=target/release/examples/search_bench
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS bantin_bench" >/dev/null 2>&1 || true' EXIT
"$bin" "sqlite://$work/bench.db" "$articles" "$queries"
psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS bantin_bench' -c 'CREATE DATABASE bantin_bench'
"$bin" "postgres://postgres@127.0.0.1:5432/bantin_bench" "$articles" "$queries"
