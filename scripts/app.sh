#!/usr/bin/env bash
# Start / stop the platform's own processes: web (gunicorn), Celery worker, Celery beat.
# Each writes a pid file under .local/run so `make stop` stops exactly what it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
RUN="$ROOT/.local/run"; LOG="$ROOT/.local/log"
mkdir -p "$RUN" "$LOG"
PY="$ROOT/.venv/bin"
PORT=${PORT:-8000}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-procurement.settings.dev}

alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

stop_one() {
  local name=$1 pidf="$RUN/$1.pid"
  if alive "$pidf"; then
    kill "$(cat "$pidf")"
    for _ in $(seq 1 100); do alive "$pidf" || break; sleep 0.1; done
    alive "$pidf" && kill -9 "$(cat "$pidf")" || true
    echo "[app] $name stopped"
  fi
  rm -f "$pidf"
}

start() {
  stop_one web; stop_one worker; stop_one beat
  "$PY/gunicorn" procurement.wsgi:application --bind "127.0.0.1:$PORT" --workers 3 --timeout 120 \
    --pid "$RUN/web.pid" --daemon --access-logfile "$LOG/web-access.log" --error-logfile "$LOG/web.log"
  "$PY/celery" -A procurement worker --loglevel=INFO --concurrency=2 --hostname "worker@%h" \
    --detach --pidfile "$RUN/worker.pid" --logfile "$LOG/worker.log"
  "$PY/celery" -A procurement beat --loglevel=INFO \
    --scheduler django_celery_beat.schedulers:DatabaseScheduler \
    --detach --pidfile "$RUN/beat.pid" --logfile "$LOG/beat.log"
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.3
  done
  echo "[app] web, worker and beat started (logs in .local/log)"
}

case "${1:-}" in
  start) start ;;
  stop) stop_one beat; stop_one worker; stop_one web ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
