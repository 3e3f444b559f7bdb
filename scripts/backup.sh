#!/usr/bin/env bash
# Back up / restore the platform: the PostgreSQL database (pg_dump custom format, restored
# with pg_restore) and the uploaded files (MEDIA_ROOT). The audit trail is in the database.
#   scripts/backup.sh backup  [DIR]   # default .local/backups/<YYYYmmdd-HHMMSS>/
#   scripts/backup.sh restore DIR     # replaces the database's contents and the media files
# The database is DATABASE_URL, else the project-local one (PG_PORT); media is MEDIA_ROOT,
# else var/media — the same defaults as procurement/settings/base.py.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
DB_URL=${DATABASE_URL:-postgres://procurement:procurement@127.0.0.1:${PG_PORT:-55432}/procurement}
MEDIA=${MEDIA_ROOT:-$ROOT/var/media}

log() { printf '[backup] %s\n' "$*"; }
pg_bin() {
  local d; d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/$1" ]; then echo "$d/$1"; else command -v "$1"; fi
}

backup() {
  local dest=${1:-$ROOT/.local/backups/$(date +%Y%m%d-%H%M%S)}
  mkdir -p "$dest"
  # Custom format: compressed, restorable table by table, consistent snapshot of a live database.
  "$(pg_bin pg_dump)" --format=custom --no-owner --no-privileges --file="$dest/database.dump" "$DB_URL"
  if [ -d "$MEDIA" ]; then
    tar -czf "$dest/media.tar.gz" -C "$MEDIA" .
  else
    tar -czf "$dest/media.tar.gz" -T /dev/null
  fi
  {
    echo "created=$(date -Iseconds)"
    echo "database=${DB_URL%%@*}@…"
    echo "git=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "database_bytes=$(stat -c %s "$dest/database.dump")"
    echo "media_files=$(tar -tzf "$dest/media.tar.gz" | grep -vc '/$' || true)"
  } > "$dest/MANIFEST"
  log "backup written to $dest"
}

restore() {
  local src=${1:?usage: scripts/backup.sh restore DIR}
  [ -s "$src/database.dump" ] || { echo "no database.dump in $src" >&2; exit 2; }
  # --clean --if-exists: drop what the dump recreates; one transaction: all or nothing.
  "$(pg_bin pg_restore)" --clean --if-exists --no-owner --no-privileges --single-transaction \
    --exit-on-error --dbname="$DB_URL" "$src/database.dump"
  if [ -s "$src/media.tar.gz" ]; then
    mkdir -p "$MEDIA"
    find "$MEDIA" -mindepth 1 -delete
    tar -xzf "$src/media.tar.gz" -C "$MEDIA"
  fi
  log "restored $src (database and $(find "$MEDIA" -type f | wc -l) media files)"
}

case "${1:-}" in
  backup) shift; backup "$@" ;;
  restore) shift; restore "$@" ;;
  *) echo "usage: $0 backup [DIR] | restore DIR" >&2; exit 2 ;;
esac
