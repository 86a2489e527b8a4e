#!/usr/bin/env bash
# The documents library: list with two filters, the number search and word
# search over 20,000 generated documents (each with a file's text), on
# SQLite and on PostgreSQL (127.0.0.1:5432, user postgres); p50/p99.
# Usage: bench/documents.sh [documents] [queries]
set -euo pipefail
cd "$(dirname "$0")/.."
documents=${1:-20000}
queries=${2:-300}
cargo build --release --quiet --example documents_bench
bin=${CARGO_TARGET_DIR:-target}/release/examples/documents_bench
work=$(mktemp -d)
trap 'rm -rf "$work"; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS bantin_bench_docs" >/dev/null 2>&1 || true' EXIT
"$bin" "sqlite://$work/bench.db" "$documents" "$queries"
psql -q -h 127.0.0.1 -U postgres -d postgres -c 'DROP DATABASE IF EXISTS bantin_bench_docs' -c 'CREATE DATABASE bantin_bench_docs'
"$bin" "postgres://postgres@127.0.0.1:5432/bantin_bench_docs" "$documents" "$queries"
