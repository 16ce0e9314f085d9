#!/usr/bin/env bash
# Intake through the JSON API on SQLite, 64 concurrent clients, measured with wrk (Debian's
# `wrk`; installed if missing and we are root). Release build.
#
# Four runs against a fresh database each, in one go so that they share the machine's state:
#   1. baseline-http   GET /healthz — the HTTP ceiling of this machine (no database);
#   2. baseline-1tx    POST /api/v1/requests with --write-batch 1: one transaction per request;
#   3. group-commit    POST /api/v1/requests with the default writer (batches up to 256);
#   4. geocoded        the same with the sample district loaded (--osm): every request is
#                      geocoded, given its zone and community, or sent to review, before storing.
# Then the stored count is checked against what wrk saw acknowledged.
#
# Usage: scripts/bench-intake.sh [DURATION_S=20] [CONNECTIONS=64]
# The bar (issue 2): >= 2,000 requests/s with p99 <= 50 ms on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION="${1:-20}"
CONNS="${2:-64}"
PORT="${BENCH_PORT:-18181}"

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y wrk >/dev/null; else
    echo "wrk is not installed: apt-get install wrk" >&2; exit 1; fi
fi
cargo build --release --quiet
BIN=target/release/doorstep
WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

start() { # start DB_NAME EXTRA_ARGS...
  local db="$WORK/$1.db"; shift
  # Every wrk connection comes from 127.0.0.1: lift the per-client filing limit explicitly.
  DOORSTEP_LOG=warn "$BIN" serve --db "$db" --listen "127.0.0.1:$PORT" --intake-rate 0 "$@" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1
}
stop() { kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""; }

summary() { # summary NAME WRK_OUTPUT_FILE STORED
  local rps p99 non2xx total
  rps=$(awk '/^Requests\/sec/ {print $2}' "$2")
  p99=$(awk '$1=="99%" {print $2}' "$2")
  non2xx=$(awk '/Non-2xx/ {print $NF}' "$2"); non2xx=${non2xx:-0}
  total=$(awk '/requests in/ {print $1}' "$2")
  printf '%-16s %10s req/s   p99 %8s   requests %8s   non-2xx %6s   stored %s\n' "$1" "$rps" "$p99" "$total" "$non2xx" "$3"
}

stored() {
  curl -sf "http://127.0.0.1:$PORT/api/v1/requests?limit=1" | sed -E 's/.*"total":([0-9]+).*/\1/'
}

echo "wrk -t2 -c$CONNS -d${DURATION}s on $(nproc) cores; $(date -u +%FT%TZ)"
start http
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/healthz" >"$WORK/http.txt"
stop

start onetx --write-batch 1
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s scripts/intake.lua "http://127.0.0.1:$PORT" >"$WORK/onetx.txt"
ONETX_STORED=$(stored); stop

start group
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s scripts/intake.lua "http://127.0.0.1:$PORT" >"$WORK/group.txt"
GROUP_STORED=$(stored); stop

start geo --osm data/sample-district.osm.pbf --cache-dir "$WORK/cache"
wrk -t2 -c"$CONNS" -d"${DURATION}s" --latency -s scripts/intake.lua "http://127.0.0.1:$PORT" >"$WORK/geo.txt"
GEO_STORED=$(stored)
GEO_LOCATED=$(curl -sf "http://127.0.0.1:$PORT/api/v1/requests?status=new&limit=1" | sed -E 's/.*"total":([0-9]+).*/\1/')
stop

echo
summary baseline-http "$WORK/http.txt" "-"
summary baseline-1tx "$WORK/onetx.txt" "$ONETX_STORED"
summary group-commit "$WORK/group.txt" "$GROUP_STORED"
summary geocoded "$WORK/geo.txt" "$GEO_STORED"
echo "geocoded: $GEO_LOCATED of $GEO_STORED stored requests located with confidence (status new), the rest in review"
echo
echo "--- wrk output, group-commit ---"
cat "$WORK/group.txt"
echo "--- wrk output, geocoded ---"
cat "$WORK/geo.txt"
