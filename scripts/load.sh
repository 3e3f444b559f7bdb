#!/usr/bin/env bash
# make load: a dedicated gunicorn on LOAD_PORT (API throttle off) against the local database
# with the demo data, then two headless locust runs, each bounded by LOAD_SECONDS:
#   1. HIS order ingestion, LOAD_ORDER_USERS concurrent clients (default 16);
#   2. catalogue pulls, LOAD_PULL_USERS concurrent clients (default 8), repeated pulls 304.
# Orders written by the run stay in the local database (external_ref LOAD-…).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
BIN="$ROOT/.venv/bin"
PORT=${LOAD_PORT:-8090}
SECONDS_EACH=${LOAD_SECONDS:-30}
WORKERS=${LOAD_WEB_WORKERS:-4}
LOG="$ROOT/.local/log"; mkdir -p "$LOG"
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-procurement.settings.dev}
export API_THROTTLE_RATE=100000000/min

"$BIN/gunicorn" procurement.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" --timeout 120 \
  --error-logfile "$LOG/load-web.log" --access-logfile /dev/null &
WEB=$!
trap 'kill $WEB 2>/dev/null; wait $WEB 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/accounts/login/" 2>/dev/null && break; sleep 0.3
done

run() {
  local cls=$1 users=$2
  echo "[load] $cls: $users clients for ${SECONDS_EACH}s against http://127.0.0.1:$PORT ($WORKERS gunicorn workers)"
  timeout $((SECONDS_EACH + 60)) "$BIN/locust" -f scripts/load/locustfile.py --headless --only-summary \
    -u "$users" -r "$users" -t "${SECONDS_EACH}s" --stop-timeout 10 --host "http://127.0.0.1:$PORT" \
    --loglevel WARNING "$cls" 2>&1 | sed -n '/=== make load figures ===/,/^failures:/p'
}
run HisOrderClient "${LOAD_ORDER_USERS:-16}"
run CataloguePuller "${LOAD_PULL_USERS:-8}"
