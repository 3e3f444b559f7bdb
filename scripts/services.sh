#!/usr/bin/env bash
# Project-local PostgreSQL and Redis for development and tests.
# Data, sockets, logs and pid files live under .local/ (git-ignored); both
# servers listen on loopback only. DATABASE_URL / REDIS_URL in the environment
# mean "use that external server" and the local one is neither started nor stopped.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOCAL="$ROOT/.local"
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
PGDATA="$LOCAL/pg/data"
PGRUN="$LOCAL/pg/run"
# A streaming replica of the local primary for reports (issue 18): `replica-up` / `replica-down`.
PG_REPLICA_PORT=${PG_REPLICA_PORT:-$((PG_PORT + 100))}
REPLICA_DIR="$LOCAL/pg-replica"

log() { printf '[services] %s\n' "$*"; }

pg_bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && echo "$d" && return 0
  return 1
}

apt_install() {
  local pkgs=("$@")
  [ ${#pkgs[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  log "installing Debian packages: ${pkgs[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
}

deps() {
  local need=()
  if [ -z "${DATABASE_URL:-}" ] && ! pg_bindir >/dev/null; then need+=(postgresql); fi
  command -v psql >/dev/null || need+=(postgresql-client)
  if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null; then need+=(redis-server); fi
  command -v msgfmt >/dev/null || need+=(gettext)
  # Printable documents (PDF, WeasyPrint) need Pango and a CJK font on the server itself.
  ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so' || need+=(libpango-1.0-0 libpangoft2-1.0-0)
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
  if [ "${WITH_BROWSER:-0}" = 1 ]; then
    [ -x /usr/bin/chromium ] || need+=(chromium)
  fi
  apt_install "${need[@]}"
}

as_pg() {
  # PostgreSQL refuses to run as root; use the postgres system account then.
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_up() {
  [ -n "${DATABASE_URL:-}" ] && { log "DATABASE_URL set: using the external PostgreSQL"; return 0; }
  local bin; bin=$(pg_bindir)
  mkdir -p "$LOCAL/pg" "$PGRUN" "$LOCAL/log"
  # Recursive only before the first start: a running server recycles WAL files under us.
  if [ "$(id -u)" -eq 0 ] && [ ! -s "$PGDATA/postmaster.pid" ]; then chown -R postgres:postgres "$LOCAL/pg"; fi
  if [ ! -s "$PGDATA/PG_VERSION" ]; then
    log "initdb $PGDATA"
    as_pg "$bin/initdb" -D "$PGDATA" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    cat >> "$PGDATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PGRUN'
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 512MB
work_mem = 64MB
maintenance_work_mem = 256MB
max_connections = 200
CONF
  fi
  if as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    log "PostgreSQL already running on 127.0.0.1:$PG_PORT"
  else
    as_pg "$bin/pg_ctl" -D "$PGDATA" -l "$LOCAL/pg/server.log" -w -t 60 start >/dev/null
    log "PostgreSQL started on 127.0.0.1:$PG_PORT"
  fi
  local psql=("$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='procurement'")" != 1 ]; then
    "${psql[@]}" -c "create role procurement login superuser password 'procurement'"
  fi
  if [ "$("${psql[@]}" -c "select 1 from pg_database where datname='procurement'")" != 1 ]; then
    "${psql[@]}" -c "create database procurement owner procurement"
  fi
}

pg_down() {
  [ -n "${DATABASE_URL:-}" ] && return 0
  local bin; bin=$(pg_bindir) || return 0
  if [ -s "$PGDATA/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null && log "PostgreSQL stopped"
  fi
}

replica_streaming() {
  # The standby's WAL receiver says "streaming" once it follows the primary; poll a few seconds.
  local bin=$1 i
  for i in $(seq 1 20); do
    [ "$("$bin/psql" -h 127.0.0.1 -p "$PG_REPLICA_PORT" -U postgres -qtA \
        -c "select status from pg_stat_wal_receiver" 2>/dev/null)" = streaming ] && return 0
    sleep 1
  done
  return 1
}

replica_up() {
  [ -n "${DATABASE_URL:-}" ] && { log "DATABASE_URL set: no local replica"; return 0; }
  local bin; bin=$(pg_bindir)
  replica_start "$bin"
  replica_streaming "$bin" && return 0
  # A standby left stopped while the primary wrote a lot (benchmarks) needs WAL the primary has
  # already recycled and can never catch up; no replication slot on purpose (a slot would keep
  # that WAL and fill the disk instead). A replica holds no data of its own: take a new copy.
  log "replica is not streaming (behind recycled WAL?): rebuilding it from the primary"
  replica_down
  rm -rf "$REPLICA_DIR/data"
  replica_start "$bin"
  replica_streaming "$bin" || { log "replica does not stream: see $REPLICA_DIR/server.log"; return 1; }
}

replica_start() {
  local bin=$1
  mkdir -p "$REPLICA_DIR/run"
  # Not recursive: pg_basebackup and the server (as postgres) own everything inside, and a
  # recursive chown of a running standby races its WAL recycling (a vanished file = exit 1).
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$REPLICA_DIR" "$REPLICA_DIR/run"; fi
  if [ ! -s "$REPLICA_DIR/data/PG_VERSION" ]; then
    # pg_basebackup copies the whole cluster, the benchmark databases too (`make bench`:
    # ~9 GB at scale 1, ~28 GB at scale 3): refuse rather than fill the disk.
    local used need free
    used=$(as_pg du -sk "$PGDATA" 2>/dev/null | cut -f1)
    need=$(( ${used:-0} + 1048576 ))
    free=$(df -Pk "$LOCAL" | awk 'NR == 2 {print $4}')
    if [ "$need" -gt "${free:-0}" ]; then
      log "not enough disk for a replica: it needs $((need / 1048576)) GB (the primary's data + 1 GB), $((free / 1048576)) GB are free."
      log "drop the benchmark databases (psql -p $PG_PORT -c 'DROP DATABASE procurement_bench…') or free space"
      return 1
    fi
    log "pg_basebackup → $REPLICA_DIR/data (streaming standby of 127.0.0.1:$PG_PORT)"
    # -R writes standby.signal and primary_conninfo; -X stream copies the WAL it needs.
    as_pg "$bin/pg_basebackup" -h 127.0.0.1 -p "$PG_PORT" -U postgres -D "$REPLICA_DIR/data" -R -X stream -c fast
  fi
  if as_pg "$bin/pg_ctl" -D "$REPLICA_DIR/data" status >/dev/null 2>&1; then
    log "replica already running on 127.0.0.1:$PG_REPLICA_PORT"; return 0
  fi
  # The copied postgresql.conf names the primary's port and socket directory: override both.
  as_pg "$bin/pg_ctl" -D "$REPLICA_DIR/data" -l "$REPLICA_DIR/server.log" -w -t 60 \
    -o "-p $PG_REPLICA_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$REPLICA_DIR/run -c hot_standby=on" \
    start >/dev/null
  log "replica started on 127.0.0.1:$PG_REPLICA_PORT (streaming from $PG_PORT)"
}

replica_down() {
  local bin; bin=$(pg_bindir) || return 0
  if [ -s "$REPLICA_DIR/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$REPLICA_DIR/data" status >/dev/null 2>&1; then
    as_pg "$bin/pg_ctl" -D "$REPLICA_DIR/data" -m fast -w stop >/dev/null && log "replica stopped"
  fi
}

redis_up() {
  [ -n "${REDIS_URL:-}" ] && { log "REDIS_URL set: using the external Redis"; return 0; }
  mkdir -p "$LOCAL/redis" "$LOCAL/run" "$LOCAL/log"
  if [ -s "$LOCAL/run/redis.pid" ] && kill -0 "$(cat "$LOCAL/run/redis.pid")" 2>/dev/null \
      && redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    log "Redis already running on 127.0.0.1:$REDIS_PORT"; return 0
  fi
  rm -f "$LOCAL/run/redis.pid"  # stale: a Redis that crashed or was killed
  # Append-only file, fsync every second: a task queued just before a Redis restart (a
  # monthly job, an import) is still queued after it. No RDB snapshots: the AOF is enough.
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
    --pidfile "$LOCAL/run/redis.pid" --dir "$LOCAL/redis" \
    --logfile "$LOCAL/log/redis.log" --save "" --appendonly yes --appendfsync everysec \
    --maxmemory-policy noeviction >/dev/null
  for _ in $(seq 1 50); do
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  log "Redis started on 127.0.0.1:$REDIS_PORT"
}

redis_down() {
  [ -n "${REDIS_URL:-}" ] && return 0
  if [ -s "$LOCAL/run/redis.pid" ] && kill -0 "$(cat "$LOCAL/run/redis.pid")" 2>/dev/null; then
    kill "$(cat "$LOCAL/run/redis.pid")"; rm -f "$LOCAL/run/redis.pid"; log "Redis stopped"
  fi
}

case "${1:-}" in
  deps) deps ;;
  up) pg_up; redis_up; if [ "${WITH_REPLICA:-0}" = 1 ]; then replica_up; fi ;;
  down) redis_down; replica_down; pg_down ;;
  replica-up) replica_up ;;
  replica-down) replica_down ;;
  *) echo "usage: $0 deps|up|down|replica-up|replica-down" >&2; exit 2 ;;
esac
