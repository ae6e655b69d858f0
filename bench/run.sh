#!/usr/bin/env bash
# Runs every benchmark in one go on this machine and prints one markdown table (operation, ours,
# reference, ratio) with the machine and durability lines, ready to paste into the README:
#   (a) omni-bench: create/retrieve/query through the partner SOAP endpoint next to the same
#       statements issued straight from libpqxx on the same embedded cluster;
#   (b) omni-routing-bench: queue-based routing with 1,000 agents online and 10,000 Cases
#       queued (pushes/s, create-to-AgentWork latency) next to the same writes through libpqxx,
#       printed as a second table;
#   (c) wrk -t2 -c8: single-record create requests/s of our server next to WireMock answering a
#       canned createResponse, the same client and the same Lua script against both;
#   (d) omni-idle-bench: create latency on a fresh connection while 1,000 idle keep-alive
#       connections are open (bounded: a server that cannot answer is reported "not served");
#   (e) omni-streaming-bench: the Streaming API (a change to its event at a CometD client,
#       events/s to 100 subscribers, a SOAP create while 1,000 subscribers are parked) next to
#       PostgreSQL's LISTEN/NOTIFY driven from libpqxx, printed as its own table.
# Only loopback traffic; (a), (c) and (d) take about two minutes, (b) five to ten; all bounded by
# timeouts.
#
#   bench/run.sh [omni-bench options: --clients N] [--iterations N]
#
# Environment: OMNI_BENCH_PORT (default 18090) is our server's port, the next one WireMock's;
# OMNI_BENCH_SECONDS (default 10) is the length of each measured wrk run; OMNI_BENCH_SERVER_ARGS
# are extra `omni-emulator serve` options (e.g. a durability setting: the libpqxx reference runs
# on the same cluster, so it always shares the server's); OMNI_BENCH_PARTS (default
# "soap wrk idle routing streaming") picks the parts to run; OMNI_ROUTING_BENCH_ARGS are
# omni-routing-bench options (--agents 1000 --queued 10000 --capacity 2 --clients 4 --samples 500
# ...), OMNI_STREAMING_BENCH_ARGS omni-streaming-bench's (--samples 300 --events 1000 --fanout 100
# --subscribers 1000 --clients 4).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

