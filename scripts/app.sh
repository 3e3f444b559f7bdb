#!/usr/bin/env bash
# Start / stop the platform's own processes: web (gunicorn), Celery worker and Celery beat,
# supervised by supervisord (scripts/supervisord.conf): a process that dies is restarted,
# and every process logs to files under .local/log.
#   scripts/app.sh start|stop|status|restart [web|worker|beat]
# APP_RUN / APP_LOG move the socket, pid and log files (tests run a second instance).
set -euo pipefail
cd "$(dirname "$0")/.."
export APP_ROOT=$(pwd)
export APP_RUN=${APP_RUN:-$APP_ROOT/.local/run}
export APP_LOG=${APP_LOG:-$APP_ROOT/.local/log}
export PORT=${PORT:-8000}
export WEB_WORKERS=${WEB_WORKERS:-3}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-procurement.settings.dev}
# Django's own log file (request ids, tracebacks) next to the others (procurement/settings/base.py).
export DJANGO_LOG_DIR=${DJANGO_LOG_DIR:-$APP_LOG}
# `make run WITH_REPLICA=1`: reports read from the local streaming replica (issue 18).
if [ "${WITH_REPLICA:-0}" = 1 ] && [ -z "${DATABASE_REPLICA_URL:-}" ]; then
  export DATABASE_REPLICA_URL="postgres://procurement:procurement@127.0.0.1:${PG_REPLICA_PORT:-$(( ${PG_PORT:-55432} + 100 ))}/procurement"
fi
mkdir -p "$APP_RUN" "$APP_LOG"
BIN="$APP_ROOT/.venv/bin"
CONF="$APP_ROOT/scripts/supervisord.conf"
ctl() { "$BIN/supervisorctl" -c "$CONF" "$@"; }

running() { [ -S "$APP_RUN/supervisor.sock" ] && ctl pid >/dev/null 2>&1; }

stop_legacy() {
  # pid files of the daemons started by earlier versions of this script
  for name in web worker beat; do
    local pidf="$APP_RUN/$name.pid"
    if [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then kill "$(cat "$pidf")" || true; fi
    rm -f "$pidf"
  done
}

start() {
  stop_legacy
  if running; then
    ctl restart all >/dev/null
  else
    "$BIN/supervisord" -c "$CONF"
  fi
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break; sleep 0.3
  done
  ctl status || true
  echo "[app] web, worker and beat supervised by supervisord (logs in ${APP_LOG#"$APP_ROOT"/})"
}

stop() {
  if running; then
    ctl shutdown >/dev/null
    for _ in $(seq 1 200); do running || break; sleep 0.3; done
    echo "[app] web, worker and beat stopped"
  fi
  stop_legacy
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) ctl status ;;
  restart) shift; ctl restart "${@:-all}" ;;
  *) echo "usage: $0 start|stop|status|restart [web|worker|beat]" >&2; exit 2 ;;
esac
