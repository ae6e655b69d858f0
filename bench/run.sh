#!/usr/bin/env bash
# Runs the SOAP-vs-libpqxx benchmark: starts omni-emulator on a fresh embedded PostgreSQL, then
# omni-bench against both the partner endpoint and that same database, and prints ratios.
#   bench/run.sh [--clients N] [--iterations N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/setup.sh >/dev/null
port=${OMNI_BENCH_PORT:-18090}
data=build/bench-data
rm -rf "$data"
log=build/bench-server.log
build/omni-emulator serve --port "$port" --data-dir "$data" --workers 8 >"$log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 120); do
  curl -fsS "http://localhost:$port/_emulator/health" >/dev/null 2>&1 && break
  sleep 0.5
done
db=$(sed -n 's/.*embedded PostgreSQL at \(.*\)$/\1/p' "$log")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
build/omni-bench --url "http://localhost:$port" --database-url "$db" "$@"