port=${OMNI_BENCH_PORT:-18090}
wm_port=$((port + 1))
wrk_seconds=${OMNI_BENCH_SECONDS:-10}
idle_conns=1000
idle_label=$(sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$idle_conns")
parts=" ${OMNI_BENCH_PARTS:-soap wrk idle routing streaming} "
want() { [[ "$parts" == *" $1 "* ]]; }

log() { echo "bench: $*" >&2; }

# --- Install what the benchmark needs (idempotent) -------------------------------------------
scripts/setup.sh >/dev/null
missing=()
if want wrk || want idle; then
  command -v wrk >/dev/null 2>&1 || missing+=(wrk)
  command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
fi
if ((${#missing[@]} > 0)); then
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  log "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
fi
# WireMock comes from npm (the package bundles the standalone jar); reinstalled only when the
# lockfile changed since the last install.
if want wrk || want idle; then
  stamp_file=bench/wiremock/node_modules/.omni-bench-stamp
  stamp="$(cat bench/wiremock/package.json bench/wiremock/package-lock.json | sha256sum)"
  if [[ ! -f "$stamp_file" || "$(cat "$stamp_file")" != "$stamp" ]]; then
    log "npm ci in bench/wiremock"
    (cd bench/wiremock && npm ci --no-audit --no-fund >/dev/null)
    echo "$stamp" >"$stamp_file"
  fi
  jar=$(ls bench/wiremock/node_modules/wiremock/build/wiremock-standalone-*.jar | head -n1)
fi

# 1,000 idle connections plus the server's own descriptors.
if (($(ulimit -n) < 4096)); then ulimit -n 4096 2>/dev/null || ulimit -n "$(ulimit -Hn)"; fi

# --- Start our server and WireMock, both on loopback only --------------------------------------
work=build/bench-run  # (build/bench is CMake's own directory for bench/)
rm -rf "$work"
mkdir -p "$work"
server_pid="" wm_pid=""
cleanup() {
  local pid
  for pid in $wm_pid $server_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
trap cleanup EXIT

for p in "$port" "$wm_port"; do
  if curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$p/"; then
    log "port $p already answers: set OMNI_BENCH_PORT to a free pair of ports"
    exit 1
  fi
done
build/omni-emulator serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" \
  ${OMNI_BENCH_SERVER_ARGS:-} >"$work/server.log" 2>&1 &
server_pid=$!
if want wrk || want idle; then
  java -jar "$jar" --bind-address 127.0.0.1 --port "$wm_port" --root-dir bench/wiremock \
    --no-request-journal --disable-banner >"$work/wiremock.log" 2>&1 &
  wm_pid=$!
fi

wait_for() {  # URL NAME LOG: up to 60 s
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    sleep 0.5
  done
  log "$2 did not come up; its log:"
  tail -n 20 "$3" >&2
  exit 1
}
wait_for "http://127.0.0.1:$port/_emulator/health" "omni-emulator" "$work/server.log"
if [[ -n "$wm_pid" ]]; then
  wait_for "http://127.0.0.1:$wm_port/__admin/health" "WireMock" "$work/wiremock.log"
fi
db=$(sed -n 's/.*embedded PostgreSQL at \(.*\)$/\1/p' "$work/server.log")

rows="$work/rows.md"
: >"$rows"
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"; }
ratio() {  # OURS REFERENCE: "—" when either was not measured
  if [[ -z "$1" || "$1" == "-" || -z "$2" || "$2" == "-" ]]; then
    echo "—"
  else
    awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "—" }'
  fi
}

# --- (a) SOAP vs libpqxx ----------------------------------------------------------------------
if want soap; then
  log "omni-bench (SOAP vs libpqxx)"
  timeout 240 build/omni-bench --url "http://127.0.0.1:$port" --database-url "$db" "$@" >>"$rows"
fi

# --- (b) queue-based routing: 1,000 agents online, 10,000 Cases queued --------------------------
# Before wrk's load and the 1,000 idle connections of (d), which leave the transport busy for a
# while. Its own table, printed below the first.
routing_rows="$work/routing.md"
: >"$routing_rows"
if want routing; then
  log "omni-routing-bench (queue-based routing vs libpqxx; 5-10 minutes)"
  # shellcheck disable=SC2086
  timeout 900 build/omni-routing-bench --url "http://127.0.0.1:$port" --database-url "$db" \
    ${OMNI_ROUTING_BENCH_ARGS:-} >"$routing_rows"
fi

# --- (e) the Streaming API -----------------------------------------------------------------------
streaming_rows="$work/streaming.md"
: >"$streaming_rows"
if want streaming; then
  log "omni-streaming-bench (CometD delivery vs libpqxx LISTEN/NOTIFY; 2-4 minutes)"
  # shellcheck disable=SC2086
  timeout 600 build/omni-streaming-bench --url "http://127.0.0.1:$port" --database-url "$db" \
    ${OMNI_STREAMING_BENCH_ARGS:-} >"$streaming_rows"
fi

# --- The admin session for (c) and (d) ---------------------------------------------------------
login=$(curl -fsS --max-time 10 -H 'Content-Type: text/xml; charset=utf-8' -H 'SOAPAction: ""' \
  --data '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:p="urn:partner.soap.sforce.com"><soapenv:Body><p:login><p:username>admin@omni.local</p:username><p:password>password</p:password></p:login></soapenv:Body></soapenv:Envelope>' \
  "http://127.0.0.1:$port/services/Soap/u/44.0")
session=$(grep -o 'sessionId>[^<]*<' <<<"$login" | head -n1 | sed 's/^sessionId>//; s/<$//')
[[ -n "$session" ]] || { log "login failed: $login"; exit 1; }
export OMNI_SESSION="$session"

# --- (c) wrk: our create vs WireMock's canned createResponse -----------------------------------
if want wrk; then
  run_wrk() {  # URL SECONDS: prints the script's omni-wrk summary line
    OMNI_RUN="$(date +%s%N)" timeout $(($2 + 30)) wrk -t2 -c8 -d"${2}s" --timeout 5s \
      -s bench/wrk_create.lua "$1" | grep '^omni-wrk:'
  }
  log "wrk against our server and WireMock (warm-up 3 s each, then ${wrk_seconds} s each)"
  run_wrk "http://127.0.0.1:$port" 3 >/dev/null
  run_wrk "http://127.0.0.1:$wm_port" 3 >/dev/null
  ours_wrk=$(run_wrk "http://127.0.0.1:$port" "$wrk_seconds")
  wm_wrk=$(run_wrk "http://127.0.0.1:$wm_port" "$wrk_seconds")
  wrk_cell() {  # SUMMARY KEY UNIT
    local failed
    failed=$(field "$1" failed)
    if [[ "$failed" != 0 ]]; then
      echo "$(field "$1" "$2") $3 ($failed of $(field "$1" requests) failed)"
    else
      echo "$(field "$1" "$2") $3"
    fi
  }
  echo "| create, 1 record/call, wrk -t2 -c8 | $(wrk_cell "$ours_wrk" rate req/s) |" \
    "$(wrk_cell "$wm_wrk" rate req/s) (WireMock canned) |" \
    "$(ratio "$(field "$ours_wrk" rate)" "$(field "$wm_wrk" rate)") |" >>"$rows"
  echo "| create p99 latency, wrk -t2 -c8 | $(field "$ours_wrk" p99_ms) ms |" \
    "$(field "$wm_wrk" p99_ms) ms (WireMock canned) |" \
    "$(ratio "$(field "$ours_wrk" p99_ms)" "$(field "$wm_wrk" p99_ms)") |" >>"$rows"
fi

# --- (d) create latency beside 1,000 idle keep-alive connections -------------------------------
# WireMock first and ours with idle connections last: today's transport holds a worker per
# connection, so those 1,000 connections leave it busy for a while after they close.
wm_idle="" ours_idle=""
if want idle; then
  log "create latency beside $idle_conns idle keep-alive connections (bounded; ~25 s if not served)"
  idle_bench() { timeout 90 build/omni-idle-bench --port "$1" --idle "$2" --requests 200 \
    --timeout-ms 2000 "${@:3}" | grep '^omni-idle:'; }
  wm_idle=$(idle_bench "$wm_port" "$idle_conns" --label wiremock)
  base_idle=$(idle_bench "$port" 0 --session "$session" --label ours-no-idle)
  ours_idle=$(idle_bench "$port" "$idle_conns" --session "$session" --label ours)
  idle_cell() {  # SUMMARY KEY
    if [[ "$(field "$1" p50_ms)" == "-" ]]; then
      echo "not served ($(field "$1" served)/$(field "$1" requests) answered within 2 s)"
    else
      echo "$(field "$1" "$2") ms"
    fi
  }
  for q in p50 p99; do
    echo "| create $q latency beside $idle_label idle conns (ref: ours, no idle conns) |" \
      "$(idle_cell "$ours_idle" ${q}_ms) | $(idle_cell "$base_idle" ${q}_ms) |" \
      "$(ratio "$(field "$ours_idle" ${q}_ms)" "$(field "$base_idle" ${q}_ms)") |" >>"$rows"
  done
  for q in p50 p99; do
    echo "| create $q latency beside $idle_label idle conns (ref: WireMock canned, same idle) |" \
      "$(idle_cell "$ours_idle" ${q}_ms) | $(idle_cell "$wm_idle" ${q}_ms) |" \
      "$(ratio "$(field "$ours_idle" ${q}_ms)" "$(field "$wm_idle" ${q}_ms)") |" >>"$rows"
  done
fi

# --- The table ---------------------------------------------------------------------------------
durability=$(psql -X -At "$db" -c "SELECT 'fsync=' || current_setting('fsync') || ', synchronous_commit=' || current_setting('synchronous_commit')" 2>/dev/null || echo unknown)
echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs);" \
  "PostgreSQL $(psql -X -At "$db" -c 'SHOW server_version' 2>/dev/null | cut -d' ' -f1)" \
  "(embedded, $durability, shared by server and libpqxx reference); $(date -u +%Y-%m-%d)"
echo
if [[ -s "$rows" ]]; then
  echo "| operation | ours | reference | ratio (ours ÷ reference) |"
  echo "| --- | --- | --- | --- |"
  cat "$rows"
  echo
fi
if [[ -s "$routing_rows" ]]; then
  cat "$routing_rows"
  echo
fi
if [[ -s "$streaming_rows" ]]; then
  echo "| Streaming API | ours | reference | ratio (ours ÷ reference) |"
  echo "| --- | --- | --- | --- |"
  cat "$streaming_rows"
  echo
fi
echo "Rates: a ratio under 1 means ours is slower; latencies: over 1 means ours is slower."
for s in "$wm_idle" "$ours_idle"; do
  [[ -n "$s" ]] || continue
  echo "idle run $(field "$s" label): $(field "$s" idle_open) of $(field "$s" idle) idle connections" \
    "connected, $(field "$s" idle_answered) answered their first create; $(field "$s" served) of" \
    "$(field "$s" requests) measured creates served"
done
