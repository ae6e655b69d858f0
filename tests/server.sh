#!/usr/bin/env bash
# Starts or stops the omni-emulator that the integration tests talk to: a real server on its
# embedded PostgreSQL, in a fresh data dir under the build tree.
#   tests/server.sh start BUILD_DIR [PORT]   -> waits until /_emulator/health answers 200
#   tests/server.sh stop BUILD_DIR
set -euo pipefail
cmd=$1
build=$(cd "$2" && pwd)
port=${3:-${OMNI_TEST_PORT:-18044}}
data="$build/test-data"
pidfile="$build/test-server.pid"
log="$build/test-server.log"
case "$cmd" in
  start)
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill -TERM "$(cat "$pidfile")" || true
      sleep 2
    fi
    rm -rf "$data"
    "$build/omni-emulator" serve --port "$port" --data-dir "$data" --workers 8 >"$log" 2>&1 &
    echo $! >"$pidfile"
    for _ in $(seq 1 120); do
      if curl -fsS "http://localhost:$port/_emulator/health" >/dev/null 2>&1; then
        echo "omni-emulator up on port $port (pid $(cat "$pidfile"))"
        exit 0
      fi
      if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        echo "omni-emulator exited during start-up:"; cat "$log"; exit 1
      fi
      sleep 0.5
    done
    echo "omni-emulator did not become healthy in 60 s:"; cat "$log"; exit 1
    ;;
  stop)
    if [ -f "$pidfile" ]; then
      pid=$(cat "$pidfile")
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
      kill -KILL "$pid" 2>/dev/null || true
      rm -f "$pidfile"
    fi
    echo "omni-emulator stopped"
    ;;
  *) echo "usage: $0 start|stop BUILD_DIR [PORT]" >&2; exit 2 ;;
esac
